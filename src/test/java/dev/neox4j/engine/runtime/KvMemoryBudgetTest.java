package dev.neox4j.engine.runtime;

import dev.neox4j.engine.model.KvCache;
import dev.neox4j.engine.model.NeoxHParams;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** KV slots are sized from the memory next to the mapped weights, not from the heap. */
class KvMemoryBudgetTest {

    private static final long GIB = 1L << 30;
    private static final long MIB = 1L << 20;
    /** pythia-12b: 36 layers, n_embd 5120, 2048 positions; its Q4_0 file is 6.3 GiB. */
    private static final NeoxHParams PYTHIA_12B = new NeoxHParams(50688, 2048, 5120, 36, 20480, 40, 32, 10000f,
            1e-5f, true);
    private static final long FILE_12B_Q4_0 = 6_740_000_000L;
    private static final long KV_SLOT_12B = KvCache.bytesFor(PYTHIA_12B, 2048, KvCache.ElementType.F16);

    @Test
    void oneSlotOfThe12bIs1440MiBOfF16() {
        assertEquals(1440 * MIB, KV_SLOT_12B);
    }

    @Test
    void theSeedModelGetsItsFourSlotsOnA24GiBMachineAndIn16GiBContainers() {
        for (long total : new long[] {24 * GIB, 16 * GIB}) {
            KvMemoryBudget b = new KvMemoryBudget(total, FILE_12B_Q4_0, 512 * MIB);
            assertEquals(4, b.slots(PYTHIA_12B, 2048, KvCache.ElementType.F16, 4, "12b.gguf"), "total " + total);
        }
    }

    @Test
    void fewerSlotsWhenOnlySomeFit() {
        long room = 2 * KV_SLOT_12B + KV_SLOT_12B / 2;
        KvMemoryBudget b = new KvMemoryBudget(FILE_12B_Q4_0 + 512 * MIB + room, FILE_12B_Q4_0, 512 * MIB);
        assertEquals(2, b.slots(PYTHIA_12B, 2048, KvCache.ElementType.F16, 4, "12b.gguf"));
        assertEquals(1, b.slots(PYTHIA_12B, 2048, KvCache.ElementType.F16, 1, "12b.gguf"));
    }

    @Test
    void refusesOnlyWhenOneSlotDoesNotFitAndTheAdviceAddsUp() {
        long jvm = 512 * MIB;
        long room = KV_SLOT_12B / 4; // a quarter of one slot: 512 positions
        KvMemoryBudget b = new KvMemoryBudget(FILE_12B_Q4_0 + jvm + room, FILE_12B_Q4_0, jvm);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.slots(PYTHIA_12B, 2048, KvCache.ElementType.F16, 4, "12b.gguf"));
        String msg = e.getMessage();
        assertTrue(msg.startsWith("12b.gguf needs 6,427 MiB for its memory-mapped weights, 1,440 MiB for the KV cache"),
                msg);
        long atLeast = (FILE_12B_Q4_0 + jvm + KV_SLOT_12B + MIB - 1) >> 20;
        assertTrue(msg.contains(String.format("give it at least %,d MiB", atLeast)), msg);
        assertTrue(msg.contains("lower neox.context-length to at most 512"), msg);
        assertFalse(msg.contains("kv-cache-type"), "the cache is already f16: " + msg);
        // the advice is true: both suggestions fit
        assertEquals(1, new KvMemoryBudget(atLeast << 20, FILE_12B_Q4_0, jvm)
                .slots(PYTHIA_12B, 2048, KvCache.ElementType.F16, 1, "12b.gguf"));
        assertEquals(1, b.slots(PYTHIA_12B, 512, KvCache.ElementType.F16, 1, "12b.gguf"));
    }

    @Test
    void f32AdviceOnlyWhenF16Fits() {
        long jvm = 512 * MIB;
        long f32Slot = KvCache.bytesFor(PYTHIA_12B, 2048, KvCache.ElementType.F32);
        KvMemoryBudget b = new KvMemoryBudget(FILE_12B_Q4_0 + jvm + f32Slot * 3 / 4, FILE_12B_Q4_0, jvm);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.slots(PYTHIA_12B, 2048, KvCache.ElementType.F32, 1, "12b.gguf"));
        assertTrue(e.getMessage().contains("neox.kv-cache-type=f16"), e.getMessage());
        assertEquals(1, b.slots(PYTHIA_12B, 2048, KvCache.ElementType.F16, 1, "12b.gguf"));
    }

    @Test
    void weightsAloneTooLargeGetNoContextAdvice() {
        KvMemoryBudget b = new KvMemoryBudget(4 * GIB, FILE_12B_Q4_0, 512 * MIB);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.slots(PYTHIA_12B, 2048, KvCache.ElementType.F16, 1, "12b.gguf"));
        assertFalse(e.getMessage().contains("context-length"), e.getMessage());
    }

    @Test
    void thisProcessSeesItsMemory() {
        KvMemoryBudget b = KvMemoryBudget.forThisProcess(1000);
        assertTrue(b.totalBytes() > 256 * MIB, "total " + b.totalBytes());
        assertTrue(b.jvmBytes() >= KvMemoryBudget.JVM_NATIVE_ALLOWANCE);
    }
}
