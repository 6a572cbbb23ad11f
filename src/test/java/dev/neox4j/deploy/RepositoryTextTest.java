package dev.neox4j.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The repository's own text stands on its own and is whole: no file under the sources, docs, bench tools, manifests
 * or the top-level documents holds a merge-conflict marker (one once slipped into BENCHMARKS.md with a merge), and
 * none points into the reference folder outside the repository ({@code ../shared}) that readers do not have.
 */
class RepositoryTextTest {

    private static final Pattern CONFLICT = Pattern.compile("(?m)^(<{7} |>{7} |={7}$)");
    private static final Pattern OUTSIDE = Pattern.compile("\\.\\./shared|/work/shared");

    @Test
    void noConflictMarkersAndNoPointersOutsideTheRepository() throws IOException {
        List<Path> files = textFiles();
        assertTrue(files.contains(Path.of("src/main/java/dev/neox4j/engine/tensor/kernel/package-info.java")),
                "the scan reaches the sources");
        List<String> problems = new ArrayList<>();
        for (Path p : files) {
            String text;
            try {
                text = Files.readString(p);
            } catch (MalformedInputException binary) {
                continue;
            }
            if (CONFLICT.matcher(text).find()) {
                problems.add(p + ": a merge-conflict marker");
            }
            if (OUTSIDE.matcher(text).find() && !p.endsWith("RepositoryTextTest.java")) {
                problems.add(p + ": points outside the repository");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    private static List<Path> textFiles() {
        List<Path> files = new ArrayList<>();
        for (String top : List.of("README.md", "BENCHMARKS.md", "pom.xml", "Dockerfile.jvm", "Dockerfile.native")) {
            if (Files.isRegularFile(Path.of(top))) {
                files.add(Path.of(top));
            }
        }
        for (String dir : List.of("src/main", "src/test/java", "docs", "bench", "kubernetes", ".ci")) {
            if (!Files.isDirectory(Path.of(dir))) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(Path.of(dir))) {
                walk.filter(Files::isRegularFile)
                        .filter(f -> !f.toString().contains("node_modules") && !f.toString().contains(".scratch"))
                        .filter(f -> f.toString().matches(".*\\.(java|md|properties|yaml|yml|html|js|mjs|css|sh|xml|json|txt)$")
                                || f.getFileName().toString().equals("run"))
                        .forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }
}
