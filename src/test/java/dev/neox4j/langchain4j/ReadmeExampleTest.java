package dev.neox4j.langchain4j;

import dev.neox4j.engine.runtime.DemoModel;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's "Use from Java" program is this repository's {@link ReadmeExample}, and it runs. */
class ReadmeExampleTest {

    private static final Path SOURCE = Path.of("src/test/java/dev/neox4j/langchain4j/ReadmeExample.java");

    @Test
    void theReadmeQuotesTheCompiledExample() throws Exception {
        String source = Files.readString(SOURCE);
        String code = source.substring(source.indexOf("import ")).strip();
        String readme = Files.readString(Path.of("README.md"));
        assertTrue(readme.contains("## Use from Java (LangChain4j)"), "README section missing");
        assertTrue(readme.contains("```java\n" + code + "\n```"),
                "README.md must quote ReadmeExample.java (from its first import) verbatim");
    }

    @Test
    void theExampleRunsOnAModelFile() throws Exception {
        assertRanToTheEnd(run(TinyModel.PATH.toString()));
        assertEquals(0, NeoxEngines.references(TinyModel.PATH), "the example closes its models");
    }

    @Test
    void theExampleRunsOnTheDemoModelWithoutArguments() throws Exception {
        assertRanToTheEnd(run());
        assertEquals(0, NeoxEngines.references(DemoModel.path()), "the example closes its models");
    }

    private static String run(String... args) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            ReadmeExample.main(args);
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void assertRanToTheEnd(String printed) {
        String last = printed.strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("LENGTH ") || last.startsWith("STOP "), printed);
        assertTrue(last.contains("TokenUsage"), printed);
    }
}
