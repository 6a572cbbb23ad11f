package dev.neox4j.api.rest;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The completion endpoints answer JSON or an SSE stream depending on the request body ({@code "stream"}), as OpenAI
 * does, whatever the client's {@code Accept} header says (the official clients send {@code application/json} even
 * for streams). Content negotiation is therefore switched off for them by accepting anything.
 */
public class AcceptHeaderFilter {

    @ServerRequestFilter(preMatching = true)
    public void acceptAnything(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if ("POST".equals(request.getMethod())
                && (path.equals("/v1/completions") || path.equals("/v1/chat/completions"))) {
            request.getHeaders().putSingle(HttpHeaders.ACCEPT, "*/*");
        }
    }
}
