package dev.neox4j.api.rest;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Requires an API key on every REST endpoint when {@code neox.api-keys} is set. The health, metrics and OpenAPI
 * endpoints under {@code /q/} are not REST resources and stay open.
 */
public class ApiKeyFilter {

    @Inject
    ApiKeys keys;

    @ServerRequestFilter(preMatching = true)
    public Response check(ContainerRequestContext request) {
        if (!keys.enabled() || "OPTIONS".equals(request.getMethod())) {
            return null;
        }
        try {
            keys.check(request.getHeaderString(HttpHeaders.AUTHORIZATION));
            return null;
        } catch (ApiException e) {
            return ApiExceptionMappers.toResponse(e);
        }
    }
}
