package dev.neox4j.api.ws;

import dev.neox4j.api.rest.ApiException;
import dev.neox4j.api.rest.ApiKeys;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Requires an API key for the WebSocket upgrade when {@code neox.api-keys} is set: {@code Authorization: Bearer
 * <key>}; browsers, which cannot set headers on a WebSocket, offer the subprotocols {@code neox4j} and
 * {@code neox4j.api-key.<base64url of the key>} (a header, so the key stays out of URLs and access logs), or send
 * {@code ?api_key=<key>}. Refused with 401.
 */
@ApplicationScoped
public class WsApiKeyCheck implements HttpUpgradeCheck {

    /** Prefix of the subprotocol that carries the key (the server answers with the plain {@code neox4j}). */
    public static final String KEY_PROTOCOL_PREFIX = "neox4j.api-key.";

    @Inject
    ApiKeys keys;

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        if (!keys.enabled()) {
            return CheckResult.permitUpgrade();
        }
        HttpServerRequest request = context.httpRequest();
        String header = request.getHeader("Authorization");
        if (header == null || header.isBlank()) {
            String key = request.getParam("api_key");
            if (key == null) {
                key = protocolKey(request);
            }
            if (key != null) {
                header = "Bearer " + key;
            }
        }
        try {
            keys.check(header);
            return CheckResult.permitUpgrade();
        } catch (ApiException e) {
            return CheckResult.rejectUpgrade(401);
        }
    }

    /** The key of a {@code neox4j.api-key.<base64url>} subprotocol, or null (none, or not base64url). */
    private static String protocolKey(HttpServerRequest request) {
        for (String header : request.headers().getAll("Sec-WebSocket-Protocol")) {
            for (String protocol : header.split(",")) {
                String p = protocol.strip();
                if (p.startsWith(KEY_PROTOCOL_PREFIX)) {
                    try {
                        return new String(Base64.getUrlDecoder().decode(p.substring(KEY_PROTOCOL_PREFIX.length())),
                                StandardCharsets.UTF_8);
                    } catch (IllegalArgumentException e) {
                        return null;
                    }
                }
            }
        }
        return null;
    }
}
