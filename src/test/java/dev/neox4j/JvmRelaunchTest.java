package dev.neox4j;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A plain {@code java -jar} start gets the recommended JVM options through a child JVM; a start with options of
 * its own, a command or the switch turned off does not start twice. The decision is checked on its inputs, the
 * mechanism on real JVMs: a jar whose main class ({@link RelaunchProbe}) relaunches like {@link Launcher} and
 * reports its collector, its options and its launcher's pid.
 */
class JvmRelaunchTest {

    private static final String JAR = "target/quarkus-app/quarkus-run.jar";
    private static final String JAVA = "/jdk/bin/java";

    private static List<String> decide(List<String> jvmArgs, String toolOptions, String javaCommand, String relaunch,
                                       String... args) {
        return JvmRelaunch.command(JAVA, jvmArgs, toolOptions, javaCommand, JAR, relaunch, 42, args);
    }

    @Test
    void aPlainJarStartIsRelaunchedWithTheRecommendedOptionsAfterItsOwn() {
        List<String> own = List.of("--add-modules=jdk.incubator.vector", "-Dneox.model=m.gguf");
        List<String> cmd = decide(own, null, JAR, null);
        List<String> expected = new ArrayList<>();
        expected.add(JAVA);
        expected.addAll(own);
        expected.addAll(JvmRelaunch.OPTIONS);
        expected.addAll(List.of("-Dneox4j.relaunch=false", "-Dneox4j.launcher-pid=42", "-jar", JAR));
        assertEquals(expected, cmd);
        assertTrue(JvmRelaunch.OPTIONS.contains("-XX:+UseParallelGC"));
    }

    @Test
    void optionsOfTheUsersOwnCommandsTheSwitchOrAnotherMainClassKeepThisJvm() {
        List<String> vector = List.of("--add-modules=jdk.incubator.vector");
        for (String option : List.of("-Xmx8g", "-XX:+UseG1GC", "-Xlog:gc", "-XX:StartFlightRecording",
                "-agentlib:jdwp=transport=dt_socket", "-javaagent:x.jar")) {
            List<String> args = new ArrayList<>(vector);
            args.add(option);
            assertNull(decide(args, null, JAR, null), option);
            assertNull(decide(vector, " " + option + " -Dx=y", JAR, null), "JAVA_TOOL_OPTIONS " + option);
        }
        assertNull(decide(vector, null, JAR + " pull x", null, "pull", "x"), "a command");
        assertNull(decide(vector, null, JAR, "false"), "switched off");
        assertNull(decide(vector, null, "dev.neox4j.Launcher", null), "a main class, not -jar");
        assertNull(JvmRelaunch.command(JAVA, vector, null, "a.jar", "a.jar" + java.io.File.pathSeparator + "b.jar",
                null, 42, new String[0]), "a class path of several entries");
        assertNotNull(decide(vector, "-Dfile.encoding=UTF-8", JAR, "true"), "system properties choose no JVM option");
    }

    @Test
    void theContainersUseTheSameOptions() throws IOException {
        String options = String.join(" ", JvmRelaunch.OPTIONS);
        assertTrue(Files.readString(Path.of("Dockerfile.jvm")).contains("JDK_JAVA_OPTIONS=\"" + options + "\""),
                "Dockerfile.jvm sets " + options);
        assertTrue(Files.readString(Path.of("kubernetes/deployment.yaml")).contains("value: " + options),
                "kubernetes/deployment.yaml sets " + options);
    }

    @Test
    void aPlainStartRunsInAChildWithTheOptionsAndExitsWithItsStatus(@TempDir Path dir) throws Exception {
        Run run = start(jar(dir), "-Dprobe.mode=exit");
        String line = run.line();
        assertEquals(7, run.exit(), line);
        Matcher m = PROBE.matcher(line);
        assertTrue(m.find(), line);
        assertEquals(String.valueOf(run.process.pid()), m.group(2), "the child knows its launcher");
        assertFalse(m.group(1).equals(m.group(2)), "a second JVM serves");
        assertTrue(m.group(3).startsWith("PS "), "Parallel GC in the child: " + line);
        for (String option : JvmRelaunch.OPTIONS) {
            assertTrue(m.group(4).contains(option), option + " in " + line);
        }
        assertTrue(m.group(4).contains("-Dprobe.mode=exit"), "the launcher's own options are passed on: " + line);
        assertNull(run.nextLine(), "one JVM reported");
    }

    @Test
    void optionsOfItsOwnOrTheSwitchStartOnce(@TempDir Path dir) throws Exception {
        Path jar = jar(dir);
        for (String option : List.of("-Xmx256m", "-Dneox4j.relaunch=false")) {
            Run run = start(jar, "-Dprobe.mode=exit", option);
            String line = run.line();
            assertEquals(7, run.exit(), line);
            Matcher m = PROBE.matcher(line);
            assertTrue(m.find(), line);
            assertEquals(String.valueOf(run.process.pid()), m.group(1), option + ": the JVM started serves");
            assertEquals("null", m.group(2), line);
            assertFalse(m.group(3).startsWith("PS "), "the default collector stays: " + line);
            assertNull(run.nextLine(), "one JVM reported");
        }
    }

    @Test
    void sigtermToTheLauncherStopsTheChildGracefully(@TempDir Path dir) throws Exception {
        Run run = start(jar(dir), "-Dprobe.mode=wait");
        Matcher m = PROBE.matcher(run.line());
        assertTrue(m.find());
        ProcessHandle child = ProcessHandle.of(Long.parseLong(m.group(1))).orElseThrow();
        run.process.toHandle().destroy(); // SIGTERM (Process.destroy would close our end of its output)
        assertEquals("probe stopping", run.nextLine(), "the child ran its shutdown hooks");
        assertEquals(143, run.exit(), "the child's status (stopped by SIGTERM)");
        child.onExit().get(60, TimeUnit.SECONDS);
        assertFalse(child.isAlive());
    }

    @Test
    void theChildStopsWhenItsLauncherIsKilled(@TempDir Path dir) throws Exception {
        Run run = start(jar(dir), "-Dprobe.mode=wait");
        Matcher m = PROBE.matcher(run.line());
        assertTrue(m.find());
        ProcessHandle child = ProcessHandle.of(Long.parseLong(m.group(1))).orElseThrow();
        run.process.toHandle().destroyForcibly(); // SIGKILL: no hook runs in the launcher
        run.process.waitFor(60, TimeUnit.SECONDS);
        child.onExit().get(60, TimeUnit.SECONDS);
        assertFalse(child.isAlive(), "no orphaned server");
        assertEquals("probe stopping", run.nextLine(), "it stopped gracefully");
    }

    // ------------------------------------------------------------------ helpers

    private static final Pattern PROBE = Pattern.compile("probe pid=(\\d+) launcher=(\\S+) gc=(.*) options=(.*)");

    /** A jar whose only content is a manifest: main class {@link RelaunchProbe}, class path the build's classes. */
    private static Path jar(Path dir) throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.put(Attributes.Name.MAIN_CLASS, RelaunchProbe.class.getName());
        a.put(Attributes.Name.CLASS_PATH, Path.of("target/test-classes").toUri() + " "
                + Path.of("target/classes").toUri());
        Path jar = dir.resolve("probe.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, mf)) {
            j.flush();
        }
        return jar;
    }

    private static Run start(Path jar, String... options) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(options));
        cmd.add("-jar");
        cmd.add(jar.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        return new Run(pb.start());
    }

    /** A started launcher and the lines of its (and its child's) output. */
    private static final class Run {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Run(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        lines.add(l);
                    }
                } catch (IOException e) {
                    lines.add("read failed: " + e);
                }
                lines.add("<eof>");
            }, "relaunch-test-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** The first line that is not a JVM warning. */
        String line() throws InterruptedException {
            String l = nextLine();
            assertNotNull(l, "the probe printed nothing");
            return l;
        }

        /** The next output line, or null at the end of the output. */
        String nextLine() throws InterruptedException {
            while (true) {
                String l = lines.poll(120, TimeUnit.SECONDS);
                assertNotNull(l, "no output within 120 s");
                if ("<eof>".equals(l)) {
                    lines.add(l);
                    return null;
                }
                if (!l.startsWith("WARNING") && !l.startsWith("NOTE: Picked up")) {
                    return l;
                }
            }
        }

        int exit() throws InterruptedException {
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the launcher exited");
            return process.exitValue();
        }
    }
}
