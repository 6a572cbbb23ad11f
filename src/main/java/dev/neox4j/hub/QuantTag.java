package dev.neox4j.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The quant tag a GGUF file name carries ({@code pythia-12b.Q4_K_M.gguf} → {@code Q4_K_M}): llama.cpp's type
 * names ({@code Q4_0}, {@code Q4_K_M}, {@code IQ4_XS}, {@code F16}, {@code BF16}, ...) standing as a whole word
 * between separators, compared case-insensitively, so that {@code Q4_K} does not match {@code Q4_K_M}.
 */
final class QuantTag {

    private static final Pattern TAG = Pattern.compile(
            "(?i)(?<![A-Za-z0-9])(I?Q[1-8](?:_[A-Z0-9]+)*|T?Q[12]_0|BF16|F16|F32|FP16|FP32)(?![A-Za-z0-9])");

    private QuantTag() {
    }

    /** The quant tag of a GGUF file name (its last one), upper-cased; empty when the name carries none. */
    static Optional<String> of(String file) {
        String base = file.substring(file.lastIndexOf('/') + 1);
        if (!base.toLowerCase(Locale.ROOT).endsWith(".gguf")) {
            return Optional.empty();
        }
        Matcher m = TAG.matcher(base.substring(0, base.length() - ".gguf".length()));
        String tag = null;
        while (m.find()) {
            tag = m.group(1).toUpperCase(Locale.ROOT);
        }
        return Optional.ofNullable(tag);
    }

    /** The GGUF files among {@code files} whose tag is {@code quant}, case-insensitively. */
    static List<String> matching(List<String> files, String quant) {
        List<String> hits = new ArrayList<>();
        for (String f : files) {
            if (of(f).filter(t -> t.equalsIgnoreCase(quant)).isPresent()) {
                hits.add(f);
            }
        }
        return hits;
    }

    /** The distinct tags among {@code files}, sorted. */
    static List<String> available(List<String> files) {
        TreeSet<String> tags = new TreeSet<>();
        for (String f : files) {
            of(f).ifPresent(tags::add);
        }
        return List.copyOf(tags);
    }
}
