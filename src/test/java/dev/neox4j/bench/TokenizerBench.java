package dev.neox4j.bench;

import dev.neox4j.engine.gguf.GgufFile;
import dev.neox4j.engine.tokenizer.StreamingDecoder;
import dev.neox4j.engine.tokenizer.Tokenizer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Tokenizer throughput on one thread (a benchmark, not a test): generates a few MB of mixed text (English prose,
 * source code, numbers, whitespace runs and indentation, CJK, Cyrillic, emoji and ZWJ sequences), then reports
 * MB/s (UTF-8 input bytes) and tokens/s for encoding whole documents with a cold and a warm word cache, for one
 * big string, and for decoding. Rates are given per second of this thread's CPU time (the figure that matters on
 * a shared machine) and per wall-clock second.
 *
 * <p>Run: {@code java -cp target/classes:target/test-classes dev.neox4j.bench.TokenizerBench [gguf] [MB]}
 * (defaults: the fixture GPT-NeoX tokenizer, 4 MB).
 */
public final class TokenizerBench {

    private static final String[] WORDS = ("the of and to in a is that for it as was with be by on not he this are or "
            + "his from at which but have an they you were her she there been one all we their has would when if so "
            + "no will more other its into time only new some could these two may first then do any like my now over "
            + "such our man me even most made after also did many before must through back years where much your way "
            + "well down should because each just those people how too little state good very make world still own "
            + "see men work long get here between both life being under never day same another know while last "
            + "Government University research language model tokenizer Pythia transformer inference attention "
            + "don't it's we're they've I'm you'll he'd").split(" ");

    private static final String[] CODE = {
            "public static int[] encode(String text, boolean parseSpecial) {\n",
            "    for (int i = 0; i < n; i++) {\n        sum += a[i] * b[i];\n    }\n",
            "def forward(self, x):\n    h = self.ln(x)\n    return x + self.attn(h) + self.mlp(h)\n",
            "if (a != b && c == d || !e) { return a ?? b ?: c; }\n",
            "{\"id\": 12345, \"name\": \"neox4j\", \"values\": [1.5, -2.25, 3e-5], \"ok\": true}\n",
            "<div class=\"row\"><span>&nbsp;Hello&amp;World</span></div>\n",
            "SELECT id, name FROM users WHERE age >= 21 ORDER BY name;\n",
            "\t\tcase 0x1F: return \"\\u001f\"; // control\n",
    };

    private static final String[] OTHER = {
            "我想在apple工作1314151天～ ", "東京は日本の首都です。", "Привет, как дела? ", "Это тест токенизатора. ",
            "🦙🦙 ", "👨‍👩‍👧‍👦 ", "😶‍🌫️ ", "✅ done ", "Cửa Việt ", "naïve café résumé ", "½ ¾ ² ",
    };

    private TokenizerBench() {
    }

    static String generate(long seed, int targetBytes) {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder(targetBytes);
        int bytes = 0;
        while (bytes < targetBytes) {
            int start = sb.length();
            int kind = rnd.nextInt(10);
            if (kind < 5) {
                int n = 20 + rnd.nextInt(80);
                for (int i = 0; i < n; i++) {
                    String w = WORDS[rnd.nextInt(WORDS.length)];
                    sb.append(i == 0 ? Character.toUpperCase(w.charAt(0)) + w.substring(1) : w);
                    int p = rnd.nextInt(20);
                    sb.append(p == 0 ? ", " : p == 1 ? ". " : " ");
                }
                sb.append(".\n\n");
            } else if (kind < 7) {
                for (int i = 0; i < 5 + rnd.nextInt(10); i++) {
                    sb.append("    ".repeat(rnd.nextInt(4))).append(CODE[rnd.nextInt(CODE.length)]);
                }
            } else if (kind == 7) {
                for (int i = 0; i < 30; i++) {
                    sb.append(rnd.nextInt(1_000_000)).append(rnd.nextBoolean() ? " " : ", ");
                }
                sb.append("3.14159 2024-06-01 1,000,000.50\n");
            } else if (kind == 8) {
                for (int i = 0; i < 10; i++) {
                    sb.append(OTHER[rnd.nextInt(OTHER.length)]);
                }
                sb.append('\n');
            } else {
                sb.append(" ".repeat(1 + rnd.nextInt(30))).append("\t\n").append("\n".repeat(rnd.nextInt(4)));
            }
            bytes += sb.substring(start).getBytes(StandardCharsets.UTF_8).length;
        }
        return sb.toString();
    }

    private static Tokenizer load(Path gguf) throws Exception {
        try (GgufFile f = GgufFile.open(gguf)) {
            return Tokenizer.fromGguf(f.metadata());
        }
    }

    public static void main(String[] args) throws Exception {
        Path gguf = Path.of(args.length > 0 ? args[0] : "src/test/resources/fixtures/tokenizer/gpt-neox-tokenizer.gguf");
        int mb = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        long t0 = start();
        Tokenizer tok = load(gguf);
        report("load (" + tok.vocabSize() + " tokens, " + tok.mergeCount() + " merges)", 0, 0, t0);

        String text = generate(1L, mb << 20);
        double megabytes = text.getBytes(StandardCharsets.UTF_8).length / (1024.0 * 1024.0);
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < text.length(); ) {
            int end = Math.min(text.length(), i + 2048);
            if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                end++;
            }
            docs.add(text.substring(i, end));
            i = end;
        }
        System.out.printf("text: %.2f MB UTF-8, %d chars, %d documents of ~2 KB%n", megabytes, text.length(),
                docs.size());

        // cold: a fresh tokenizer, first pass over the documents
        Tokenizer cold = load(gguf);
        long tokens = 0;
        t0 = start();
        for (String d : docs) {
            tokens += cold.encode(d, true).length;
        }
        report("encode documents, cold cache (incl. JIT warm-up)", megabytes, tokens, t0);

        for (int round = 0; round < 5; round++) {
            tokens = 0;
            t0 = start();
            for (String d : docs) {
                tokens += tok.encode(d, true).length;
            }
            report("encode documents, warm, round " + (round + 1), megabytes, tokens, t0);
        }
        for (int round = 0; round < 2; round++) {
            t0 = start();
            int[] ids = tok.encode(text, true);
            report("encode one " + mb + " MB string", megabytes, ids.length, t0);
        }
        int[] ids = tok.encode(text, false);
        for (int round = 0; round < 2; round++) {
            t0 = start();
            String back = tok.decode(ids);
            report("decode (with clean-up)", back.getBytes(StandardCharsets.UTF_8).length / 1048576.0, ids.length,
                    t0);
        }
        t0 = start();
        StreamingDecoder sd = tok.newStreamingDecoder();
        long chars = 0;
        for (int id : ids) {
            chars += sd.push(id).length();
        }
        chars += sd.flush().length();
        report("streaming decode, " + chars + " chars", megabytes, ids.length, t0);
        if (!tok.decodeRaw(ids).equals(text)) {
            throw new AssertionError("round trip failed");
        }
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static long cpuStart;

    private static long start() {
        cpuStart = THREADS.getCurrentThreadCpuTime();
        return System.nanoTime();
    }

    private static void report(String what, double megabytes, long tokens, long wallStart) {
        double wall = (System.nanoTime() - wallStart) / 1e9;
        double cpu = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        System.out.printf("%-50s cpu %7.1f ms %7.1f MB/s %6.2f Mtok/s | wall %7.1f ms %7.1f MB/s%n", what,
                cpu * 1e3, megabytes / cpu, tokens / cpu / 1e6, wall * 1e3, megabytes / wall);
    }
}
