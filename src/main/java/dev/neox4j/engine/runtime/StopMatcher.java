package dev.neox4j.engine.runtime;

import java.util.List;

/**
 * Finds stop strings in a stream of generated text pieces, across piece (token) boundaries, and decides how
 * much text may be emitted now: text that could be the beginning of a stop string is withheld until it is
 * either completed (the stop string and everything after it is dropped) or ruled out (then it is released).
 *
 * <p>Invariant: the emitted text never ends with a proper prefix of a stop string that was still possible
 * when it was emitted, so a stop string can only start inside the withheld text, and searching the withheld
 * text is enough. Not thread-safe: one per sequence.
 */
final class StopMatcher {
    private final String[] stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    StopMatcher(List<String> stops) {
        this.stops = stops.stream().filter(s -> s != null && !s.isEmpty()).toArray(String[]::new);
    }

    /** Whether a stop string was found (further pushes return nothing). */
    boolean stopped() {
        return stopped;
    }

    /** Adds a piece of generated text and returns the text that can be emitted now (possibly empty). */
    String push(String piece) {
        if (stopped) {
            return "";
        }
        if (stops.length == 0) {
            return piece;
        }
        pending.append(piece);
        int first = -1;
        for (String s : stops) {
            int i = pending.indexOf(s);
            if (i >= 0 && (first < 0 || i < first)) {
                first = i;
            }
        }
        if (first >= 0) {
            stopped = true;
            String out = pending.substring(0, first);
            pending.setLength(0);
            return out;
        }
        int keep = longestStopPrefixSuffix();
        int emit = pending.length() - keep;
        String out = pending.substring(0, emit);
        pending.delete(0, emit);
        return out;
    }

    /** The end of the text: releases whatever was withheld (it did not become a stop string). */
    String finish() {
        String out = stopped ? "" : pending.toString();
        pending.setLength(0);
        return out;
    }

    /** Text currently withheld. */
    String withheld() {
        return pending.toString();
    }

    /** Length of the longest suffix of {@code pending} that is a proper prefix of some stop string. */
    private int longestStopPrefixSuffix() {
        int n = pending.length();
        int best = 0;
        for (String s : stops) {
            int max = Math.min(n, s.length() - 1);
            for (int len = max; len > best; len--) {
                if (regionMatches(n - len, s, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }

    private boolean regionMatches(int start, String s, int len) {
        for (int i = 0; i < len; i++) {
            if (pending.charAt(start + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
