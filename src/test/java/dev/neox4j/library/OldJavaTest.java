package dev.neox4j.library;

import dev.langchain4j.model.chat.ChatModel;
import dev.neox4j.engine.JavaVersionCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On Java 17-24 the service and the library say "neox4j needs Java 25 or newer; this is Java N". Run for real with
 * an older JDK found next to the running one (Debian's default OpenJDK 17, {@code /usr/lib/jvm}); the checks that
 * make it work (Java 17 class files, the launcher configured as the main class, the message) hold everywhere.
 */
class OldJavaTest {

    @Test
    void theMessageNamesTheRequiredAndTheRunningVersion() {
        assertEquals("neox4j needs Java 25 or newer; this is Java 17", JavaVersionCheck.problem(17));
        assertEquals("neox4j needs Java 25 or newer; this is Java 24", JavaVersionCheck.problem(24));
        assertNull(JavaVersionCheck.problem(25));
        assertNull(JavaVersionCheck.problem(26));
        JavaVersionCheck.require(); // this JVM is new enough
    }

    @Test
    void theServiceStartsThroughTheJava17Launcher() throws IOException {
        Properties app = new Properties();
        try (var in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            app.load(in);
        }
        assertEquals("dev.neox4j.Launcher", app.getProperty("quarkus.package.main-class"));
        assertEquals(ClassFile.JAVA_17_VERSION, majorVersion(Path.of("target/classes/dev/neox4j/Launcher.class")));
        assertEquals(ClassFile.JAVA_17_VERSION,
                majorVersion(Path.of("target/classes/dev/neox4j/engine/JavaVersionCheck.class")));
    }

    @Test
    void anOlderJvmGetsTheMessageFromTheServiceAndFromEveryModelBuilder(@TempDir Path dir) throws Exception {
        Optional<Path> old = olderJava();
        if (old.isEmpty()) {
            // no older JDK on this machine: the Java 17 class files are what an older JVM would load
            assertEquals(ClassFile.JAVA_17_VERSION, majorVersion(Path.of(
                    "target/classes/dev/neox4j/langchain4j/NeoxModelBase.class")));
            return;
        }
        Path java = old.get();
        int feature = feature(java);

        // the service's entry point, as quarkus-run.jar starts it
        Result service = run(List.of(java.toString(), "--add-modules", "jdk.incubator.vector", "-cp",
                "target/classes", "dev.neox4j.Launcher"));
        assertEquals(1, service.exit, service.output);
        assertTrue(service.output.contains("neox4j needs Java 25 or newer; this is Java " + feature), service.output);

        // an application compiled for Java 17 against the library jar, calling each model's builder
        Path src = Files.writeString(dir.resolve("App.java"), """
                public class App {
                    public static void main(String[] args) throws Exception {
                        for (String model : args) {
                            try {
                                Class.forName("dev.neox4j.langchain4j." + model).getMethod("builder").invoke(null);
                                System.out.println(model + ": no error");
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                System.out.println(model + ": " + e.getCause());
                            } catch (Throwable t) {
                                System.out.println(model + ": " + t);
                            }
                        }
                    }
                }
                """);
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17", "-d",
                dir.toString(), src.toString()));
        String cp = String.join(File.pathSeparator, dir.toString(),
                LibraryArtifact.jar(false).toString(), jarOf(ChatModel.class));
        List<String> models = List.of("NeoxChatModel", "NeoxStreamingChatModel", "NeoxLanguageModel",
                "NeoxStreamingLanguageModel");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", cp, "App"));
        command.addAll(models);
        Result library = run(command);
        for (String model : models) {
            assertTrue(library.output.contains(model + ": java.lang.UnsupportedClassVersionError: neox4j needs Java 25"
                    + " or newer; this is Java " + feature), library.output);
        }
    }

    /** The newest JDK older than 25 installed beside the running one, if any. */
    static Optional<Path> olderJava() throws IOException {
        Path jvms = Path.of(System.getProperty("java.home")).getParent();
        if (jvms == null || !Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.map(h -> h.resolve("bin/java")).filter(Files::isExecutable)
                    .filter(j -> {
                        int f = feature(j);
                        return f >= 17 && f < JavaVersionCheck.REQUIRED;
                    })
                    .max(Comparator.comparingInt(OldJavaTest::feature));
        }
    }

    /** The feature release of a JDK's {@code java} launcher (-1 when it cannot be told). */
    static int feature(Path java) {
        Path release = java.getParent().getParent().resolve("release");
        try {
            for (String line : Files.readAllLines(release)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(v.split("[.+-]")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static int majorVersion(Path classFile) throws IOException {
        return ClassFile.of().parse(Files.readAllBytes(classFile)).majorVersion();
    }

    private static String jarOf(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "process finished");
        return new Result(p.exitValue(), out.toString());
    }
}
