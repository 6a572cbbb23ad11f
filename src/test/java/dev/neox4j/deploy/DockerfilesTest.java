package dev.neox4j.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads {@code Dockerfile.jvm} and {@code Dockerfile.native} and checks what the README promises about them: the
 * build and run images, the non-root user, the JVM and native-image options the Vector and FFM APIs need, the
 * read-only model location, heap sizing and the exposed port. No Docker engine exists here, so the images are
 * not built by the tests.
 */
class DockerfilesTest {

    private static Dockerfile jvm() throws IOException {
        return Dockerfile.read(Path.of("Dockerfile.jvm"));
    }

    private static Dockerfile nativeImage() throws IOException {
        return Dockerfile.read(Path.of("Dockerfile.native"));
    }

    @Test
    void jvmImageBuildsWithTheWrapperOnAJdkAndRunsOnAJre() throws IOException {
        Dockerfile d = jvm();
        assertEquals(2, d.stages().size(), "multi-stage");
        Dockerfile.Stage build = d.stages().getFirst();
        assertEquals("eclipse-temurin:25-jdk", build.image());
        assertTrue(build.all("RUN").stream().anyMatch(r -> r.arguments().contains("./mvnw")
                && r.arguments().contains(" package") && r.arguments().contains("-DskipTests")), "builds with ./mvnw package");
        assertEquals("eclipse-temurin:25-jre", d.finalStage().image());
        assertTrue(d.finalStage().all("COPY").stream().allMatch(c -> c.arguments().contains("--from=" + build.alias())),
                "the run stage only copies build output");
    }

    @Test
    void buildContextContainsWhatTheBuildStageCopies() throws IOException {
        for (Dockerfile d : List.of(jvm(), nativeImage())) {
            for (Dockerfile.Instruction copy : d.stages().getFirst().all("COPY")) {
                String[] words = copy.arguments().split("\\s+");
                for (int i = 0; i < words.length - 1; i++) {
                    if (!words[i].startsWith("--")) {
                        assertTrue(Files.exists(Path.of(words[i])), d.path() + " copies " + words[i]);
                    }
                }
            }
        }
        String ignored = Files.readString(Path.of(".dockerignore"));
        assertTrue(ignored.lines().anyMatch(l -> l.strip().equals("target/")), "target/ is not sent to the builder");
        assertTrue(ignored.lines().noneMatch(l -> l.strip().equals("src/") || l.strip().equals("pom.xml")));
    }

    @Test
    void jvmImageRunsAsNonRootWithTheVectorModuleAndTheModelUnderModels() throws IOException {
        Dockerfile d = jvm();
        String user = d.finalStage().last("USER").orElseThrow().arguments();
        assertTrue(user.matches("\\d+(:\\d+)?"), "numeric user so runAsNonRoot can verify it: " + user);
        assertNotEquals("0", user.split(":")[0]);
        List<String> entrypoint = d.entrypoint();
        assertEquals("java", entrypoint.getFirst());
        assertTrue(String.join(" ", entrypoint).contains("--add-modules jdk.incubator.vector"));
        assertTrue(entrypoint.contains("--enable-native-access=ALL-UNNAMED"));
        assertEquals("/models/model.gguf", d.env("NEOX_MODEL").orElseThrow());
    }

    @Test
    void jvmHeapIsSizedFromTheContainerLeavingRoomForThePageCache() throws IOException {
        Dockerfile d = jvm();
        String options = d.env("JDK_JAVA_OPTIONS").orElseThrow(() -> new AssertionError("JDK_JAVA_OPTIONS"));
        Matcher m = Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)").matcher(options);
        assertTrue(m.find(), options);
        double percent = Double.parseDouble(m.group(1));
        assertTrue(percent > 0 && percent <= 50, "heap share " + percent);
        assertTrue(!options.contains("-Xmx"), "a fixed -Xmx would ignore the container limit");
        String text = Files.readString(d.path());
        assertTrue(text.contains("page cache"), "the reason is explained in a comment");
    }

    @Test
    void bothImagesExposeTheApplicationPort() throws IOException {
        String port = String.valueOf(AppConfig.load().httpPort());
        for (Dockerfile d : List.of(jvm(), nativeImage())) {
            assertTrue(d.finalStage().all("EXPOSE").stream().anyMatch(e -> e.arguments().split("[\\s/]")[0].equals(port)),
                    d.path() + " exposes " + port);
        }
    }

    @Test
    void nativeImageUsesAMandrel25BuilderWithTheVectorAndFfmOptions() throws IOException {
        Dockerfile d = nativeImage();
        Dockerfile.Stage build = d.stages().getFirst();
        assertTrue(build.image().contains("mandrel") && build.image().endsWith("jdk-25"), build.image());
        String run = String.join("\n", build.all("RUN").stream().map(Dockerfile.Instruction::arguments).toList());
        for (String option : List.of("-Dquarkus.native.enabled=true", "--add-modules=jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-H:+ForeignAPISupport", "-H:+SharedArenaSupport",
                "-H:+UnlockExperimentalVMOptions", "-H:+VectorAPISupport")) {
            assertTrue(run.contains(option), "native build passes " + option);
        }
    }

    @Test
    void nativeImageFallsBackToScalarKernelsAndRunsAsNonRoot() throws IOException {
        Dockerfile d = nativeImage();
        String runImage = d.finalStage().image();
        assertTrue(runImage.contains("ubi-minimal") || runImage.contains("distroless"), runImage);
        Matcher kernels = Pattern.compile("(?m)^ARG NEOX_KERNELS=(\\S+)").matcher(Files.readString(d.path()));
        assertTrue(kernels.find(), "NEOX_KERNELS build argument");
        assertEquals("scalar", kernels.group(1), "scalar kernels unless the Vector API was compiled in");
        assertEquals("${NEOX_KERNELS}", d.env("NEOX_KERNELS").orElseThrow());
        String user = d.finalStage().last("USER").orElseThrow().arguments();
        assertTrue(user.matches("\\d+(:\\d+)?") && !user.startsWith("0"), user);
        assertEquals("/models/model.gguf", d.env("NEOX_MODEL").orElseThrow());
    }

    @Test
    void dockerfileReaderRejectsWhatItCannotRead() {
        assertThrows(AssertionError.class, () -> Dockerfile.execForm("java -jar app.jar"));
        assertEquals(List.of("a", "b c", "d\"e"), Dockerfile.execForm("[\"a\", \"b c\",\"d\\\"e\"]"));
    }
}
