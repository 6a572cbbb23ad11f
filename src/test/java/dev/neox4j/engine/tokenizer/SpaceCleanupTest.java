package dev.neox4j.engine.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** llama.cpp's three clean-up passes. */
class SpaceCleanupTest {

    private static String clean(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int n = SpaceCleanup.apply(b, b.length);
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    @Test
    void spaceBeforePunctuationGoes() {
        assertEquals("a? b! c. d,", clean("a ? b ! c . d ,"));
        assertEquals("?", clean(" ?"));
        assertEquals(" ?", clean("  ?"));          // only the space right before the mark
        assertEquals("a ;b :c", clean("a ;b :c"));  // other punctuation keeps it
        assertEquals("if (a!= b", clean("if (a != b"));
    }

    @Test
    void lonelyApostropheLosesBothSpaces() {
        assertEquals("a'b", clean("a ' b"));
        assertEquals("'' ", clean(" ' ' "));       // the second apostrophe follows a removed space
        assertEquals("a' b", clean("a' b"));
        assertEquals("'", clean("'"));
    }

    @Test
    void contractionsLoseTheSpaceBeforeSomeEndings() {
        assertEquals("it's I'm we're they've", clean("it 's I 'm we 're they 've"));
        assertEquals("don 't I 'd you 'll", clean("don 't I 'd you 'll"));
        assertEquals("x 'q", clean("x 'q"));
        assertEquals("x '", clean("x '"));
        assertEquals("x 'r", clean("x 'r"));       // "'r" at the end: not "'re"
        assertEquals("x're", clean("x 're"));
    }

    @Test
    void multiByteTextIsUntouched() {
        assertEquals("日本語。 ok, 🦙!", clean("日本語。 ok , 🦙 !"));
        assertEquals("", clean(""));
    }
}
