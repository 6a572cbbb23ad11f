package dev.neox4j.engine.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Incremental decoding: characters split across tokens come out whole, invalid bytes as U+FFFD. */
class StreamingDecoderTest {

    private final Tokenizer tok = TokenizerFixtures.full();

    /** The id of the single-byte token for byte {@code b}. */
    private int byteToken(int b) {
        int id = tok.tokenId(String.valueOf(ByteLevel.charOf(b)));
        assertTrue(id >= 0, "no token for byte " + b);
        return id;
    }

    private List<String> pushAll(StreamingDecoder d, int... ids) {
        List<String> out = new ArrayList<>();
        for (int id : ids) {
            out.add(d.push(id));
        }
        return out;
    }

    @Test
    void emojiSplitAcrossTokensComesOutWhole() {
        StreamingDecoder d = tok.newStreamingDecoder();
        // " this is 🦙.cpp": 22692 = " " + F0 9F, 101 = A6, 236 = 99
        assertEquals(List.of(" this", " is", " ", "", "🦙", ".", "cpp"),
                pushAll(d, 436, 310, 22692, 101, 236, 15, 14161));
        assertFalse(d.hasPending());
        assertEquals("", d.flush());
    }

    @Test
    void invalidBytesBecomeReplacementCharactersAsSoonAsKnown() {
        StreamingDecoder d = tok.newStreamingDecoder();
        assertEquals("\uFFFD", d.push(byteToken(0x80)));         // stray continuation byte: at once
        assertEquals("", d.push(byteToken(0xF0)));               // could still become a character
        assertTrue(d.hasPending());
        assertEquals("\uFFFDa", d.push(byteToken('a')));         // interrupted: U+FFFD, then the 'a'
        assertEquals("", d.push(byteToken(0xE2)));
        assertEquals("", d.push(byteToken(0x82)));
        assertEquals("\uFFFD", d.flush());                        // incomplete at the end
        assertEquals("", d.flush());
        assertEquals("€", d.push(byteToken(0xE2)) + d.push(byteToken(0x82)) + d.push(byteToken(0xAC)));
    }

    @Test
    void controlTokensRenderOnlyWhenAsked() {
        assertEquals(List.of("Hello", "", " world"), pushAll(tok.newStreamingDecoder(), 12092, 0, 1533));
        assertEquals(List.of("Hello", "<|endoftext|>", " world"),
                pushAll(tok.newStreamingDecoder(true), 12092, 0, 1533));
    }

    @Test
    void outOfRangeIdIsRefusedAndLeavesTheStateAlone() {
        StreamingDecoder d = tok.newStreamingDecoder();
        assertEquals("", d.push(byteToken(0xF0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.push(123456));
        assertTrue(e.getMessage().contains("123456"), e.getMessage());
        assertEquals("", d.push(byteToken(0x9F)));
        assertEquals("", d.push(byteToken(0xA6)));
        assertEquals("🦙", d.push(byteToken(0x99)));
    }

    @Test
    void randomIdStreamsEqualDecodeRaw() {
        SplittableRandom rnd = new SplittableRandom(77L);
        for (int i = 0; i < 3000; i++) {
            int[] ids = new int[rnd.nextInt(15)];
            for (int k = 0; k < ids.length; k++) {
                ids[k] = rnd.nextInt(4) == 0 ? rnd.nextInt(tok.vocabSize()) : 2 + rnd.nextInt(243); // byte tokens
            }
            StreamingDecoder d = tok.newStreamingDecoder();
            StringBuilder sb = new StringBuilder();
            for (int id : ids) {
                String chunk = d.push(id);
                assertTrue(chunk.isEmpty() || !Character.isHighSurrogate(chunk.charAt(chunk.length() - 1)));
                sb.append(chunk);
            }
            sb.append(d.flush());
            assertEquals(tok.decodeRaw(ids), sb.toString());
        }
    }
}
