package dev.neox4j;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Gives a plain {@code java -jar quarkus-run.jar} the recommended JVM options ({@link #OPTIONS}, the same as the
 * containers' {@code JDK_JAVA_OPTIONS}) by starting the server once more in a child JVM that has them.
 *
 * <p>Why: on the JVM's defaults (G1, a quarter of physical memory as maximum heap) the heap of a loaded server
 * grows by several hundred MB while it serves, although the forward pass does not allocate and the KV cache lives
 * outside the heap; G1's manageable flags ({@code MaxHeapFreeRatio}, {@code SoftMaxHeapSize}, a
 * {@code System.gc()} after load) did not shrink it back (measured, BENCHMARKS.md "Resident memory of a plain
 * start"). The collector and the young generation's size can only be chosen when a JVM starts.
 *
 * <p>The rule: the server (no command argument) started with {@code -jar} and without any {@code -X...}
 * option or agent of its own (on the command line, in {@code JDK_JAVA_OPTIONS} or {@code JAVA_TOOL_OPTIONS}) is
 * started again as {@code java <its options> <OPTIONS> -Dneox4j.relaunch=false -Dneox4j.launcher-pid=<pid> -jar
 * <jar> <args>} with standard input, output and error inherited. This JVM then only waits: it exits with the
 * child's status, and SIGTERM or SIGINT to it is passed to the child (whose graceful shutdown it waits for); the
 * child stops by itself when this JVM disappears without doing so (killed with SIGKILL). Any {@code -X} option
 * (e.g. {@code -XX:+UseG1GC} or {@code -Xmx8g}) means the user chose the JVM's settings, and
 * {@code -Dneox4j.relaunch=false} turns the relaunch off without choosing any.
 *
 * <p>Compiled for Java 17 with {@link Launcher} (it runs before the Java version check's verdict matters).
 */
public final class JvmRelaunch {

    /** The recommended options: those of {@code Dockerfile.jvm} and {@code kubernetes/deployment.yaml}. */
    public static final List<String> OPTIONS = List.of(
            "-XX:MaxRAMPercentage=10", "-XX:+UseParallelGC", "-Xmn64m", "-XX:+ExitOnOutOfMemoryError");

    /** System property that turns the relaunch off ({@code false}); the child gets it too, so it never recurses. */
    public static final String SWITCH = "neox4j.relaunch";

    /** System property of the child: the process id of the JVM that started it and waits for it. */
    public static final String LAUNCHER_PID = "neox4j.launcher-pid";

    private JvmRelaunch() {
    }

    /**
     * The child's command line, or {@code null} when this JVM should serve itself.
     *
     * @param jvmArgs     this JVM's options as the runtime reports them (including {@code JDK_JAVA_OPTIONS})
     * @param toolOptions the {@code JAVA_TOOL_OPTIONS} environment variable, or null
     * @param javaCommand the {@code sun.java.command} property: the jar (with {@code -jar}) or main class, then args
     * @param classPath   the {@code java.class.path} property
     * @param relaunch    the {@value #SWITCH} property, or null
     */
    static List<String> command(String java, List<String> jvmArgs, String toolOptions, String javaCommand,
                                String classPath, String relaunch, long pid, String[] args) {
        if (args.length > 0 || "false".equalsIgnoreCase(relaunch) || classPath == null || javaCommand == null
                || !classPath.endsWith(".jar") || classPath.contains(File.pathSeparator)
                || !(javaCommand.equals(classPath) || javaCommand.startsWith(classPath + " "))) {
            return null; // a command, switched off, or not started with -jar (tests, dev mode, an IDE)
        }
        for (String a : jvmArgs) {
            if (chosen(a)) {
                return null;
            }
        }
        if (toolOptions != null) {
            for (String a : toolOptions.trim().split("\\s+")) {
                if (chosen(a)) {
                    return null;
                }
            }
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmArgs);
        cmd.addAll(OPTIONS);
        cmd.add("-D" + SWITCH + "=false");
        cmd.add("-D" + LAUNCHER_PID + "=" + pid);
        cmd.add("-jar");
        cmd.add(classPath);
        return cmd;
    }

    /** Whether a JVM option sets something the recommended options would (any -X option, an agent). */
    private static boolean chosen(String option) {
        return option.startsWith("-X") || option.startsWith("-agent") || option.startsWith("-javaagent");
    }

    /**
     * Starts the server in a child JVM with the recommended options when {@link #command} says so, waits for it
     * and exits with its status (never returns then); otherwise returns and this JVM serves. In a child, arms the
     * watch that stops it when its launcher is gone.
     */
    static void relaunchIfPlain(String[] args) {
        String launcher = System.getProperty(LAUNCHER_PID);
        if (launcher != null) {
            watch(Long.parseLong(launcher));
            return;
        }
        List<String> cmd;
        try {
            cmd = command(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                    ManagementFactory.getRuntimeMXBean().getInputArguments(), System.getenv("JAVA_TOOL_OPTIONS"),
                    System.getProperty("sun.java.command"), System.getProperty("java.class.path"),
                    System.getProperty(SWITCH), ProcessHandle.current().pid(), args);
        } catch (RuntimeException | LinkageError e) {
            return; // no management module (a jlink'ed runtime): serve as started
        }
        if (cmd == null) {
            return;
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        Map<String, String> env = pb.environment();
        env.remove("JDK_JAVA_OPTIONS"); // already among this JVM's options, which the child gets
        Process child;
        try {
            child = pb.start();
        } catch (java.io.IOException e) {
            System.err.println("neox4j: could not start a JVM with the recommended options (" + e.getMessage()
                    + "); serving on this JVM's defaults");
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (child.isAlive()) {
                child.destroy(); // SIGTERM: the child drains and stops
            }
            // the status of a JVM stopped by a signal would be 128 + signal; the child's is what happened
            Runtime.getRuntime().halt(awaitExit(child));
        }, "neox-relaunch-stop"));
        System.exit(awaitExit(child));
    }

    private static int awaitExit(Process child) {
        while (true) {
            try {
                return child.waitFor();
            } catch (InterruptedException e) {
                // keep waiting: leaving would orphan the child
            }
        }
    }

    /** Stops this JVM (gracefully) when the launcher that waits for it is gone. */
    private static void watch(long launcherPid) {
        ProcessHandle.of(launcherPid).ifPresentOrElse(
                p -> p.onExit().thenRun(() -> System.exit(1)),
                () -> System.exit(1));
    }
}
