package dev.neox4j.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Seeded mutations for the fuzz tests: the same seed gives the same inputs on every run, so that a failure names an
 * input that can be reproduced ({@link #seed()}), and each test is bounded by its number of iterations, not by
 * time. Binary mutations hit formats with length and count fields (little-endian integers set to boundary
 * values), text mutations hit JSON (structural characters, numbers at the edges, cut strings).
 */
public final class Mutator {

    /** Little-endian values that break counts, lengths and offsets. */
    private static final long[] BOUNDARY = {0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffffL, 0x80000000L,
            0xffffffffL, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40, 1L << 62};
    private static final String[] JSON_TOKENS = {"{", "}", "[", "]", ",", ":", "\"", "\\", "null", "true", "false",
            "-1", "0", "1e999", "-1e999", "1e-999", "9223372036854775808", "-9223372036854775809", "2147483648",
            "NaN", "0.5", "\"\\ud800\"", "\"\\u0000\"", "{}", "[]", "\"x\"", " ", "\u0000", "\uFFFF", "/*", "'"};

    private final long seed;
    private final Random random;

    public Mutator(long seed) {
        this.seed = seed;
        this.random = new Random(seed);
    }

    public long seed() {
        return seed;
    }

    public Random random() {
        return random;
    }

    /** A copy of {@code input} with 1 to 4 binary mutations. */
    public byte[] mutate(byte[] input) {
        byte[] b = input.clone();
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
            b = mutateOnce(b);
        }
        return b;
    }

    private byte[] mutateOnce(byte[] b) {
        if (b.length == 0) {
            return new byte[]{(byte) random.nextInt(256)};
        }
        int at = random.nextInt(b.length);
        switch (random.nextInt(7)) {
            case 0 -> b[at] ^= (byte) (1 << random.nextInt(8)); // flip a bit
            case 1 -> b[at] = (byte) random.nextInt(256); // a random byte
            case 2 -> { // a boundary integer, 4 or 8 bytes little-endian
                long v = BOUNDARY[random.nextInt(BOUNDARY.length)];
                int width = random.nextBoolean() ? 4 : 8;
                for (int k = 0; k < width && at + k < b.length; k++) {
                    b[at + k] = (byte) (v >>> (8 * k));
                }
            }
            case 3 -> b = Arrays.copyOf(b, at); // truncate
            case 4 -> { // insert random bytes
                byte[] extra = new byte[1 + random.nextInt(16)];
                random.nextBytes(extra);
                b = splice(b, at, extra, 0);
            }
            case 5 -> { // delete a run
                int len = Math.min(b.length - at, 1 + random.nextInt(32));
                b = splice(b, at, new byte[0], len);
            }
            default -> { // duplicate a run
                int len = Math.min(b.length - at, 1 + random.nextInt(64));
                b = splice(b, at, Arrays.copyOfRange(b, at, at + len), 0);
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, byte[] insert, int remove) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    /** A copy of {@code json} with 1 to 3 text mutations (structural characters, edge numbers, cuts). */
    public String mutate(String json) {
        String s = json;
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            s = mutateOnce(s);
        }
        return s;
    }

    private String mutateOnce(String s) {
        if (s.isEmpty()) {
            return pick(JSON_TOKENS);
        }
        int at = random.nextInt(s.length());
        return switch (random.nextInt(5)) {
            case 0 -> s.substring(0, at) + pick(JSON_TOKENS) + s.substring(at); // insert a token
            case 1 -> s.substring(0, at) + s.substring(Math.min(s.length(), at + 1 + random.nextInt(8))); // delete
            case 2 -> s.substring(0, at); // cut
            case 3 -> { // replace a number or literal with an edge one
                int end = at;
                while (end < s.length() && "-+.0123456789eEtruefalsn".indexOf(s.charAt(end)) >= 0) {
                    end++;
                }
                yield s.substring(0, at) + pick(JSON_TOKENS) + s.substring(end);
            }
            default -> { // bytes that are not valid UTF-8, decoded as the server would
                byte[] raw = s.getBytes(StandardCharsets.UTF_8);
                raw[Math.min(raw.length - 1, at)] = (byte) (0x80 | random.nextInt(0x80));
                yield new String(raw, StandardCharsets.UTF_8);
            }
        };
    }

    /** One of {@code options}. */
    @SafeVarargs
    public final <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }

    /** One of {@code options}. */
    public <T> T pick(List<T> options) {
        return options.get(random.nextInt(options.size()));
    }
}
