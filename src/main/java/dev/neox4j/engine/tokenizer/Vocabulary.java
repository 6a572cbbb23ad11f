package dev.neox4j.engine.tokenizer;

import dev.neox4j.engine.gguf.GgufFormatException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The validated vocabulary behind a {@link Tokenizer}: token texts and types, the token-to-piece bytes, the
 * string-to-id map, single-byte token ids, merge ranks and special ids. Immutable after {@link #build}.
 *
 * <p>Load rules (llama.cpp's, with stricter checks where llama.cpp would crash or read out of bounds):
 * <ul>
 *   <li>{@code tokenizer.ggml.model} must be {@code gpt2}; {@code tokens} and {@code merges} must be present;</li>
 *   <li>{@code token_type}, when present, must have one entry per token; codes outside 0..6 count as
 *       UNDEFINED (as in llama.cpp); when absent all tokens are NORMAL;</li>
 *   <li>an empty token text becomes {@code [EMPTY_<id>]} (warning); a duplicate text is refused;</li>
 *   <li>a merge is split at the first space at or after index 1; a merge without such a space, or whose parts
 *       or concatenation are not tokens, can never fire in a consistent vocabulary and is skipped (one summary
 *       warning). A repeated pair keeps its first (lowest) rank;</li>
 *   <li>special ids: an id outside the vocabulary is ignored with a warning and the default kept. Defaults:
 *       BOS and EOS = the id of {@code <|endoftext|>} when that token exists, else none; UNK and PAD none.
 *       ({@code add_bos_token} true without a BOS id is refused.)</li>
 *   <li>a token whose text is {@code <|endoftext|>} is end-of-generation and is treated as CONTROL even if
 *       the file says otherwise (llama.cpp does the same).</li>
 * </ul>
 */
final class Vocabulary {

    static final int ATTR_UNKNOWN = 1;
    static final int ATTR_UNUSED = 2;
    static final int ATTR_NORMAL = 4;
    static final int ATTR_CONTROL = 8;
    static final int ATTR_USER_DEFINED = 16;
    static final int ATTR_BYTE = 32;

    static final String END_OF_TEXT = "<|endoftext|>";

    /** {@code tokenizer.ggml.pre} values that select the GPT-2 regex in llama.cpp with no other behaviour change. */
    static final Set<String> GPT2_PRE_TYPES = Set.of(
            "gpt-2", "mpt", "olmo", "jais", "phi-2", "gigachat", "a.x-4.0", "mellum", "exaone4",
            "jina-es", "jina-de", "jina-v1-en", "jina-v2-es", "jina-v2-de", "jina-v2-code", "roberta-bpe",
            "modern-bert");

    private static final System.Logger LOG = System.getLogger(Tokenizer.class.getName());

    final String preTokenizer;
    final String[] texts;
    final TokenType[] types;
    final byte[] attrs;
    /** Piece bytes with special rendering (llama.cpp's token-to-piece cache); special ones are hidden by default. */
    final byte[][] pieces;
    final Map<String, Integer> idOf;
    final int[] byteToken;
    final MergeTable merges;
    final int bosId;
    final int eosId;
    final int unkId;
    final int padId;
    final boolean addBos;
    final boolean addEos;
    final boolean[] endOfGeneration;

    private Vocabulary(String preTokenizer, String[] texts, TokenType[] types, byte[] attrs, byte[][] pieces,
                       Map<String, Integer> idOf, int[] byteToken, MergeTable merges, int bosId, int eosId,
                       int unkId, int padId, boolean addBos, boolean addEos, boolean[] endOfGeneration) {
        this.preTokenizer = preTokenizer;
        this.texts = texts;
        this.types = types;
        this.attrs = attrs;
        this.pieces = pieces;
        this.idOf = idOf;
        this.byteToken = byteToken;
        this.merges = merges;
        this.bosId = bosId;
        this.eosId = eosId;
        this.unkId = unkId;
        this.padId = padId;
        this.addBos = addBos;
        this.addEos = addEos;
        this.endOfGeneration = endOfGeneration;
    }

    int size() {
        return texts.length;
    }

    static Vocabulary build(TokenizerSpec spec) {
        if (spec.model() == null) {
            throw new GgufFormatException("tokenizer: missing " + TokenizerSpec.KEY_MODEL
                    + " (the file carries no tokenizer)");
        }
        if (!spec.model().equals("gpt2")) {
            throw new GgufFormatException("tokenizer: unsupported " + TokenizerSpec.KEY_MODEL + " '" + spec.model()
                    + "'; only 'gpt2' (byte-level BPE, as used by GPT-NeoX / Pythia) is supported");
        }
        String pre = checkPre(spec.pre());
        String[] raw = spec.tokens();
        if (raw == null || raw.length == 0) {
            throw new GgufFormatException("tokenizer: missing or empty " + TokenizerSpec.KEY_TOKENS);
        }
        int n = raw.length;
        int[] codes = spec.tokenTypes();
        if (codes != null && codes.length != n) {
            throw new GgufFormatException("tokenizer: " + TokenizerSpec.KEY_TOKEN_TYPE + " has " + codes.length
                    + " entries but " + TokenizerSpec.KEY_TOKENS + " has " + n);
        }
        if (spec.merges() == null) {
            throw new GgufFormatException("tokenizer: missing " + TokenizerSpec.KEY_MERGES
                    + " (required for a 'gpt2' tokenizer)");
        }

        String[] texts = new String[n];
        TokenType[] types = new TokenType[n];
        byte[] attrs = new byte[n];
        Map<String, Integer> idOf = HashMap.newHashMap(n);
        for (int id = 0; id < n; id++) {
            String t = raw[id];
            if (t == null || t.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "tokenizer: empty token at index {0}", id);
                t = "[EMPTY_" + id + "]";
            }
            Integer prev = idOf.putIfAbsent(t, id);
            if (prev != null) {
                throw new GgufFormatException("tokenizer: duplicate token in vocabulary: '" + printable(t)
                        + "' has ids " + prev + " and " + id);
            }
            texts[id] = t;
            types[id] = codes == null ? TokenType.NORMAL : TokenType.fromCode(codes[id]);
            attrs[id] = (byte) attrOf(types[id]);
        }
        Integer eot = idOf.get(END_OF_TEXT);
        if (eot != null && (attrs[eot] & ATTR_CONTROL) == 0) {
            LOG.log(System.Logger.Level.WARNING, "tokenizer: token {0} ''{1}'' is {2}, treating it as CONTROL",
                    eot, END_OF_TEXT, types[eot]);
            attrs[eot] |= ATTR_CONTROL;
        }

        int[] byteToken = new int[256];
        for (int b = 0; b < 256; b++) {
            Integer id = idOf.get(String.valueOf(ByteLevel.charOf(b)));
            byteToken[b] = id == null ? -1 : id;
        }

        MergeTable merges = buildMerges(spec.merges(), idOf);

        int defaultSpecial = eot == null ? -1 : eot;
        int bos = specialId(TokenizerSpec.KEY_BOS, spec.bosId(), defaultSpecial, n);
        int eos = specialId(TokenizerSpec.KEY_EOS, spec.eosId(), defaultSpecial, n);
        int unk = specialId(TokenizerSpec.KEY_UNK, spec.unkId(), -1, n);
        int pad = specialId(TokenizerSpec.KEY_PAD, spec.padId(), -1, n);
        int eotId = specialId(TokenizerSpec.KEY_EOT, spec.eotId(), -1, n);
        int eomId = specialId(TokenizerSpec.KEY_EOM, spec.eomId(), -1, n);
        boolean addBos = spec.addBos() != null && spec.addBos();
        boolean addEos = spec.addEos() != null && spec.addEos();
        if (addBos && bos < 0) {
            throw new GgufFormatException("tokenizer: " + TokenizerSpec.KEY_ADD_BOS + " is true, but "
                    + TokenizerSpec.KEY_BOS + " is not set");
        }
        if (addEos && eos < 0) {
            throw new GgufFormatException("tokenizer: " + TokenizerSpec.KEY_ADD_EOS + " is true, but "
                    + TokenizerSpec.KEY_EOS + " is not set");
        }
        boolean[] eog = new boolean[n];
        for (int id : new int[] {eos, eotId, eomId, eot == null ? -1 : eot}) {
            if (id >= 0) {
                eog[id] = true;
            }
        }

        byte[][] pieces = new byte[n][];
        for (int id = 0; id < n; id++) {
            pieces[id] = pieceOf(texts[id], attrs[id]);
        }
        return new Vocabulary(pre, texts, types, attrs, pieces, idOf, byteToken, merges, bos, eos, unk, pad,
                addBos, addEos, eog);
    }

    private static String checkPre(String pre) {
        if (pre == null || pre.equals("default")) {
            LOG.log(System.Logger.Level.WARNING, "tokenizer: " + (pre == null ? "missing " + TokenizerSpec.KEY_PRE
                    : TokenizerSpec.KEY_PRE + " is 'default'") + "; using the GPT-2 pre-tokenizer (right for "
                    + "GPT-NeoX/Pythia vocabularies; llama.cpp would use its 'default' splitter here and tokenize "
                    + "digits and punctuation differently)");
            return "gpt-2";
        }
        if (!GPT2_PRE_TYPES.contains(pre)) {
            throw new GgufFormatException("tokenizer: unsupported " + TokenizerSpec.KEY_PRE + " '" + pre
                    + "'; supported (GPT-2 regex): " + String.join(", ", GPT2_PRE_TYPES.stream().sorted().toList()));
        }
        return pre;
    }

    private static int attrOf(TokenType t) {
        return switch (t) {
            case UNKNOWN -> ATTR_UNKNOWN;
            case UNUSED -> ATTR_UNUSED;
            case NORMAL -> ATTR_NORMAL;
            case CONTROL -> ATTR_CONTROL;
            case USER_DEFINED -> ATTR_USER_DEFINED;
            case BYTE -> ATTR_BYTE;
            case UNDEFINED -> 0;
        };
    }

    private static MergeTable buildMerges(String[] merges, Map<String, Integer> idOf) {
        MergeTable table = new MergeTable(merges.length);
        int skipped = 0;
        int duplicates = 0;
        String firstSkipped = null;
        for (int rank = 0; rank < merges.length; rank++) {
            String m = merges[rank];
            int sp = m == null ? -1 : m.indexOf(' ', 1);
            Integer left = null;
            Integer right = null;
            Integer result = null;
            if (sp > 0) {
                String a = m.substring(0, sp);
                String b = m.substring(sp + 1);
                left = idOf.get(a);
                right = idOf.get(b);
                result = idOf.get(a + b);
            }
            if (left == null || right == null || result == null) {
                if (skipped++ == 0) {
                    firstSkipped = "rank " + rank + " '" + (m == null ? "null" : printable(m)) + "'";
                }
                continue;
            }
            if (!table.put(left, right, rank, result)) {
                duplicates++;
            }
        }
        if (skipped > 0) {
            LOG.log(System.Logger.Level.WARNING, "tokenizer: skipped {0} of {1} merges whose parts or result are not "
                    + "tokens of the vocabulary (first: {2}); they can never apply", skipped, merges.length,
                    firstSkipped);
        }
        if (duplicates > 0) {
            LOG.log(System.Logger.Level.WARNING, "tokenizer: {0} merges repeat an earlier pair; the first rank is kept",
                    duplicates);
        }
        return table;
    }

    private static int specialId(String key, Integer value, int def, int n) {
        if (value == null) {
            return def;
        }
        if (value < 0 || value >= n) {
            LOG.log(System.Logger.Level.WARNING, "tokenizer: bad special token: {0} = {1} is outside the vocabulary "
                    + "of {2} tokens; using {3}", key, Integer.toUnsignedString(value), n, def);
            return def;
        }
        return value;
    }

    /** llama.cpp's token_to_piece with special rendering: the bytes a token stands for. */
    private static byte[] pieceOf(String text, int attr) {
        if ((attr & (ATTR_UNKNOWN | ATTR_CONTROL | ATTR_USER_DEFINED)) != 0) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if ((attr & ATTR_NORMAL) != 0) {
            byte[] out = new byte[text.length()];
            int len = 0;
            for (int i = 0; i < text.length(); ) {
                int cp = text.codePointAt(i);
                i += Character.charCount(cp);
                int b = ByteLevel.byteOf(cp);
                if (b >= 0) {
                    out[len++] = (byte) b;
                } else {
                    // llama.cpp: "[UNK_BYTE_0x" + hex of the code point's UTF-8 + the token text + "]"
                    StringBuilder sb = new StringBuilder("[UNK_BYTE_0x");
                    for (byte u : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                        sb.append(String.format("%02x", u & 0xFF));
                    }
                    sb.append(text).append(']');
                    byte[] extra = sb.toString().getBytes(StandardCharsets.UTF_8);
                    if (len + extra.length > out.length) {
                        out = Arrays.copyOf(out, Math.max(out.length * 2, len + extra.length + text.length()));
                    }
                    System.arraycopy(extra, 0, out, len, extra.length);
                    len += extra.length;
                }
            }
            return Arrays.copyOf(out, len);
        }
        if ((attr & ATTR_BYTE) != 0 && text.length() == 6 && text.startsWith("<0x") && text.endsWith(">")) {
            try {
                return new byte[] {(byte) Integer.parseInt(text.substring(3, 5), 16)};
            } catch (NumberFormatException e) {
                return new byte[0];
            }
        }
        return new byte[0];
    }

    /** Whether a token is hidden unless special rendering is requested (CONTROL or UNKNOWN). */
    boolean hiddenByDefault(int id) {
        return (attrs[id] & (ATTR_UNKNOWN | ATTR_CONTROL)) != 0;
    }

    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().limit(80).forEach(cp -> {
            if (cp < 0x20 || cp == 0x7F) {
                sb.append(String.format("\\u%04X", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.toString();
    }
}
