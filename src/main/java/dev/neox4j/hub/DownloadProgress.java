package dev.neox4j.hub;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Reports the progress of one download: a line on the console, redrawn a few times per second, when standard error
 * is a terminal; otherwise an INFO log line at intervals (bytes, rate and time left in both). Used by one
 * thread at a time.
 */
final class DownloadProgress {

    private static final System.Logger LOG = System.getLogger(DownloadProgress.class.getName());
    private static final long CONSOLE_INTERVAL_NANOS = 250_000_000L;
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final String name;
    private final long total;
    private final PrintStream console;
    private final long startNanos = System.nanoTime();
    private long startBytes = -1;
    private long done;
    private long lastReport;

    private DownloadProgress(String name, long total, PrintStream console) {
        this.name = name;
        this.total = total;
        this.console = console;
        this.lastReport = startNanos;
    }

    /** Progress of {@code name} ({@code total} bytes): on the console when there is a terminal, else in the log. */
    static DownloadProgress start(String name, long total) {
        java.io.Console c = System.console();
        boolean terminal = c != null && c.isTerminal();
        return new DownloadProgress(name, total, terminal ? System.err : null);
    }

    /** {@code bytes} are now on disk (also the bytes a resumed download starts from). */
    void update(long bytes) {
        if (startBytes < 0) {
            startBytes = bytes;
        }
        done = bytes;
        long now = System.nanoTime();
        if (now - lastReport >= (console != null ? CONSOLE_INTERVAL_NANOS : LOG_INTERVAL_NANOS)) {
            lastReport = now;
            report(false);
        }
    }

    /** The download ended (successfully or not). */
    void finish(boolean complete) {
        if (console != null) {
            report(true);
            console.println(complete ? "" : "  (stopped)");
        } else if (complete) {
            LOG.log(System.Logger.Level.INFO, "Downloaded {0}: {1} in {2}", name, bytes(done),
                    duration((System.nanoTime() - startNanos) / 1_000_000_000L));
        }
    }

    private void report(boolean last) {
        double seconds = Math.max(1e-3, (System.nanoTime() - startNanos) / 1e9);
        double rate = Math.max(0, done - Math.max(0, startBytes)) / seconds;
        String eta = rate > 0 && total > done ? duration((long) ((total - done) / rate)) : "--:--";
        String line = String.format(Locale.ROOT, "%s  %s / %s  %s/s  ETA %s", name, bytes(done), bytes(total),
                bytes((long) rate), last ? "0:00" : eta);
        if (console != null) {
            console.print("\r" + line + "   ");
            console.flush();
        } else {
            LOG.log(System.Logger.Level.INFO, "Downloading {0}", line);
        }
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String duration(long seconds) {
        long h = seconds / 3600;
        long m = (seconds % 3600) / 60;
        long s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
    }
}
