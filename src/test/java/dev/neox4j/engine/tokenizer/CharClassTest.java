package dev.neox4j.engine.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Character classes of the pre-tokenizer, including the Unicode-version gap to llama.cpp's tables. */
class CharClassTest {

    @Test
    void whitespaceIsExactlyLlamaCppsSet() {
        Set<Integer> ws = Set.of(0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002,
                0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F,
                0x3000);
        for (int cp = 0; cp <= 0x10FFFF; cp++) {
            assertEquals(ws.contains(cp), CharClass.of(cp) == CharClass.WHITESPACE, Integer.toHexString(cp));
        }
    }

    @Test
    void lettersAndNumbersFollowTheGeneralCategoryOutsideTheGap() {
        int gap = 0;
        for (int cp = 0; cp <= 0x10FFFF; cp++) {
            int t = Character.getType(cp);
            boolean letter = t == Character.UPPERCASE_LETTER || t == Character.LOWERCASE_LETTER
                    || t == Character.TITLECASE_LETTER || t == Character.MODIFIER_LETTER || t == Character.OTHER_LETTER;
            boolean number = t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER
                    || t == Character.OTHER_NUMBER;
            byte c = CharClass.of(cp);
            if (UnicodeVersionGap.isUnassignedInLlamaCpp(cp)) {
                assertEquals(CharClass.OTHER, c, Integer.toHexString(cp));
                if (letter || number) {
                    gap++;
                }
                continue;
            }
            byte expected = letter ? CharClass.LETTER : number ? CharClass.NUMBER
                    : CharClass.of(cp) == CharClass.WHITESPACE ? CharClass.WHITESPACE : CharClass.OTHER;
            assertEquals(expected, c, Integer.toHexString(cp));
        }
        // on a Unicode 16 JDK the gap holds the thousands of letters/numbers added in 16.0
        if (Character.getType(0x1C89) == Character.UPPERCASE_LETTER) {
            assertTrue(gap > 4000, "gap " + gap);
        }
    }

    @Test
    void unicode15LettersAreLetters() {
        assertEquals(CharClass.LETTER, CharClass.of(0x2EBF0));  // CJK Extension I (15.1)
        assertEquals(CharClass.LETTER, CharClass.of(0x31350));  // CJK Extension H (15.0)
        assertEquals(CharClass.LETTER, CharClass.of(0x11F04));  // Kawi (15.0)
        assertEquals(CharClass.NUMBER, CharClass.of(0x1E4F0));  // Nag Mundari digit (15.0)
        assertEquals(CharClass.NUMBER, CharClass.of('½'));
        assertEquals(CharClass.OTHER, CharClass.of(0x0301));
        assertEquals(CharClass.OTHER, CharClass.of(0xFFFD));
        assertEquals(CharClass.OTHER, CharClass.of(0x0378));    // unassigned
    }
}
