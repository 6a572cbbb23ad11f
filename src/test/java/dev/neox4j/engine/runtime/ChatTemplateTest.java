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
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ChatTurn("tool", "x"));
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.DEFAULT.render(List.of()));
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.builder().userPrefix(" ").build());
    }
}
