package dev.neox4j.engine.checkpoint;

import dev.neox4j.engine.Json;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Typed access to the members of a checkpoint's JSON files (parsed by {@link Json}); every defect is a
 * {@link CheckpointFormatException} naming the file and the member.
 */
final class JsonFields {

    private JsonFields() {
    }

    /** Parses a JSON object (anything else is refused). @throws CheckpointFormatException naming the defect */
    @SuppressWarnings("unchecked")
    static Map<String, Object> parseObject(String text, String source) {
        Object v = Json.parse(text, source, CheckpointFormatException::new);
        if (!(v instanceof Map)) {
            throw new CheckpointFormatException(source + ": expected a JSON object at the top level");
        }
        return (Map<String, Object>) v;
    }

    /** {@code obj[key]} as an object, or an empty map when absent. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Map<String, Object> obj, String key, String source) {
        Object v = obj.get(key);
        if (v == null) {
            return Collections.emptyMap();
        }
        if (!(v instanceof Map)) {
            throw new CheckpointFormatException(source + ": \"" + key + "\" must be an object");
        }
        return (Map<String, Object>) v;
    }

    /** {@code obj[key]} as a list, or an empty list when absent. */
    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, Object> obj, String key, String source) {
        Object v = obj.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List)) {
            throw new CheckpointFormatException(source + ": \"" + key + "\" must be an array");
        }
        return (List<Object>) v;
    }

    /** {@code obj[key]} as a long, or {@code def} when absent or {@code null}. */
    static long integer(Map<String, Object> obj, String key, long def, String source) {
        return typed(obj, key, def, source, "an integer", v -> v instanceof Long l ? l
                : v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 0x1p53 ? (Long) d.longValue() : null);
    }

    /** {@code obj[key]} as a double, or {@code def} when absent or {@code null}. */
    static double number(Map<String, Object> obj, String key, double def, String source) {
        return typed(obj, key, def, source, "a number", v -> v instanceof Number n ? n.doubleValue() : null);
    }

    /** {@code obj[key]} as a boolean, or {@code def} when absent or {@code null}. */
    static boolean bool(Map<String, Object> obj, String key, boolean def, String source) {
        return typed(obj, key, def, source, "true or false", v -> v instanceof Boolean b ? b : null);
    }

    /** {@code obj[key]} as a string, or {@code def} when absent or {@code null}. */
    static String string(Map<String, Object> obj, String key, String def, String source) {
        return typed(obj, key, def, source, "a string", v -> v instanceof String t ? t : null);
    }

    /**
     * {@code obj[key]} converted by {@code as} (which gives null for a value of another type), or {@code def} when
     * absent or {@code null}.
     */
    private static <T> T typed(Map<String, Object> obj, String key, T def, String source, String expected,
            Function<Object, T> as) {
        Object v = obj.get(key);
        if (v == null) {
            return def;
        }
        T t = as.apply(v);
        if (t == null) {
            throw new CheckpointFormatException(source + ": \"" + key + "\" must be " + expected + ", got " + v);
        }
        return t;
    }
}
