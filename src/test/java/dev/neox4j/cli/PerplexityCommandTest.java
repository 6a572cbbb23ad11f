package dev.neox4j.cli;

import dev.neox4j.engine.runtime.Engine;
import dev.neox4j.engine.runtime.EngineOptions;
import dev.neox4j.engine.runtime.Perplexity;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The {@code perplexity} command: the jar runs it as a command (its own engine, no HTTP), it prints the running
 * estimate per chunk and llama-perplexity's final line, and its figures are {@link Perplexity}'s over the same
 * tokens.
 */
@QuarkusMainTest
class PerplexityCommandTest {

    static final Path MODEL = Path.of("src/test/resources/fixtures/models/tiny-gptneox-d256-Q8_0.gguf");

    static Path textFile() throws IOException {
        Path dir = Files.createDirectories(Path.of("target/perplexity-test"));
        Path f = dir.resolve("text.txt");
        Files.writeString(f, "The quick brown fox jumps over the lazy dog; in 1889 the tower was 300 m tall.\n"
                .repeat(12));
        return f;
    }

    @Test
    void printsProgressAndTheFinalEstimateOfTheSameComputation(QuarkusMainLauncher launcher) throws Exception {
        Path text = textFile();
        LaunchResult result = launcher.launch("perplexity", MODEL.toString(), text.toString(), "--ctx", "64",
                "--batch", "128");
        String out = result.getOutput();
        assertEquals(0, result.exitCode(), out + result.getErrorOutput());

        Perplexity.Result want;
        try (Engine engine = Engine.open(EngineOptions.defaults(MODEL).toBuilder().contextLength(64).threads(1).build())) {
            int[] tokens = Perplexity.tokenize(engine.tokenizer(), Files.readString(text));
            want = Perplexity.start(engine, tokens, 64, 0, "t", null).get(120, TimeUnit.SECONDS);
        }
        assertTrue(out.contains(want.finalEstimate()), out);
        StringBuilder progress = new StringBuilder();
        for (int c = 0; c < want.chunks(); c++) {
            progress.append(String.format(java.util.Locale.ROOT, "[%d]%.4f,", c + 1, want.chunkPerplexity()[c]));
        }
        assertTrue(out.contains(progress), out);
    }

    @Test
    void explainsWhatIsWrong(QuarkusMainLauncher launcher) throws Exception {
        LaunchResult missing = launcher.launch("perplexity", MODEL.toString(), "target/no-such-text.txt");
        assertEquals(1, missing.exitCode());
        assertTrue((missing.getOutput() + missing.getErrorOutput()).contains("no-such-text.txt"));
        LaunchResult tooShort = launcher.launch("perplexity", MODEL.toString(), textFile().toString(), "--ctx",
                "512");
        assertEquals(1, tooShort.exitCode());
        assertTrue((tooShort.getOutput() + tooShort.getErrorOutput()).contains("at least 1024 tokens"),
                tooShort.getOutput() + tooShort.getErrorOutput());
        assertEquals(2, launcher.launch("perplexity", MODEL.toString()).exitCode(), "TEXTFILE is required");
    }

    @Test
    void runnerWritesToItsStreams() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Perplexity.Result r = new PerplexityRunner(new PrintWriter(out), new PrintWriter(err))
                .run(MODEL, textFile(), 32, 64, 1);
        assertTrue(out.toString().startsWith("[1]"), out.toString());
        assertTrue(out.toString().strip().endsWith(r.finalEstimate()), out.toString());
        assertTrue(err.toString().contains("n_ctx=32, batch_size=64, n_seq=2"), err.toString());
        assertThrows(IllegalArgumentException.class,
                () -> new PerplexityRunner(new PrintWriter(out), new PrintWriter(err)).run(MODEL, textFile(), 2, 64, 1));
    }
}
