package dev.neox4j.api;

import dev.neox4j.api.rest.ClientDisconnectLogFilter;
import io.vertx.core.VertxException;
import io.vertx.core.impl.NoStackTraceThrowable;
import org.junit.jupiter.api.Test;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which failures {@link ClientDisconnectLogFilter} takes for a client that went away. A write to a WebSocket the
 * client had just closed failed with Vert.x' {@code NoStackTraceThrowable: WebSocket is closed}, which the filter did
 * not know, so a disconnect storm once logged an ERROR.
 */
class ClientDisconnectLogFilterTest {

    private static LogRecord error(String message, Throwable thrown) {
        LogRecord r = new LogRecord(Level.SEVERE, message);
        r.setThrown(thrown);
        return r;
    }

    @Test
    void aWriteToAClosedWebSocketIsAClientDisconnect() {
        Throwable closed = new NoStackTraceThrowable("WebSocket is closed");
        assertSame(closed, ClientDisconnectLogFilter.clientGone(new RuntimeException("send failed", closed)));
        assertSame(closed, ClientDisconnectLogFilter.clientGone(closed));
        VertxException vertx = new VertxException("WebSocket is closed");
        assertSame(vertx, ClientDisconnectLogFilter.clientGone(vertx));
        ClientDisconnectLogFilter filter = new ClientDisconnectLogFilter();
        assertFalse(filter.isLoggable(error("request failed", closed)));
        assertFalse(filter.isLoggable(error("Unable to send: WebSocket is closed", null)));
    }

    @Test
    void theServersOwnFaultsStayLoud() {
        Throwable fault = new NoStackTraceThrowable("the kernel table has no entry");
        assertNull(ClientDisconnectLogFilter.clientGone(fault));
        assertNull(ClientDisconnectLogFilter.clientGone(new IllegalStateException("WebSocket is open")));
        ClientDisconnectLogFilter filter = new ClientDisconnectLogFilter();
        assertTrue(filter.isLoggable(error("request failed", fault)));
        assertTrue(filter.isLoggable(error("request failed", new NullPointerException())));
    }
}
