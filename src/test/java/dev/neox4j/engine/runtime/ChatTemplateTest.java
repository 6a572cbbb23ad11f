package dev.neox4j.engine.runtime;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChatTemplateTest {

    @Test
    void defaultTemplateRendersTheDocumentedText() {
        String prompt = ChatTemplate.DEFAULT.render(List.of(
                ChatTurn.system("Be brief."), ChatTurn.user("Hi"), ChatTurn.assistant("Hello!"),
                ChatTurn.user("Why?")));
        assertEquals("Be brief.\n\nUser: Hi\nAssistant: Hello!\nUser: Why?\nAssistant:", prompt);
        assertEquals(List.of("\nUser:", "\nSystem:"), ChatTemplate.DEFAULT.stopStrings());
    }

    @Test
    void laterSystemMessagesBecomeTurnsAndRolesAreCaseInsensitive() {
        String prompt = ChatTemplate.DEFAULT.render(List.of(
                new ChatTurn("USER", "a"), ChatTurn.system("b")));
        assertEquals("User: a\nSystem: b\nAssistant:", prompt);
        assertEquals("User: x\nAssistant:", ChatTemplate.DEFAULT.render(List.of(ChatTurn.user("x"))));
    }

    @Test
    void prefixesAndSeparatorAreConfigurable() {
        ChatTemplate t = ChatTemplate.builder().userPrefix("Q: ").assistantPrefix("A: ").separator("\n\n")
                .systemSuffix("\n---\n").build();
        assertEquals("Ctx\n---\nQ: one\n\nA: two\n\nQ: three\n\nA:", t.render(List.of(ChatTurn.system("Ctx"),
                ChatTurn.user("one"), ChatTurn.assistant("two"), ChatTurn.user("three"))));
        assertEquals(List.of("\n\nQ:", "\n\nSystem:"), t.stopStrings());
        assertEquals("Hello there", t.reply(" Hello there\n"));
    }

    @Test
    void theStreamedReplyAddsUpToTheTrimmedReply() {
        List<String> pieces = List.of(" ", " Hel", "lo", " ", "\n", "wor", "ld", "  ", "\n");
        ReplyTrimmer trimmer = ChatTemplate.DEFAULT.replyTrimmer();
        StringBuilder streamed = new StringBuilder();
        StringBuilder generated = new StringBuilder();
        for (String p : pieces) {
            generated.append(p);
            String out = trimmer.next(p);
            streamed.append(out);
        }
        assertEquals(ChatTemplate.DEFAULT.reply(generated.toString()), streamed.toString());
        assertEquals("Hello \nworld", streamed.toString());
        // whitespace is held back, not lost, when text follows it
        ReplyTrimmer t = ChatTemplate.DEFAULT.replyTrimmer();
        assertEquals("a", t.next("a "));
        assertEquals(" b", t.next("b"));
        assertEquals("", t.next("\u2003"));
        assertEquals("\u2003\uD83D\uDE00", t.next("\uD83D\uDE00"));
    }

    @Test
    void textPartsOfOneMessageAreJoinedByANewline() {
        assertEquals("one\ntwo", ChatTurn.joinParts(List.of("one", "two")));
        assertEquals("solo", ChatTurn.joinParts(List.of("solo")));
        assertEquals("", ChatTurn.joinParts(List.of()));
        assertEquals("User: one\ntwo\nAssistant:", ChatTemplate.DEFAULT.render(List.of(
                ChatTurn.user(ChatTurn.joinParts(List.of("one", "two"))))));
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ChatTurn("tool", "x"));
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.DEFAULT.render(List.of()));
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.builder().userPrefix(" ").build());
    }
}
