package dev.neox4j.engine.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The incremental UTF-8 decoder: maximal-subpart replacement (Unicode Table 3-7). */
class Utf8DecoderTest {

    private static String decode(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return Utf8Decoder.decode(b, 0, b.length);
    }

    @Test
    void invalidSequencesGiveOneReplacementPerMaximalSubpart() {
        assertEquals("\uFFFD", decode(0xF0, 0x9F, 0x98));                 // truncated emoji
        assertEquals("\uFFFD\uFFFD", decode(0xE0, 0x80));                 // overlong: E0 needs A0..BF
        assertEquals("\uFFFD\uFFFD\uFFFD", decode(0xED, 0xA0, 0x80));     // encoded surrogate
        assertEquals("\uFFFD\uFFFD\uFFFD\uFFFD", decode(0xF4, 0x90, 0x80, 0x80)); // above U+10FFFF
        assertEquals("\uFFFD\uFFFD", decode(0xC0, 0xAF));                 // C0/C1 never valid
        assertEquals("\uFFFDA", decode(0xE2, 0x82, 0x41));                // interrupted, then ASCII
        assertEquals("\uFFFD", decode(0x80));
        assertEquals("\uFFFD\uFFFD", decode(0xFF, 0xFE));
        assertEquals("€", decode(0xE2, 0x82, 0xAC));
        assertEquals("🦙", decode(0xF0, 0x9F, 0xA6, 0x99));
        assertEquals("\u0000", decode(0x00));
    }

    /** Whether {@code b[from, to)} is a prefix of a well-formed sequence (Unicode Table 3-7). */
    private static boolean wellFormedPrefix(byte[] b, int from, int to) {
        int lead = b[from] & 0xFF;
        int len;
        int lo = 0x80;
        int hi = 0xBF;
        if (lead < 0x80) {
            len = 1;
        } else if (lead >= 0xC2 && lead <= 0xDF) {
            len = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            len = 3;
            lo = lead == 0xE0 ? 0xA0 : 0x80;
            hi = lead == 0xED ? 0x9F : 0xBF;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            len = 4;
            lo = lead == 0xF0 ? 0x90 : 0x80;
            hi = lead == 0xF4 ? 0x8F : 0xBF;
        } else {
            return false;
        }
        if (to - from > len) {
            return false;
        }
        for (int i = from + 1; i < to; i++) {
            int c = b[i] & 0xFF;
            boolean second = i == from + 1;
            if (c < (second ? lo : 0x80) || c > (second ? hi : 0xBF)) {
                return false;
            }
        }
        return true;
    }

    /** Oracle: at each position take the longest well-formed prefix; complete → character, else one U+FFFD. */
    private static String oracle(byte[] b) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < b.length) {
            int end = i + 1;
            while (end < b.length && end - i < 4 && wellFormedPrefix(b, i, end + 1)) {
                end++;
            }
            int lead = b[i] & 0xFF;
            int need = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
            if (wellFormedPrefix(b, i, end) && end - i == need) {
                sb.append(new String(b, i, end - i, StandardCharsets.UTF_8));
            } else {
                sb.append('\uFFFD');
            }
            i = end;
        }
        return sb.toString();
    }

    @Test
    void agreesWithTheMaximalSubpartDefinitionOnRandomBytes() {
        SplittableRandom rnd = new SplittableRandom(5L);
        int[] interesting = {0x00, 0x41, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC,
                0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF, 0x8F, 0x90};
        for (int i = 0; i < 20000; i++) {
            byte[] b = new byte[rnd.nextInt(12)];
            for (int k = 0; k < b.length; k++) {
                b[k] = (byte) (rnd.nextBoolean() ? interesting[rnd.nextInt(interesting.length)] : rnd.nextInt(256));
            }
            assertEquals(oracle(b), Utf8Decoder.decode(b, 0, b.length),
                    () -> java.util.HexFormat.ofDelimiter(" ").formatHex(b));
        }
    }

    @Test
    void validUtf8DecodesLikeTheJdk() {
        RandomText gen = new RandomText(8L);
        for (int i = 0; i < 2000; i++) {
            String s = gen.next(20);
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            assertEquals(s, Utf8Decoder.decode(b, 0, b.length));
        }
    }

    @Test
    void incompleteSequencesAreHeldBackUntilFinish() {
        Utf8Decoder d = new Utf8Decoder();
        StringBuilder out = new StringBuilder();
        d.feed(0xF0, out);
        d.feed(0x9F, out);
        assertTrue(d.pending());
        assertEquals("", out.toString());
        d.feed(0xA6, out);
        d.feed(0x99, out);
        assertFalse(d.pending());
        assertEquals("🦙", out.toString());
        d.feed(0xE2, out);
        d.finish(out);
        assertEquals("🦙\uFFFD", out.toString());
        assertFalse(d.pending());
    }
}
