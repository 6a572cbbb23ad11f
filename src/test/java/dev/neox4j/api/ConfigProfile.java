package dev.neox4j.api;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A test profile that only overrides configuration keys: a subclass names them in its no-argument constructor,
 * {@code super("neox.max-sequences", "1", "neox.queue-size", "1")}.
 */
public abstract class ConfigProfile implements QuarkusTestProfile {

    private final Map<String, String> overrides = new LinkedHashMap<>();

    /** {@code key, value, key, value, ...}. */
    protected ConfigProfile(String... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("key, value pairs");
        }
        for (int i = 0; i < keyValues.length; i += 2) {
            overrides.put(keyValues[i], keyValues[i + 1]);
        }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return overrides;
    }
}
