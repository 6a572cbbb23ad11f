package dev.neox4j.engine.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The special-token partition: priority order, overlaps, and the two splitting strategies agreeing. */
class SpecialTokenSplitterTest {

    /** Renders fragments as "raw" strings and {@code <id>} markers. */
    private static List<String> run(SpecialTokenSplitter s, String text, boolean special, long maxOccurrences) {
        List<String> out = new ArrayList<>();
        s.partition(text, text.toCharArray(), special, new SpecialTokenSplitter.Sink() {
            @Override
            public void raw(int start, int end) {
                out.add(text.substring(start, end));
            }

            @Override
            public void token(int id) {
                out.add("<" + id + ">");
            }
        }, maxOccurrences);
        return out;
    }

    private static List<String> both(SpecialTokenSplitter s, String text, boolean special) {
        List<String> recorded = run(s, text, special, Long.MAX_VALUE);
        assertEquals(run(s, text, special, 0), recorded, () -> "strategies differ on " + Vocabulary.printable(text));
        return recorded;
    }

    @Test
    void longerCandidatesGoFirstEvenWhenAShorterOneStartsEarlier() {
        // llama.cpp applies "bcd" (longer) before "ab": "abcd" -> "a" | bcd, not ab | "cd"
        SpecialTokenSplitter s = new SpecialTokenSplitter(new int[] {7, 8}, new String[] {"ab", "bcd"},
                new boolean[] {false, false});
        assertEquals(List.of("a", "<8>"), both(s, "abcd", false));
        assertEquals(List.of("<7>", "x", "<8>", "<7>"), both(s, "abxbcdab", false));
        assertEquals(List.of("<7>", "<7>", "a"), both(s, "ababa", false));
    }

    @Test
    void controlTokensOnlyWithSpecialParsing() {
        SpecialTokenSplitter s = new SpecialTokenSplitter(new int[] {0, 5}, new String[] {"<|endoftext|>", "  "},
                new boolean[] {true, false});
        assertEquals(List.of("a<|endoftext|>b", "<5>", "c"), both(s, "a<|endoftext|>b  c", false));
        assertEquals(List.of("a", "<0>", "b", "<5>", "c"), both(s, "a<|endoftext|>b  c", true));
        assertEquals(List.of("<5>", "<5>", " "), both(s, "     ", false));
        assertEquals(List.of("plain"), both(s, "plain", true));
        assertEquals(List.of(), both(s, "", true));
    }

    @Test
    void strategiesAgreeOnRandomTextWithTheGptNeoxCandidates() {
        // the GPT-NeoX candidates: 2 controls and 23 space runs (plus [PADn] entries)
        Tokenizer tok = TokenizerFixtures.full();
        List<Integer> ids = new ArrayList<>();
        for (int id = 0; id < tok.vocabSize(); id++) {
            TokenType t = tok.tokenType(id);
            if (t == TokenType.CONTROL || t == TokenType.USER_DEFINED || t == TokenType.UNKNOWN) {
                ids.add(id);
            }
        }
        int[] idArr = ids.stream().mapToInt(Integer::intValue).toArray();
        String[] texts = new String[idArr.length];
        boolean[] control = new boolean[idArr.length];
        for (int i = 0; i < idArr.length; i++) {
            texts[i] = tok.tokenText(idArr[i]);
            control[i] = tok.tokenType(idArr[i]) != TokenType.USER_DEFINED;
        }
        SpecialTokenSplitter s = new SpecialTokenSplitter(idArr, texts, control);
        SplittableRandom rnd = new SplittableRandom(3L);
        String[] parts = {" ", "  ", "   ", "x", "\n", "<|endoftext|>", "<|padding|>", "[PAD50301]", "<|", "[PAD",
                " ".repeat(23), " ".repeat(25), " ".repeat(48), "ab"};
        for (int i = 0; i < 1500; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = rnd.nextInt(30); k > 0; k--) {
                sb.append(parts[rnd.nextInt(parts.length)]);
            }
            both(s, sb.toString(), rnd.nextBoolean());
        }
    }
}
