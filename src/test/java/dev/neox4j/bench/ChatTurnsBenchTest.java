package dev.neox4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chat-turns tool works end to end on the tiny shape: with the cache every turn after the first reuses the
 * conversation so far, without it nothing, and both runs give the same replies. Only counts and the presence of the
 * figures are checked, never timings.
 */
class ChatTurnsBenchTest {

    @TempDir
    Path dir;

    @Test
    void optionsDefaultToEightTurnsWithAndWithoutTheCache() {
        ChatTurnsBench.Options o = ChatTurnsBench.Options.from(new Properties());
        assertEquals(8, o.turns());
        assertEquals(48, o.maxTokens());
        assertEquals(List.of(true, false), o.cacheRuns());
        assertTrue(o.warmup());
        assertEquals(List.of(false),
                ChatTurnsBench.Options.from(BenchTest.props(Map.of("chat.cache", "off"))).cacheRuns());
        assertThrows(IllegalArgumentException.class,
                () -> ChatTurnsBench.Options.from(BenchTest.props(Map.of("chat.cache", "sometimes"))));
        assertThrows(IllegalArgumentException.class,
                () -> ChatTurnsBench.Options.from(BenchTest.props(Map.of("chat.turns", "0"))));
    }

    @Test
    void turnsAfterTheFirstReuseTheConversationOnlyWithTheCacheAndRepliesAreTheSame() throws Exception {
        ChatTurnsBench.Options o = ChatTurnsBench.Options.from(BenchTest.props(Map.of("bench.shape", "tiny",
                "bench.type", "Q8_0", "bench.threads", "1", "bench.dir", dir.toString(), "chat.turns", "3",
                "chat.maxTokens", "4", "chat.warmup", "false")));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Map<Boolean, List<ChatTurnsBench.Turn>> runs = ChatTurnsBench.run(o,
                new PrintStream(buf, true, StandardCharsets.UTF_8));

        List<ChatTurnsBench.Turn> on = runs.get(true);
        List<ChatTurnsBench.Turn> off = runs.get(false);
        assertEquals(3, on.size());
        assertEquals(3, off.size());
        assertEquals(0, on.get(0).cachedTokens(), "a fresh engine has nothing cached");
        for (int i = 1; i < 3; i++) {
            ChatTurnsBench.Turn t = on.get(i);
            assertTrue(t.promptTokens() > on.get(i - 1).promptTokens(), "each turn resends the conversation");
            // the previous prompt ends where the reply was appended; only a token merged across that seam may differ
            assertTrue(t.cachedTokens() >= on.get(i - 1).promptTokens() - 2,
                    "turn " + t.turn() + " reuses the previous prompt: " + t);
            assertTrue(t.evaluatedTokens() >= 1);
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(0, off.get(i).cachedTokens());
            assertEquals(on.get(i).promptTokens(), off.get(i).promptTokens());
            assertEquals(on.get(i).reply(), off.get(i).reply(), "turn " + (i + 1) + ": a hit is exact");
        }

        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("replies with and without the cache identical: yes"), out);
        List<JsonNode> records = out.lines().filter(l -> l.startsWith("{")).map(l -> {
            try {
                return new ObjectMapper().readTree(l);
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).toList();
        assertEquals(2, records.size(), out);
        for (JsonNode r : records) {
            assertEquals("neox4j-chat-turns", r.get("bench").asText());
            assertEquals(3, r.get("cachedTokens").size());
            assertFalse(r.get("totalMs").asDouble() <= 0);
        }
        assertTrue(records.get(0).get("prefixCache").asBoolean());
    }
}
