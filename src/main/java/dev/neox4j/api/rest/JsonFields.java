package dev.neox4j.api.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Typed access to the fields of a JSON request object. Absent and {@code null} fields give the default; a field of
 * the wrong type or out of range is a 400 naming the field. Unknown fields are ignored.
 */
public final class JsonFields {

    private final ObjectNode node;

    private JsonFields(ObjectNode node) {
        this.node = node;
    }

    /** Wraps a request body, which must be a JSON object. */
    public static JsonFields of(JsonNode body) {
        if (body == null || body.isMissingNode() || body.isNull()) {
            throw ApiException.badRequest(null, "the request body must be a JSON object");
        }
        if (!(body instanceof ObjectNode object)) {
            throw ApiException.badRequest(null, "the request body must be a JSON object, got " + kind(body));
        }
        return new JsonFields(object);
    }

    public ObjectNode node() {
        return node;
    }

    /** The raw field, or null when absent or JSON null. */
    public JsonNode get(String name) {
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : v;
    }

    public boolean has(String name) {
        return get(name) != null;
    }

    /** A JSON type name for messages. */
    public static String kind(JsonNode v) {
        if (v == null || v.isNull()) {
            return "null";
        }
        return switch (v.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case STRING -> "a string";
            case BOOLEAN -> "a boolean";
            case NUMBER -> "a number";
            default -> v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    public String string(String name, String def) {
        JsonNode v = get(name);
        if (v == null) {
            return def;
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest(name, "'" + name + "' must be a string, got " + kind(v));
        }
        return v.textValue();
    }

    public boolean bool(String name, boolean def) {
        JsonNode v = get(name);
        if (v == null) {
            return def;
        }
        if (!v.isBoolean()) {
            throw ApiException.badRequest(name, "'" + name + "' must be a boolean, got " + kind(v));
        }
        return v.booleanValue();
    }

    /** An integer within {@code [min, max]}; also accepts integral floats such as {@code 16.0}. */
    public Integer integer(String name, Integer def, long min, long max) {
        JsonNode v = get(name);
        if (v == null) {
            return def;
        }
        long value = integral(name, v);
        if (value < min) {
            throw ApiException.badRequest(name, "'" + name + "' must be " + range(min, max) + ", got " + value);
        }
        if (value > max) {
            throw ApiException.badRequest(name, "'" + name + "' must be " + (max == Integer.MAX_VALUE
                    ? "at most " + max : range(min, max)) + ", got " + value);
        }
        return (int) value;
    }

    /** A long (e.g. a seed); any 64-bit integer. */
    public Long longValue(String name, Long def) {
        JsonNode v = get(name);
        return v == null ? def : Long.valueOf(integral(name, v));
    }

    private static long integral(String name, JsonNode v) {
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.longValue();
        }
        if (v.isFloatingPointNumber() && v.doubleValue() == Math.rint(v.doubleValue())
                && Math.abs(v.doubleValue()) < 9.0e15) {
            return (long) v.doubleValue();
        }
        throw ApiException.badRequest(name, "'" + name + "' must be an integer, got " + kind(v)
                + (v.isNumber() ? " " + v.asText() : ""));
    }

    /** A number, range unchecked (the settings type checks it); non-finite values pass as infinities. */
    public Double number(String name, Double def) {
        return number(name, def, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    /** A finite number within {@code [min, max]}. */
    public Double number(String name, Double def, double min, double max) {
        JsonNode v = get(name);
        if (v == null) {
            return def;
        }
        if (!v.isNumber()) {
            throw ApiException.badRequest(name, "'" + name + "' must be a number, got " + kind(v));
        }
        double d = v.doubleValue();
        if ((!Double.isFinite(d) && Double.isFinite(min)) || d < min || d > max) {
            throw ApiException.badRequest(name, "'" + name + "' must be " + range(min, max) + ", got " + v.asText());
        }
        return d;
    }

    private static String range(double min, double max) {
        if (max == Double.MAX_VALUE || max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
            return "at least " + fmt(min);
        }
        return "between " + fmt(min) + " and " + fmt(max);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** A string or a list of strings ({@code stop}) of any length; empty strings are dropped. */
    public List<String> stringOrList(String name) {
        return stringOrList(name, Integer.MAX_VALUE);
    }

    /** A string or a list of strings ({@code stop}); empty strings are dropped. */
    public List<String> stringOrList(String name, int maxItems) {
        JsonNode v = get(name);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (v.isTextual()) {
            if (!v.textValue().isEmpty()) {
                out.add(v.textValue());
            }
            return out;
        }
        if (!v.isArray()) {
            throw ApiException.badRequest(name, "'" + name + "' must be a string or a list of strings, got " + kind(v));
        }
        if (v.size() > maxItems) {
            throw ApiException.badRequest(name, "'" + name + "' may hold at most " + maxItems + " strings, got "
                    + v.size());
        }
        for (JsonNode item : v) {
            if (!item.isTextual()) {
                throw ApiException.badRequest(name, "'" + name + "' must be a string or a list of strings, found "
                        + kind(item) + " in the list");
            }
            if (!item.textValue().isEmpty()) {
                out.add(item.textValue());
            }
        }
        return out;
    }

    /** An object field (e.g. {@code stream_options}), or null. */
    public JsonFields object(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof ObjectNode o)) {
            throw ApiException.badRequest(name, "'" + name + "' must be an object, got " + kind(v));
        }
        return new JsonFields(o);
    }

    /** A token id array; every element an integer in {@code [0, vocab)}. */
    public static int[] tokenIds(String name, JsonNode array, int vocab) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode item = array.get(i);
            if (!item.isIntegralNumber() || !item.canConvertToInt()) {
                throw ApiException.badRequest(name, "'" + name + "' must hold integer token ids, found " + kind(item)
                        + (item.isNumber() ? " " + item.asText() : "") + " at index " + i);
            }
            int id = item.intValue();
            if (id < 0 || id >= vocab) {
                throw ApiException.badRequest(name, "token id " + id + " at index " + i + " of '" + name
                        + "' is out of range: ids are 0.." + (vocab - 1));
            }
            ids[i] = id;
        }
        return ids;
    }
}
