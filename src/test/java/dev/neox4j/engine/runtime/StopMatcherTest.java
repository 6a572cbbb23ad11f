package dev.neox4j.engine.runtime;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StopMatcherTest {

    @Test
    void stopSpanningPiecesIsNotEmittedAndTheTextBeforeItIs() {
        StopMatcher m = new StopMatcher(List.of("\nUser:"));
        assertEquals("Hello", m.push("Hello"));
        assertEquals(" world", m.push(" world\n")); // "\n" withheld
        assertEquals("", m.push("Us"));
        assertFalse(m.stopped());
        assertEquals("", m.push("er: next"));
        assertTrue(m.stopped());
        assertEquals("", m.push("more"));
        assertEquals("", m.finish());
    }

    @Test
    void withheldTextIsReleasedWhenItCannotBecomeAStop() {
        StopMatcher m = new StopMatcher(List.of("abc"));
        assertEquals("x", m.push("xab"));
        assertEquals("abd", m.push("d"));
        assertEquals("", m.push("a"));
        assertEquals("a", m.finish());
    }

    @Test
    void overlappingPrefixesKeepTheLongestCandidate() {
        StopMatcher m = new StopMatcher(List.of("aab"));
        assertEquals("", m.push("aa"));
        assertEquals("a", m.push("a")); // "aaa": only the last "aa" can still start "aab"
        assertEquals("", m.push("b"));
        assertTrue(m.stopped());
    }

    @Test
    void earliestOfSeveralStopsWinsAndStopInsideOnePieceCutsIt() {
        StopMatcher m = new StopMatcher(List.of("END", "\n\n"));
        assertEquals("one", m.push("one\n\ntwo END"));
        assertTrue(m.stopped());
        StopMatcher none = new StopMatcher(List.of());
        assertEquals("a\nb", none.push("a\nb"));
        assertEquals("", none.finish());
    }
}
