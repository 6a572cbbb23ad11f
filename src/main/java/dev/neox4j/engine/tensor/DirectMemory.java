package dev.neox4j.engine.tensor;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/**
 * The JVM's direct-memory budget, which off-heap {@code Arena} allocations count against
 * ({@code -XX:MaxDirectMemorySize}, by default the maximum heap size). Checked before an optional off-heap copy so
 * that a full budget means "keep the original" rather than an {@link OutOfMemoryError} after the JDK's
 * garbage-collect-and-retry loop.
 */
final class DirectMemory {

    /** Left free for the rest of the process (buffers, small segments). */
    private static final long RESERVE = 64L << 20;

    private DirectMemory() {
    }

    /** Whether {@code bytes} more fit in the direct-memory budget, keeping {@link #RESERVE} free. */
    static boolean fits(long bytes) {
        long used = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if ("direct".equals(pool.getName())) {
                used = pool.getMemoryUsed();
            }
        }
        return used + bytes + RESERVE <= limit();
    }

    private static long limit() {
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:MaxDirectMemorySize=")) {
                return parseSize(arg.substring("-XX:MaxDirectMemorySize=".length()));
            }
        }
        return Runtime.getRuntime().maxMemory();
    }

    /** A HotSpot size ({@code 512m}, {@code 8g}, {@code 1073741824}). */
    static long parseSize(String s) {
        String v = s.trim().toLowerCase(java.util.Locale.ROOT);
        long unit = 1;
        char last = v.isEmpty() ? '0' : v.charAt(v.length() - 1);
        switch (last) {
            case 'k' -> unit = 1L << 10;
            case 'm' -> unit = 1L << 20;
            case 'g' -> unit = 1L << 30;
            case 't' -> unit = 1L << 40;
            default -> unit = 1;
        }
        String digits = unit == 1 ? v : v.substring(0, v.length() - 1);
        long n = Long.parseLong(digits);
        return n == 0 ? Runtime.getRuntime().maxMemory() : Math.multiplyExact(n, unit);
    }
}
