package dev.neox4j.engine.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class NeoxHParamsTest {

    @Test
    void derivedValues() {
        NeoxHParams hp = new NeoxHParams(512, 2048, 256, 2, 1024, 4, 16, 10000f, 1e-5f, true);
        assertEquals(64, hp.headDim());
        assertEquals(0.125f, hp.kqScale());
        NeoxHParams odd = new NeoxHParams(512, 2048, 2560, 32, 10240, 32, 20, 10000f, 1e-5f, true);
        assertEquals(80, odd.headDim());
        assertEquals((float) (1 / Math.sqrt(80)), odd.kqScale(), 1e-7f);
    }

    @Test
    void inconsistentValuesAreRejectedWithTheKeyName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NeoxHParams(512, 2048, 250, 2, 1024, 4, 16, 10000f, 1e-5f, true));
        assertTrue(e.getMessage().contains("head count"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new NeoxHParams(512, 2048, 256, 2, 1024, 4, 15, 10000f, 1e-5f, true));
        assertTrue(e.getMessage().contains("rope.dimension_count"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new NeoxHParams(512, 2048, 256, 2, 1024, 4, 66, 10000f, 1e-5f, true));
        assertTrue(e.getMessage().contains("rope.dimension_count"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new NeoxHParams(512, 2048, 256, 0, 1024, 4, 16, 10000f, 1e-5f, true));
        assertTrue(e.getMessage().contains("block_count"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new NeoxHParams(512, 2048, 256, 2, 1024, 4, 16, 0f, 1e-5f, true));
        assertTrue(e.getMessage().contains("freq_base"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new NeoxHParams(512, 2048, 256, 2, 1024, 4, 16, 10000f, Float.NaN, true));
        assertTrue(e.getMessage().contains("layer_norm_epsilon"), e.getMessage());
    }
}
