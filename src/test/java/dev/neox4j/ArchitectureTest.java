package dev.neox4j;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Keeps the project's layering (docs/README.md, "Layers") true by scanning the main sources: which project
 * packages each layer may reference, that the engine, the LangChain4j provider and the Hub client
 * ({@code hub}) never touch the frameworks, that the Vector
 * API stays in {@code engine.tensor.kernel}, and the file-size and one-type-per-file rules.
 */
class ArchitectureTest {

    private static final Path MAIN = Path.of("src/main/java/dev/neox4j");

    /** Layer (package under dev.neox4j) to the project layers it may reference besides itself. */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("engine", Set.of()),
            Map.entry("engine.gguf", Set.of("engine")),
            Map.entry("engine.tensor", Set.of("engine", "engine.gguf")),
            Map.entry("engine.tensor.kernel", Set.of("engine.tensor", "engine.gguf")),
            Map.entry("engine.tokenizer", Set.of("engine.gguf")),
            Map.entry("engine.sampling", Set.of()),
            Map.entry("engine.model", Set.of("engine.tensor", "engine.tensor.kernel", "engine.gguf")),
            Map.entry("engine.checkpoint", Set.of("engine", "engine.model", "engine.tensor", "engine.gguf")),
            Map.entry("engine.runtime", Set.of("engine.model", "engine.sampling", "engine.tokenizer",
                    "engine.tensor", "engine.tensor.kernel", "engine.gguf", "engine.checkpoint")),
            Map.entry("hub", Set.of("engine")),
            Map.entry("langchain4j", Set.of("engine", "engine.runtime", "engine.sampling", "engine.tokenizer", "hub")),
            Map.entry("api.rest", Set.of("engine.runtime", "engine.sampling", "engine.tokenizer", "config")),
            Map.entry("api.ws", Set.of("engine.runtime", "engine.tokenizer", "config", "api.rest")),
            Map.entry("ops", Set.of("engine.runtime", "config")),
            Map.entry("config", Set.of("*")),
            Map.entry("cli", Set.of("*")),
            Map.entry("bench", Set.of("*")),
            Map.entry("", Set.of("*")));

    private static final List<String> FRAMEWORKS = List.of("io.quarkus", "io.vertx", "jakarta.",
            "org.eclipse.microprofile", "io.smallrye", "dev.langchain4j", "io.micrometer", "org.jboss");

    /** Logging APIs the library layers must not use (they log through System.Logger; the application picks). */
    private static final List<String> LOGGING_APIS = List.of("java.util.logging", "org.jboss.logging",
            "org.jboss.logmanager", "org.slf4j", "org.apache.logging", "org.apache.commons.logging", "ch.qos.logback");

    private static final Pattern PROJECT_REF = Pattern.compile("dev\\.neox4j\\.([a-z0-9_.]+?)\\.[A-Z]");

    private static List<Path> sources;

    @BeforeAll
    static void scan() throws IOException {
        try (Stream<Path> s = Files.walk(MAIN)) {
            sources = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static String layerOf(Path file) {
        String pkg = MAIN.relativize(file.getParent()).toString().replace('/', '.');
        return pkg;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Strips comments so that Javadoc may mention any package. */
    private static String code(String text) {
        return text.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("(?m)//.*$", "");
    }

    @Test
    void layersReferenceOnlyWhatTheyMay() {
        List<String> violations = new ArrayList<>();
        for (Path f : sources) {
            String layer = layerOf(f);
            Set<String> allowed = ALLOWED.get(layer);
            if (allowed == null) {
                violations.add(f + ": package dev.neox4j." + layer + " is not in the architecture");
                continue;
            }
            if (allowed.contains("*")) {
                continue;
            }
            Matcher m = PROJECT_REF.matcher(code(read(f)));
            while (m.find()) {
                String ref = m.group(1);
                if (!ref.equals(layer) && !allowed.contains(ref)) {
                    violations.add(f + ": " + layer + " references dev.neox4j." + ref);
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void engineIsAPlainLibrary() {
        List<String> violations = new ArrayList<>();
        for (Path f : sources) {
            String layer = layerOf(f);
            if (!layer.startsWith("engine") && !layer.equals("langchain4j") && !layer.equals("hub")) {
                continue;
            }
            String code = code(read(f));
            for (String api : LOGGING_APIS) {
                if (code.contains(api + ".")) {
                    violations.add(f + " uses " + api + " (log through System.Logger)");
                }
            }
            for (String fw : FRAMEWORKS) {
                if (layer.equals("langchain4j") && fw.equals("dev.langchain4j")) {
                    continue;
                }
                if (code.contains("import " + fw) || code.contains("import static " + fw)) {
                    violations.add(f + " imports " + fw);
                }
            }
            if (code.contains("jdk.incubator.vector") && !layer.equals("engine.tensor.kernel")) {
                violations.add(f + " uses the Vector API outside engine.tensor.kernel");
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void noWorkOnTheCommonPool() {
        for (Path f : sources) {
            String code = code(read(f));
            assertFalse(code.contains("parallelStream(") || code.contains("commonPool(")
                    || code.contains(".parallel()"), f + " uses the common ForkJoin pool");
        }
    }

    /**
     * The server rejects any {@code neox.*} key its configuration does not declare (a typo must not go unnoticed), so
     * a JVM switch read with {@code System.getProperty} by the library layers lives under {@code neox4j.*}: a
     * {@code -Dneox.kernels.q4-pairs=false} stopped the server at start with "does not map to any root".
     */
    @Test
    void libraryJvmSwitchesStayOutOfTheConfigNamespace() {
        Pattern switchRead = Pattern.compile("System\\.getProperty\\(\\s*\"neox\\.");
        List<String> violations = new ArrayList<>();
        for (Path f : sources) {
            String layer = layerOf(f);
            if (layer.startsWith("engine") || layer.equals("langchain4j") || layer.equals("hub")) {
                if (switchRead.matcher(read(f)).find()) {
                    violations.add(f + " reads a neox.* system property; name it neox4j.*");
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void filesStaySmallWithOneTopLevelType() {
        Pattern topLevel = Pattern.compile(
                "(?m)^(?:public |final |abstract |sealed |non-sealed |strictfp )*(?:class|interface|enum|record|@interface) ");
        List<String> violations = new ArrayList<>();
        for (Path f : sources) {
            String text = read(f);
            long lines = text.lines().count();
            if (lines > 1000) {
                violations.add(f + " has " + lines + " lines (split it)");
            }
            Matcher m = topLevel.matcher(code(text));
            int types = 0;
            while (m.find()) {
                types++;
            }
            if (types > 1) {
                violations.add(f + " declares " + types + " top-level types");
            }
        }
        assertEquals(List.of(), violations);
    }
}
