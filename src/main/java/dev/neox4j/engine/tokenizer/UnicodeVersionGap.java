package dev.neox4j.engine.tokenizer;

/**
 * Code points whose letter/number class in the running JDK's Unicode tables differs from llama.cpp's
 * (generated from an older Unicode version): llama.cpp treats them as unassigned, i.e. "other".
 */
final class UnicodeVersionGap {

    /** Sorted, disjoint inclusive ranges {@code [start0, end0, start1, end1, …]}. */
    private static final int[] RANGES = {};

    private UnicodeVersionGap() {
    }

    static boolean isUnassignedInLlamaCpp(int cp) {
        int lo = 0;
        int hi = RANGES.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (cp < RANGES[2 * mid]) {
                hi = mid - 1;
            } else if (cp > RANGES[2 * mid + 1]) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }
}
