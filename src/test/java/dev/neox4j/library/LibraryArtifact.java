package dev.neox4j.library;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Where the build puts the library artifact (pom.xml: library-pom and library-jar, before the tests run). */
final class LibraryArtifact {

    static final Path DIR = Path.of("target/library");
    static final Path POM = DIR.resolve("pom.xml");

    private LibraryArtifact() {
    }

    /** The library jar ({@code sources == false}) or its sources jar. */
    static Path jar(boolean sources) throws IOException {
        if (!Files.isDirectory(DIR)) {
            throw new IllegalStateException(DIR + " is missing: the library is built by Maven's process-classes phase"
                    + " (run the tests through ./mvnw)");
        }
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(p -> p.getFileName().toString().startsWith("neox4j-langchain4j-"))
                    .filter(p -> p.getFileName().toString().endsWith(sources ? "-sources.jar" : ".jar"))
                    .filter(p -> sources || !p.getFileName().toString().endsWith("-sources.jar"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no library jar in " + DIR));
        }
    }
}
