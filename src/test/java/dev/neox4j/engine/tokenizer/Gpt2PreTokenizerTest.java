package dev.neox4j.engine.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The hand-written GPT-2 splitter against explicit expectations and against the regex it replaces. */
class Gpt2PreTokenizerTest {

    private static void check(String text, String... pieces) {
        assertEquals(List.of(pieces), Gpt2PreTokenizer.split(text), () -> "split of " + Vocabulary.printable(text));
    }

    @Test
    void wordsNumbersAndPunctuationTakeOneLeadingSpace() {
        check("Hello world", "Hello", " world");
        check("Hello, world!", "Hello", ",", " world", "!");
        check("ied 4 ½ months", "ied", " 4", " ½", " months");
        check("3333 333333333", "3333", " 333333333");
        check(" (", " (");
        check("\n =", "\n", " =");
        check("a1b2", "a", "1", "b", "2");
        check("x ...y", "x", " ...", "y");
    }

    @Test
    void contractionsAreCaseSensitive() {
        check("don't", "don", "'t");
        check("we're they've I'm you'll he'd it's", "we", "'re", " they", "'ve", " I", "'m", " you", "'ll", " he",
                "'d", " it", "'s");
        check("WE'RE", "WE", "'", "RE");
        check("I'M", "I", "'", "M");
        check("' era", "'", " era");
        check("'", "'");
        check("'r", "'", "r");
    }

    @Test
    void whitespaceRunsLeaveTheirLastCharacterForTheNextPiece() {
        check("a  b", "a", " ", " b");
        check("a   ", "a", "   ");
        check("\n\n\n", "\n\n\n");
        check("\t\n", "\t\n");
        check("x\t\ty", "x", "\t", "\t", "y");           // only U+0020 is an optional prefix
        check("x \t y", "x", " \t", " y");
        check("   ", "   ");
        check(" ", " ");
    }

    @Test
    void whitespaceIsLlamaCppsSetNotJavas() {
        check("a\u00a0b", "a", "\u00a0", "b");          // NBSP is whitespace (Java's isWhitespace says no)
        check("a \u00a0b", "a", " ", "\u00a0", "b");
        check("a\u200bb", "a", "\u200b", "b");          // ZERO WIDTH SPACE is "other", not whitespace
        check("a\u3000\u3000b", "a", "\u3000", "\u3000", "b");
        check("a\u001cb", "a", "\u001c", "b");          // FS: Java whitespace, llama.cpp "other"
        check("a\u0085b", "a", "\u0085", "b");
    }

    @Test
    void combiningMarksAreNotLetters() {
        check("Cafe\u0301s", "Cafe", "\u0301", "s");
        check("Cửa Việt", "Cửa", " Việt");
    }

    @Test
    void supplementaryCharactersStayWhole() {
        check(" this is 🦙.cpp", " this", " is", " 🦙.", "cpp");
        check("𝐀𝐁 𝟏𝟐", "𝐀𝐁", " 𝟏𝟐");                    // mathematical letters and digits
        check("a\uD83D\uDE00\uD83D\uDE00b", "a", "\uD83D\uDE00\uD83D\uDE00", "b");
    }

    @Test
    void unicode16LettersAreOtherLikeInLlamaCpp() {
        // U+1C89 CYRILLIC CAPITAL LETTER TJE is a letter in Unicode 16 but unassigned in llama.cpp's tables
        check("a\u1c89b", "a", "\u1c89", "b");
        check("\u1c89\u1c89.", "\u1c89\u1c89.");
    }

    @Test
    void agreesWithTheRegexOnRandomText() {
        RandomText gen = new RandomText(20240601L);
        for (int i = 0; i < 4000; i++) {
            String s = gen.next(24);
            assertEquals(ReferenceTokenizer.split(s), Gpt2PreTokenizer.split(s),
                    "case " + i + ": " + Vocabulary.printable(s));
        }
    }
}
