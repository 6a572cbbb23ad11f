package dev.neox4j.api.ws;

import dev.neox4j.api.rest.ApiException;
import dev.neox4j.api.rest.ApiKeys;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Requires an API key for the WebSocket upgrade when {@code neox.api-keys} is set: {@code Authorization: Bearer
 * <key>}, or {@code ?api_key=<key>} for browsers, which cannot set headers on a WebSocket. Refused with 401.
 */
@ApplicationScoped
public class WsApiKeyCheck implements HttpUpgradeCheck {

    @Inject
    ApiKeys keys;

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        if (!keys.enabled()) {
            return CheckResult.permitUpgrade();
        }
        String header = context.httpRequest().getHeader("Authorization");
        String query = context.httpRequest().getParam("api_key");
        if ((header == null || header.isBlank()) && query != null) {
            header = "Bearer " + query;
        }
        try {
            keys.check(header);
            return CheckResult.permitUpgrade();
        } catch (ApiException e) {
            return CheckResult.rejectUpgrade(401);
        }
    }
}
