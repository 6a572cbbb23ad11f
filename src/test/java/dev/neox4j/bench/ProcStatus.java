package dev.neox4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Memory figures of this process from {@code /proc/self/status} (Linux): resident set now ({@code VmRSS}), its
 * peak ({@code VmHWM}) and the split into anonymous memory (heap, KV cache) and file pages (the mapped GGUF).
 * Values are bytes; -1 when the file or the field is missing (not Linux).
 *
 * @param vmRss  resident set size
 * @param vmHwm  peak resident set size
 * @param rssAnon anonymous resident memory
 * @param rssFile resident file-backed memory (mapped weights, libraries)
 */
record ProcStatus(long vmRss, long vmHwm, long rssAnon, long rssFile) {

    private static final Path STATUS = Path.of("/proc/self/status");

    static ProcStatus read() {
        Map<String, Long> kb = new LinkedHashMap<>();
        try {
            List<String> lines = Files.readAllLines(STATUS);
            for (String l : lines) {
                int colon = l.indexOf(':');
                if (colon < 0 || !l.endsWith(" kB")) {
                    continue;
                }
                String v = l.substring(colon + 1, l.length() - 3).trim();
                kb.put(l.substring(0, colon), Long.parseLong(v));
            }
        } catch (IOException | NumberFormatException e) {
            return new ProcStatus(-1, -1, -1, -1);
        }
        return new ProcStatus(bytes(kb, "VmRSS"), bytes(kb, "VmHWM"), bytes(kb, "RssAnon"), bytes(kb, "RssFile"));
    }

    private static long bytes(Map<String, Long> kb, String key) {
        Long v = kb.get(key);
        return v == null ? -1 : v * 1024;
    }
}
