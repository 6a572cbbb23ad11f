package dev.neox4j.cli;

import dev.neox4j.engine.checkpoint.FileType;
import dev.neox4j.engine.gguf.GgufFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code convert} command: arguments, output, exit status and help. */
class ConvertCommandTest {
    private static final Path FIXTURE = Path.of("src/test/resources/fixtures/models/tiny-gptneox-d256-F32.gguf");

    @TempDir
    Path tmp;

    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new ConvertCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void convertsAGgufToTheRequestedTypeAndPrintsThePath() throws IOException {
        Path out = tmp.resolve("q8.gguf");
        Run r = run(FIXTURE.toString(), out.toString(), "--type", "q8_0", "--threads", "1");
        assertEquals(0, r.status(), r.err());
        assertEquals(out.toAbsolutePath().toString(), r.out().strip());
        assertTrue(r.err().contains("Q8_0"), r.err());
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals(FileType.Q8_0.id, f.metadata().getInt("general.file_type"));
        }
    }

    @Test
    void badTypesSourcesAndArgumentsFailWithTheirStatus() {
        Run badType = run(FIXTURE.toString(), tmp.resolve("x.gguf").toString(), "--type", "Q9_9");
        assertEquals(2, badType.status());
        assertTrue(badType.err().contains("unknown type 'Q9_9'") && badType.err().contains("Q4_K_M"), badType.err());

        Path out = tmp.resolve("y.gguf");
        Run missing = run(tmp.resolve("nothing").toString(), out.toString());
        assertEquals(1, missing.status());
        assertTrue(missing.err().startsWith("convert: "), missing.err());
        assertFalse(Files.exists(out));

        assertEquals(2, run(FIXTURE.toString()).status());
        Run negative = run(FIXTURE.toString(), out.toString(), "--threads", "-1");
        assertEquals(2, negative.status());
        assertTrue(negative.err().contains("--threads must be >= 0, got -1"), negative.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void helpListsTheTypesAndTheSources() {
        Run r = run("--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("SRC") && r.out().contains("OUT.gguf") && r.out().contains("--type")
                && r.out().contains("Q4_K_M") && r.out().contains("hf://"), r.out());
    }
}
