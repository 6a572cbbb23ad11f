package dev.neox4j.engine.tokenizer;

import dev.neox4j.engine.gguf.GgufMetadata;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deliberately naive, independent re-implementation of docs/tokenizer.md ("Encoding") used as a test oracle:
 * special tokens split one after another with {@link String#indexOf}, the GPT-2 regex run by
 * {@link java.util.regex}, and BPE on strings by repeatedly scanning for the lowest-rank, leftmost pair
 * (O(n²) per word). Only the byte-to-unicode table is shared with the production code.
 */
final class ReferenceTokenizer {

    private static final String WS = "\\t\\n\\x0B\\f\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}"
            + "\\x{202F}\\x{205F}\\x{3000}";

    /** Code points llama.cpp (Unicode 15.1) sees as unassigned but the JDK (Unicode 16) as letters/numbers. */
    private static final String GAP = "\\x{1C89}-\\x{1C8A}\\x{A7CB}-\\x{A7CD}\\x{A7DA}-\\x{A7DC}\\x{105C0}-\\x{105F3}"
            + "\\x{10D40}-\\x{10D65}\\x{10D6F}-\\x{10D85}\\x{10EC2}-\\x{10EC4}\\x{11380}-\\x{113D3}"
            + "\\x{116D0}-\\x{116E3}\\x{11BC0}-\\x{11BF9}\\x{13460}-\\x{143FA}\\x{16100}-\\x{16139}"
            + "\\x{16D40}-\\x{16D79}\\x{18CFF}\\x{1CCF0}-\\x{1CCF9}\\x{1E5D0}-\\x{1E5FA}";

    private static final String L = "[\\p{L}&&[^" + GAP + "]]";
    private static final String N = "[\\p{N}&&[^" + GAP + "]]";

    /** The full GPT-2 / Hugging Face ByteLevel regex with llama.cpp's whitespace set. */
    static final Pattern GPT2 = Pattern.compile("'s|'t|'re|'ve|'m|'ll|'d| ?" + L + "+| ?" + N + "+| ?[[^" + WS
            + "\\p{L}\\p{N}][" + GAP + "]]+|[" + WS + "]+(?![^" + WS + "])|[" + WS + "]+");

    private final String[] texts;
    private final int[] types;
    private final Map<String, Integer> ids = new HashMap<>();
    private final Map<String, Integer> ranks = new HashMap<>();
    private final List<Integer> candidates = new ArrayList<>();

    ReferenceTokenizer(GgufMetadata md) {
        texts = md.getStringArray("tokenizer.ggml.tokens");
        types = md.getIntArray("tokenizer.ggml.token_type");
        for (int i = 0; i < texts.length; i++) {
            ids.put(texts[i], i);
            if (types[i] == 2 || types[i] == 3 || types[i] == 4) {
                candidates.add(i);
            }
        }
        String[] merges = md.getStringArray("tokenizer.ggml.merges");
        for (int r = 0; r < merges.length; r++) {
            ranks.putIfAbsent(merges[r], r);
        }
        candidates.sort(Comparator.<Integer>comparingInt(
                i -> -texts[i].getBytes(StandardCharsets.UTF_8).length).thenComparingInt(i -> i));
    }

    int[] encode(String text, boolean parseSpecial) {
        // fragments: String = raw text, Integer = token id
        List<Object> frags = new ArrayList<>();
        if (!text.isEmpty()) {
            frags.add(text);
        }
        for (int id : candidates) {
            if (!parseSpecial && types[id] != 4) {
                continue;
            }
            String tok = texts[id];
            List<Object> out = new ArrayList<>();
            for (Object f : frags) {
                if (!(f instanceof String s)) {
                    out.add(f);
                    continue;
                }
                int from = 0;
                int m;
                while ((m = s.indexOf(tok, from)) >= 0) {
                    if (m > from) {
                        out.add(s.substring(from, m));
                    }
                    out.add(id);
                    from = m + tok.length();
                }
                if (from < s.length()) {
                    out.add(s.substring(from));
                }
            }
            frags = out;
        }
        List<Integer> result = new ArrayList<>();
        for (Object f : frags) {
            if (f instanceof Integer id) {
                result.add(id);
                continue;
            }
            for (String word : split((String) f)) {
                bpe(word, result);
            }
        }
        return result.stream().mapToInt(Integer::intValue).toArray();
    }

    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = GPT2.matcher(text);
        int last = 0;
        while (m.find()) {
            if (m.start() != last) {
                throw new IllegalStateException("regex skipped text at " + last);
            }
            out.add(m.group());
            last = m.end();
        }
        if (last != text.length()) {
            throw new IllegalStateException("regex left text at " + last);
        }
        return out;
    }

    private void bpe(String word, List<Integer> out) {
        List<String> sym = new ArrayList<>();
        for (byte b : word.getBytes(StandardCharsets.UTF_8)) {
            sym.add(String.valueOf(ByteLevel.charOf(b & 0xFF)));
        }
        while (true) {
            int best = -1;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < sym.size(); i++) {
                Integer r = ranks.get(sym.get(i) + " " + sym.get(i + 1));
                if (r != null && r < bestRank) {
                    bestRank = r;
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            sym.set(best, sym.get(best) + sym.remove(best + 1));
        }
        for (String s : sym) {
            Integer id = ids.get(s);
            if (id == null) {
                throw new IllegalStateException("no token for symbol " + s);
            }
            out.add(id);
        }
    }
}
