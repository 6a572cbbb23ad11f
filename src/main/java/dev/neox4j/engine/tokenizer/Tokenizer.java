package dev.neox4j.engine.tokenizer;

import dev.neox4j.engine.gguf.GgufFormatException;
import dev.neox4j.engine.gguf.GgufMetadata;

import java.util.Objects;

/**
 * The GPT-NeoX byte-level BPE tokenizer read from GGUF metadata ({@code tokenizer.ggml.*}), token-for-token
 * identical to llama.cpp (and, for NFC text, to Hugging Face's {@code GPTNeoXTokenizerFast}).
 *
 * <h2>Encoding</h2>
 * <ol>
 *   <li>Lone surrogates in the input (invalid UTF-16) become U+FFFD, like llama.cpp's handling of invalid
 *       UTF-8.</li>
 *   <li>Special/added-token partition ({@link SpecialTokenSplitter}): USER_DEFINED tokens (the GPT-NeoX
 *       space runs, ids 50254–50276) are always split off first, longest first; CONTROL and UNKNOWN tokens
 *       such as {@code <|endoftext|>} only when {@code parseSpecial} is true.</li>
 *   <li>Each remaining raw fragment is split by the GPT-2 pre-tokenizer ({@link Gpt2PreTokenizer}), each
 *       piece is UTF-8 encoded, mapped byte-to-unicode ({@link ByteLevel}) and merged by BPE rank
 *       ({@link BpeSession}), with a bounded word cache ({@link WordCache}).</li>
 *   <li>BOS/EOS are added only by {@link #encode(String, boolean, boolean)} with {@code addSpecial} and only
 *       when the file's {@code add_bos_token}/{@code add_eos_token} say so (false for Pythia).</li>
 * </ol>
 *
 * <p><b>Pre-tokenizer choice.</b> {@code tokenizer.ggml.pre} values {@code gpt-2}, {@code mpt}, {@code olmo} and
 * the other names llama.cpp maps to the single GPT-2 regex are accepted. A missing key (older GGUF files) or
 * {@code default} also selects the GPT-2 pre-tokenizer, with a logged warning: that is what the GPT-NeoX
 * vocabulary was trained with and what Hugging Face uses, whereas llama.cpp falls back to its "default" splitter
 * there (which splits digit runs in threes and isolates punctuation). Any other value is refused.
 *
 * <p><b>No normalization.</b> Text is not normalized, for llama.cpp parity. The original EleutherAI
 * {@code tokenizer.json} declares an NFC normalizer, so Hugging Face tokenizes <em>decomposed</em> text (e.g.
 * {@code e} + U+0301) differently; callers wanting HF parity can apply
 * {@code java.text.Normalizer.normalize(text, Normalizer.Form.NFC)} first.
 *
 * <h2>Decoding</h2>
 * {@link #decodeRaw} concatenates the token bytes (lossless) and decodes them as UTF-8 with U+FFFD for invalid
 * sequences; {@link #decode} additionally applies llama.cpp's clean-up of spaces before punctuation and
 * contractions ({@link SpaceCleanup}). CONTROL/UNKNOWN tokens render as nothing unless {@code renderSpecial}
 * is set; UNUSED and UNDEFINED tokens always render as nothing. {@link StreamingDecoder} emits text
 * incrementally without ever splitting a character.
 *
 * <p>Instances are immutable apart from the internal word cache and are safe to share between threads.
 */
public final class Tokenizer {

    private final Vocabulary vocab;
    private final SpecialTokenSplitter splitter;
    private final WordCache cache = new WordCache(14);

    Tokenizer(Vocabulary vocab) {
        this.vocab = vocab;
        int n = vocab.size();
        int count = 0;
        for (int id = 0; id < n; id++) {
            if ((vocab.attrs[id] & (Vocabulary.ATTR_CONTROL | Vocabulary.ATTR_USER_DEFINED
                    | Vocabulary.ATTR_UNKNOWN)) != 0) {
                count++;
            }
        }
        int[] ids = new int[count];
        String[] texts = new String[count];
        boolean[] controlOrUnknown = new boolean[count];
        int k = 0;
        for (int id = 0; id < n; id++) {
            int a = vocab.attrs[id];
            if ((a & (Vocabulary.ATTR_CONTROL | Vocabulary.ATTR_USER_DEFINED | Vocabulary.ATTR_UNKNOWN)) != 0) {
                ids[k] = id;
                texts[k] = vocab.texts[id];
                controlOrUnknown[k] = (a & (Vocabulary.ATTR_CONTROL | Vocabulary.ATTR_UNKNOWN)) != 0;
                k++;
            }
        }
        this.splitter = new SpecialTokenSplitter(ids, texts, controlOrUnknown);
    }

    /** Builds a tokenizer from raw metadata values (validated as described in {@link Vocabulary}). */
    static Tokenizer fromSpec(TokenizerSpec spec) {
        return new Tokenizer(Vocabulary.build(spec));
    }

    /**
     * Reads vocabulary, token types, merges and special ids; refuses unknown models or pre-types.
     *
     * @throws GgufFormatException naming the file, key and defect when the metadata is unusable
     */
    public static Tokenizer fromGguf(GgufMetadata metadata) {
        Objects.requireNonNull(metadata, "metadata");
        try {
            return fromSpec(TokenizerSpec.read(metadata));
        } catch (GgufFormatException e) {
            String msg = e.getMessage();
            if (msg != null && msg.startsWith("tokenizer:")) {
                throw new GgufFormatException(metadata.source() + ": " + msg, e);
            }
            throw e;
        }
    }

    // ------------------------------------------------------------------ encoding

    /** Token ids for {@code text}; no BOS is added. {@code parseSpecial} matches control tokens in the text. */
    public int[] encode(String text, boolean parseSpecial) {
        return encode(text, false, parseSpecial);
    }

    /**
     * Token ids for {@code text}. With {@code addSpecial}, BOS/EOS are added when the model's
     * {@code add_bos_token}/{@code add_eos_token} flags ask for it (never for Pythia).
     */
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        Objects.requireNonNull(text, "text");
        char[] chars = text.toCharArray();
        String clean = replaceLoneSurrogates(chars) ? new String(chars) : text;
        EncodeRun run = new EncodeRun(chars, Math.max(8, chars.length / 3));
        if (addSpecial && vocab.addBos) {
            run.out.add(vocab.bosId);
        }
        splitter.partition(clean, chars, parseSpecial, run);
        if (addSpecial && vocab.addEos) {
            run.out.add(vocab.eosId);
        }
        return run.out.toArray();
    }

    /** One encode call: collects ids; BPE scratch is created on first use. */
    private final class EncodeRun implements SpecialTokenSplitter.Sink, Gpt2PreTokenizer.Sink {
        final char[] chars;
        final IntList out;
        BpeSession bpe;

        EncodeRun(char[] chars, int capacity) {
            this.chars = chars;
            this.out = new IntList(capacity);
        }

        @Override
        public void raw(int start, int end) {
            Gpt2PreTokenizer.split(chars, start, end, this);
        }

        @Override
        public void token(int id) {
            out.add(id);
        }

        @Override
        public void piece(char[] text, int start, int end) {
            if (end - start > WordCache.MAX_WORD_CHARS) {
                session().encode(text, start, end, out);
                return;
            }
            int h = WordCache.hash(text, start, end);
            int[] ids = cache.get(text, start, end, h);
            if (ids != null) {
                out.addAll(ids);
                return;
            }
            int mark = out.size();
            session().encode(text, start, end, out);
            cache.put(text, start, end, h, out.copyRange(mark, out.size()));
        }

        private BpeSession session() {
            if (bpe == null) {
                bpe = new BpeSession(vocab.merges, vocab.byteToken);
            }
            return bpe;
        }
    }

    /** Replaces every unpaired surrogate in {@code a} with U+FFFD; returns whether anything changed. */
    static boolean replaceLoneSurrogates(char[] a) {
        boolean changed = false;
        int n = a.length;
        for (int i = 0; i < n; i++) {
            char c = a[i];
            if (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE) {
                if (c <= Character.MAX_HIGH_SURROGATE && i + 1 < n && Character.isLowSurrogate(a[i + 1])) {
                    i++;
                } else {
                    a[i] = '\uFFFD';
                    changed = true;
                }
            }
        }
        return changed;
    }

    // ------------------------------------------------------------------ decoding

    /** Text of the ids as llama.cpp's detokenize gives it (with clean_up_tokenization_spaces). */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /**
     * Text of the ids as llama.cpp's {@code llama_detokenize} gives it: token bytes concatenated, spaces cleaned
     * up ({@link SpaceCleanup}), decoded as UTF-8 with U+FFFD for invalid sequences.
     *
     * @param renderSpecial render CONTROL/UNKNOWN tokens as their text (e.g. {@code <|endoftext|>})
     */
    public String decode(int[] ids, boolean renderSpecial) {
        ByteBuf buf = concat(ids, renderSpecial);
        int n = SpaceCleanup.apply(buf.bytes, buf.size);
        return Utf8Decoder.decode(buf.bytes, 0, n);
    }

    /** Lossless text of the ids (raw byte concatenation, invalid UTF-8 as U+FFFD), no clean-up. */
    public String decodeRaw(int[] ids) {
        return decodeRaw(ids, false);
    }

    /** Like {@link #decodeRaw(int[])}; {@code renderSpecial} renders CONTROL/UNKNOWN tokens as their text. */
    public String decodeRaw(int[] ids, boolean renderSpecial) {
        ByteBuf buf = concat(ids, renderSpecial);
        return Utf8Decoder.decode(buf.bytes, 0, buf.size);
    }

    private record ByteBuf(byte[] bytes, int size) {
    }

    private ByteBuf concat(int[] ids, boolean renderSpecial) {
        Objects.requireNonNull(ids, "ids");
        int total = 0;
        for (int i = 0; i < ids.length; i++) {
            checkId(ids[i], i);
            total += vocab.pieces[ids[i]].length;
        }
        byte[] out = new byte[total];
        int n = 0;
        for (int id : ids) {
            if (!renderSpecial && vocab.hiddenByDefault(id)) {
                continue;
            }
            byte[] p = vocab.pieces[id];
            System.arraycopy(p, 0, out, n, p.length);
            n += p.length;
        }
        return new ByteBuf(out, n);
    }

    /** Raw bytes of one token's piece (empty for control and unused tokens). */
    public byte[] tokenBytes(int id) {
        return tokenBytes(id, false);
    }

    /** Raw bytes of one token's piece; {@code renderSpecial} gives CONTROL/UNKNOWN tokens their text. */
    public byte[] tokenBytes(int id, boolean renderSpecial) {
        checkId(id, -1);
        if (!renderSpecial && vocab.hiddenByDefault(id)) {
            return new byte[0];
        }
        return vocab.pieces[id].clone();
    }

    /** Piece bytes without copying, for the streaming decoder. */
    byte[] pieceBytes(int id, boolean renderSpecial) {
        checkId(id, -1);
        if (!renderSpecial && vocab.hiddenByDefault(id)) {
            return EMPTY;
        }
        return vocab.pieces[id];
    }

    private static final byte[] EMPTY = new byte[0];

    /**
     * A display string for one token (control tokens as their text, invalid UTF-8 as U+FFFD): llama.cpp's
     * {@code token_to_piece} with special rendering, so UNUSED/UNDEFINED entries give an empty string.
     */
    public String tokenPiece(int id) {
        checkId(id, -1);
        byte[] p = vocab.pieces[id];
        return Utf8Decoder.decode(p, 0, p.length);
    }

    /** The token's text as stored in the vocabulary (byte-level encoded for NORMAL tokens, e.g. {@code Ġthe}). */
    public String tokenText(int id) {
        checkId(id, -1);
        return vocab.texts[id];
    }

    /** The token's type from {@code tokenizer.ggml.token_type}. */
    public TokenType tokenType(int id) {
        checkId(id, -1);
        return vocab.types[id];
    }

    /** The id of the token whose vocabulary text is exactly {@code text}, or -1. */
    public int tokenId(String text) {
        Integer id = vocab.idOf.get(text);
        return id == null ? -1 : id;
    }

    /** Number of tokens in the vocabulary ({@code tokenizer.ggml.tokens} length). */
    public int vocabSize() {
        return vocab.size();
    }

    /** Number of usable BPE merges. */
    public int mergeCount() {
        return vocab.merges.size();
    }

    /** The {@code tokenizer.ggml.pre} value in effect ({@code gpt-2} when the key was missing). */
    public String preTokenizer() {
        return vocab.preTokenizer;
    }

    /** End-of-sequence id, or -1 if none. */
    public int eosId() {
        return vocab.eosId;
    }

    /** Beginning-of-sequence id, or -1 if none. */
    public int bosId() {
        return vocab.bosId;
    }

    /** Unknown-token id, or -1 if none. */
    public int unkId() {
        return vocab.unkId;
    }

    /** Padding id, or -1 if none. */
    public int padId() {
        return vocab.padId;
    }

    /** Whether {@link #encode(String, boolean, boolean)} with {@code addSpecial} prepends BOS. */
    public boolean addBos() {
        return vocab.addBos;
    }

    /** Whether {@link #encode(String, boolean, boolean)} with {@code addSpecial} appends EOS. */
    public boolean addEos() {
        return vocab.addEos;
    }

    /** Whether {@code id} ends generation (EOS, or a token whose text is {@code <|endoftext|>}). */
    public boolean isEndOfGeneration(int id) {
        return id >= 0 && id < vocab.size() && vocab.endOfGeneration[id];
    }

    /** A fresh incremental decoder for one stream (CONTROL tokens render as nothing). */
    public StreamingDecoder newStreamingDecoder() {
        return new StreamingDecoder(this, false);
    }

    /** A fresh incremental decoder; {@code renderSpecial} renders CONTROL/UNKNOWN tokens as their text. */
    public StreamingDecoder newStreamingDecoder(boolean renderSpecial) {
        return new StreamingDecoder(this, renderSpecial);
    }

    private void checkId(int id, int index) {
        if (id < 0 || id >= vocab.size()) {
            throw new IllegalArgumentException("token id " + id + (index >= 0 ? " at index " + index : "")
                    + " is out of range [0, " + vocab.size() + ")");
        }
    }
}
