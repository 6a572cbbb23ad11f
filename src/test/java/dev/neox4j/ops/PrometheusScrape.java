package dev.neox4j.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A parsed Prometheus text exposition (format 0.0.4), for asserting on metric values in tests: every sample with
 * its name, labels and value, plus the {@code # TYPE} of each family.
 */
final class PrometheusScrape {

    /** One sample line. */
    record Sample(String name, Map<String, String> labels, double value) {

        boolean matches(Map<String, String> wanted) {
            return labels.entrySet().containsAll(wanted.entrySet());
        }
    }

    private final List<Sample> samples;
    private final Map<String, String> types;

    private PrometheusScrape(List<Sample> samples, Map<String, String> types) {
        this.samples = samples;
        this.types = types;
    }

    static PrometheusScrape parse(String text) {
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] words = line.split("\\s+");
                if (words.length >= 4 && words[1].equals("TYPE")) {
                    types.put(words[2], words[3]);
                }
                continue;
            }
            samples.add(parseSample(line));
        }
        return new PrometheusScrape(samples, types);
    }

    private static Sample parseSample(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String key = line.substring(i, eq).strip();
                i = eq + 2; // skip ="
                StringBuilder value = new StringBuilder();
                while (line.charAt(i) != '"') {
                    char c = line.charAt(i++);
                    if (c == '\\') {
                        char next = line.charAt(i++);
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                }
                i++; // closing quote
                labels.put(key, value.toString());
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        String[] rest = line.substring(i).strip().split("\\s+");
        return new Sample(name, Map.copyOf(labels), parseValue(rest[0]));
    }

    private static double parseValue(String s) {
        return switch (s) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(s);
        };
    }

    /** The {@code # TYPE} of a family (counter, gauge, histogram, summary), or null. */
    String type(String family) {
        return types.get(family);
    }

    Set<String> names() {
        Set<String> names = new TreeSet<>();
        samples.forEach(s -> names.add(s.name()));
        return names;
    }

    List<Sample> samples(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** Sum of the values of {@code name} over the samples whose labels include {@code labels} (key, value, ...). */
    double sum(String name, String... labels) {
        Map<String, String> wanted = labels(labels);
        return samples(name).stream().filter(s -> s.matches(wanted)).mapToDouble(Sample::value).sum();
    }

    /** The single sample of {@code name} with exactly these labels (others allowed), failing if there is none. */
    double value(String name, String... labels) {
        Map<String, String> wanted = labels(labels);
        List<Sample> found = samples(name).stream().filter(s -> s.matches(wanted)).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one sample " + name + wanted + ", found " + found);
        }
        return found.getFirst().value();
    }

    /** How much {@link #sum} of {@code name} over {@code labels} moved from {@code before} to {@code after}. */
    static double delta(PrometheusScrape before, PrometheusScrape after, String name, String... labels) {
        return after.sum(name, labels) - before.sum(name, labels);
    }

    boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name));
    }

    private static Map<String, String> labels(String... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("key, value pairs");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }
}
