package dev.neox4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neox4j.engine.checkpoint.FileType;
import dev.neox4j.bench.NeoxModelGenerator.Mix;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench entry point works end to end on the tiny shape: it generates and caches the model, runs every test
 * and reports a complete record. Only the presence and sanity of the figures is checked, never their size
 * (timings belong in benchmarks, not in pass/fail tests).
 */
class BenchTest {

    @TempDir
    Path dir;

    /** The properties of {@code m} (the options of a bench tool). */
    static Properties props(Map<String, String> m) {
        Properties p = new Properties();
        p.putAll(m);
        return p;
    }

    @Test
    void optionsHaveLlamaBenchDefaultsAndRejectNonsense() {
        BenchOptions o = BenchOptions.from(new Properties());
        assertEquals("pythia-1.4b", o.shape());
        assertEquals(FileType.Q4_0, o.fileType());
        assertEquals(Mix.LLAMA_DEFAULT, o.mix());
        assertEquals(128, o.pp());
        assertEquals(32, o.tg());
        assertEquals(3, o.reps());
        assertEquals(1, o.streams());
        assertEquals(Runtime.getRuntime().availableProcessors(), o.threads());
        assertNull(o.model());
        assertEquals(Path.of("target/bench-models/pythia-1.4b-Q4_0.gguf"), o.generatedPath());
        // empty values (unset Maven properties) mean the default
        assertEquals(FileType.Q4_K_M, BenchOptions.from(props(Map.of("bench.type", "q4_k_m", "bench.model", "")))
                .fileType());
        assertEquals(Path.of("target/bench-models/pythia-12b-Q6_K-pure.gguf"), BenchOptions.from(props(Map.of(
                "bench.shape", "pythia-12b", "bench.type", "Q6_K", "bench.mix", "pure"))).generatedPath());
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.from(props(Map.of("bench.shape", "gpt2"))));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.from(props(Map.of("bench.type", "IQ2_XS"))));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.from(props(Map.of("bench.pp", "0"))));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.from(props(Map.of("bench.reps", "x"))));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.from(props(Map.of("bench.kernels", "gpu"))));
    }

    @Test
    void tinyRunGeneratesOnceAndReportsEveryFigure() throws Exception {
        BenchOptions o = BenchOptions.from(props(Map.of("bench.shape", "tiny", "bench.type", "Q8_0",
                "bench.threads", "2", "bench.pp", "16", "bench.tg", "4", "bench.reps", "2", "bench.streams", "2",
                "bench.dir", dir.toString(), "bench.kernels", "scalar")));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        Map<String, Object> r = Bench.run(o, out);
        Path file = dir.resolve("tiny-Q8_0.gguf");
        assertTrue(Files.isRegularFile(file));
        JsonNode j = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(r));
        assertEquals("neox4j", j.get("bench").asText());
        assertEquals(Files.size(file), j.get("fileBytes").asLong());
        assertEquals("scalar", j.get("kernels").asText());
        assertEquals(2, j.get("threads").asInt());
        for (String k : new String[] {"ppRate", "tgRate"}) {
            assertEquals(2, j.get(k).get("samples").size(), k);
            assertTrue(j.get(k).get("mean").asDouble() > 0, k);
        }
        assertEquals(2, j.get("streams").get("n").asInt());
        assertTrue(j.get("streams").get("engine").get("mean").asDouble() > 0);
        assertTrue(j.get("streams").get("forward").get("mean").asDouble() > 0);
        assertTrue(j.get("readyMs").asDouble() > 0);
        // reported and a byte count (its size depends on the JIT state of this short run, so no upper bound here)
        assertTrue(j.hasNonNull("tgAllocatedBytesPerToken") && j.get("tgAllocatedBytesPerToken").isIntegralNumber()
                && j.get("tgAllocatedBytesPerToken").asLong() >= 0, String.valueOf(j.get("tgAllocatedBytesPerToken")));
        // decode in GB/s of weights beside the machine's STREAM-like read
        assertTrue(j.get("tgWeightGBps").asDouble() > 0, String.valueOf(j.get("tgWeightGBps")));
        assertTrue(j.get("memoryReadGBps").asDouble() > 0, String.valueOf(j.get("memoryReadGBps")));
        JsonNode mem = j.get("memory");
        assertTrue(mem.get("vmHwmBytes").asLong() >= mem.get("vmRssBytes").asLong());
        assertEquals(2L * 2 * 512 * 256 * 2, mem.get("kvBytes").asLong()); // 2 layers, ctx 512, n_embd 256, f16
        String text = buf.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("| tiny Q8_0 |") && text.contains("| pp16 |") && text.contains("| tg4 |")
                && text.contains("tg4x2 engine") && text.contains("decode path allocation:"), text);

        // Cached: a second run with the same options does not rewrite the file.
        FileTime before = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(file, before);
        BenchOptions gen = BenchOptions.from(props(Map.of("bench.shape", "tiny", "bench.type", "Q8_0",
                "bench.dir", dir.toString(), "bench.generateOnly", "true")));
        assertNull(Bench.run(gen, out));
        assertEquals(before, Files.getLastModifiedTime(file));
        assertNotNull(Bench.model(gen, out));
    }
}
