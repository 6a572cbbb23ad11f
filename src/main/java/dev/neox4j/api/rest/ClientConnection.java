package dev.neox4j.api.rest;

import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Ties engine work started for an HTTP request to its client's connection. RESTEasy cancels a response's
 * subscription when the connection closes, but only once it has subscribed, after the resource method returned; a
 * client that leaves between the submission and that moment (tokenizing, a busy worker pool) left its sequences
 * running to the end with nobody to read them, holding their KV slots. {@link #onClientGone} closes that window.
 */
@ApplicationScoped
public class ClientConnection {

    private static final Logger LOG = Logger.getLogger(ClientConnection.class);

    private final CurrentVertxRequest current;

    @Inject
    public ClientConnection(CurrentVertxRequest current) {
        this.current = current;
    }

    /**
     * Runs {@code cancel} (at most once) if the current request's connection closes before its response has ended,
     * at once if it is already closed. Outside an HTTP request (a test calling the service) it does nothing.
     */
    public void onClientGone(Runnable cancel) {
        RoutingContext rc = current.getCurrent();
        if (rc == null) {
            return;
        }
        Runnable once = new Runnable() {
            private boolean ran;

            @Override
            public synchronized void run() {
                if (!ran) {
                    ran = true;
                    LOG.debugf("client of %s %s left before its response: cancelling", rc.request().method(),
                            ApiException.cut(rc.request().path()));
                    cancel.run();
                }
            }
        };
        if (rc.response().closed()) {
            once.run();
            return;
        }
        try {
            rc.addEndHandler(end -> {
                if (end.failed()) { // closed (or reset) before the response ended
                    once.run();
                }
            });
        } catch (IllegalStateException closedMeanwhile) { // Vert.x refuses handlers on a closed response
            once.run();
        }
        if (rc.response().closed()) { // closed between the check and the handler
            once.run();
        }
    }
}
