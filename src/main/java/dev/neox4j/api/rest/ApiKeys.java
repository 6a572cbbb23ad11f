package dev.neox4j.api.rest;

import dev.neox4j.config.NeoxConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Checks {@code Authorization: Bearer <key>} against {@code neox.api-keys} (constant-time comparison). When no keys
 * are configured every request is allowed.
 */
@ApplicationScoped
public class ApiKeys {

    private final List<byte[]> keys;

    @Inject
    public ApiKeys(NeoxConfig config) {
        this.keys = config.apiKeys().orElse(List.of()).stream()
                .map(String::strip).filter(k -> !k.isEmpty())
                .map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** Whether keys are required. */
    public boolean enabled() {
        return !keys.isEmpty();
    }

    /**
     * Checks an {@code Authorization} header value.
     *
     * @throws ApiException 401 when keys are configured and the header is missing, malformed or has a wrong key
     */
    public void check(String authorization) {
        if (keys.isEmpty()) {
            return;
        }
        if (authorization == null || authorization.isBlank()) {
            throw ApiException.unauthorized("You didn't provide an API key. Send it as 'Authorization: Bearer "
                    + "<key>'.");
        }
        String value = authorization.strip();
        if (!value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("The Authorization header must be 'Bearer <key>'.");
        }
        byte[] given = value.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (byte[] key : keys) {
            ok |= MessageDigest.isEqual(key, given);
        }
        if (!ok) {
            throw ApiException.unauthorized("Incorrect API key provided.");
        }
    }
}
