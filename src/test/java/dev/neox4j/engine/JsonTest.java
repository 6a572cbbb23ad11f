package dev.neox4j.engine;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Json}: the values it builds, and every defect refused with the caller's exception, source and offset. */
class JsonTest {

    /** A caller's own exception type, to see that defects are reported with it. */
    static final class Defect extends RuntimeException {
        Defect(String message) {
            super(message);
        }
    }

    @Test
    void valuesBecomeMapsListsLongsDoublesStringsAndBooleansInDocumentOrder() {
        Object v = Json.parse(" {\"b\": [1, -2, 3.5, 1e3, 12345678901234567890], \"a\": \"x\\\"\\u00e9\\n\","
                + " \"t\": true, \"f\": false, \"n\": null, \"o\": {}} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("b", "a", "t", "f", "n", "o"), List.copyOf(m.keySet()));
        assertEquals(Arrays.asList(1L, -2L, 3.5, 1000.0, 1.2345678901234567e19), m.get("b"));
        assertEquals("x\"é\n", m.get("a"));
        assertEquals(Boolean.TRUE, m.get("t"));
        assertEquals(Boolean.FALSE, m.get("f"));
        assertTrue(m.containsKey("n"));
        assertNull(m.get("n"));
        assertEquals(new LinkedHashMap<>(), m.get("o"));
        assertEquals(m.get("a"), Json.member(v, "a"));
        assertNull(Json.member(v, "missing"));
        assertNull(Json.member(List.of(), "a"), "not an object");
    }

    @Test
    void defectsNameTheSourceAndOffsetWithTheCallersException() {
        Defect d = assertThrows(Defect.class, () -> Json.parse("{\"a\": 1,}", "config.json", Defect::new));
        assertEquals("config.json: invalid JSON at offset 8: expected a string key", d.getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse("[1 2]"));
        assertEquals("invalid JSON at offset 3: expected ',' or ']'", e.getMessage());
        for (String bad : List.of("", "{", "[1,", "\"open", "tru", "-", "1.", "1e", "01x", "{\"a\":1}{}",
                "{\"a\":1,\"a\":2}", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"a\u0001\"", "{1:2}", "{\"a\" 1}")) {
            assertThrows(Defect.class, () -> Json.parse(bad, "s", Defect::new), bad);
        }
    }

    @Test
    void nestingIsLimited() {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertTrue(Json.parse(ok) instanceof List<?>);
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        Defect d = assertThrows(Defect.class, () -> Json.parse(deep, "hostile", Defect::new));
        assertTrue(d.getMessage().contains("nesting deeper than " + Json.MAX_DEPTH), d.getMessage());
    }
}
