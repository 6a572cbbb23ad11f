package dev.neox4j.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DirectMemoryTest {

    @Test
    void parsesHotSpotSizes() {
        assertEquals(512L << 20, DirectMemory.parseSize("512m"));
        assertEquals(8L << 30, DirectMemory.parseSize("8G"));
        assertEquals(64L << 10, DirectMemory.parseSize("64k"));
        assertEquals(1_000_000L, DirectMemory.parseSize("1000000"));
        // 0 means "the default", the maximum heap size
        assertEquals(Runtime.getRuntime().maxMemory(), DirectMemory.parseSize("0"));
    }

    @Test
    void aCopyLargerThanTheBudgetDoesNotFitASmallOneDoes() {
        assertFalse(DirectMemory.fits(Long.MAX_VALUE / 4));
        assertTrue(DirectMemory.fits(4096));
    }
}
