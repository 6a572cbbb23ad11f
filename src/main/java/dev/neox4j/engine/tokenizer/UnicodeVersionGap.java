package dev.neox4j.engine.tokenizer;

/**
 * Code points whose letter/number class differs between the JDK's Unicode tables and llama.cpp's.
 *
 * <p>llama.cpp's {@code unicode-data.cpp} is generated from Unicode 15.1 (it has CJK Extension I, added in
 * 15.1, but none of the 16.0 additions); Java 25 implements Unicode 16.0. The only code points whose
 * pre-tokenizer class differs are the letters and numbers new in Unicode 16.0 (Todhri, Garay, Tulu-Tigalari,
 * Sunuwar, Gurung Khema, Kirat Rai, Ol Onal, Egyptian Hieroglyphs Extended-A, Myanmar Extended-C digits, outlined
 * digits and a few Latin/Cyrillic/Arabic/Khitan letters): llama.cpp sees them as unassigned, i.e. "other", and so
 * does this tokenizer. (Derived by comparing the JDK's general categories with llama.cpp's flag table; no other
 * code point differs in its letter/number/other class.)
 */
final class UnicodeVersionGap {

    /** Sorted, disjoint inclusive ranges {@code [start0, end0, start1, end1, …]}. */
    private static final int[] RANGES = {
            0x01C89, 0x01C8A,
            0x0A7CB, 0x0A7CD,
            0x0A7DA, 0x0A7DC,
            0x105C0, 0x105F3,
            0x10D40, 0x10D65,
            0x10D6F, 0x10D85,
            0x10EC2, 0x10EC4,
            0x11380, 0x11389,
            0x1138B, 0x1138B,
            0x1138E, 0x1138E,
            0x11390, 0x113B5,
            0x113B7, 0x113B7,
            0x113D1, 0x113D1,
            0x113D3, 0x113D3,
            0x116D0, 0x116E3,
            0x11BC0, 0x11BE0,
            0x11BF0, 0x11BF9,
            0x13460, 0x143FA,
            0x16100, 0x1611D,
            0x16130, 0x16139,
            0x16D40, 0x16D6C,
            0x16D70, 0x16D79,
            0x18CFF, 0x18CFF,
            0x1CCF0, 0x1CCF9,
            0x1E5D0, 0x1E5ED,
            0x1E5F0, 0x1E5FA,
    };

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
