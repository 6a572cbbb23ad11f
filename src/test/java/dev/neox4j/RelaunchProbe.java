package dev.neox4j;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.stream.Collectors;

/**
 * A stand-in for the server behind {@link JvmRelaunch}, started from a jar by {@link JvmRelaunchTest}: relaunches
 * like {@link Launcher}, then prints what JVM it runs in. {@code -Dprobe.mode=exit} exits with status 7,
 * {@code wait} waits to be stopped (and says so when it is).
 */
public final class RelaunchProbe {

    private RelaunchProbe() {
    }

    public static void main(String[] args) throws InterruptedException {
        JvmRelaunch.relaunchIfPlain(args);
        String gc = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(","));
        System.out.println("probe pid=" + ProcessHandle.current().pid()
                + " launcher=" + System.getProperty(JvmRelaunch.LAUNCHER_PID)
                + " gc=" + gc
                + " options=" + ManagementFactory.getRuntimeMXBean().getInputArguments());
        System.out.flush();
        if ("exit".equals(System.getProperty("probe.mode"))) {
            System.exit(7);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("probe stopping")));
        Thread.sleep(Long.MAX_VALUE);
    }
}
