package dev.neox4j.acceptance;

import dev.neox4j.api.LogCapture;
import dev.neox4j.api.rest.ApiErrors;
import org.junit.jupiter.api.Test;

import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bug: every client that went away mid-response (an aborted SSE stream, a closed WebSocket) made the server log
 * {@code ERROR request failed: io.netty.channel.StacklessClosedChannelException} (or "WebSocket is closed"), one
 * ERROR line per disconnect, which operators alert on. A closed connection is normal and is now logged at DEBUG;
 * other unexpected failures still log at ERROR.
 */
class ClientDisconnectLoggingTest {

    @Test
    void aClosedClientConnectionIsNotLoggedAsAnError() {
        try (LogCapture capture = LogCapture.of(ApiErrors.class.getName())) {
            List<LogRecord> records = capture.records();
            // Netty's StacklessClosedChannelException is a ClosedChannelException
            ApiErrors.from(new ClosedChannelException(), "prompt");
            assertTrue(records.stream().noneMatch(r -> r.getLevel().intValue() >= Level.WARNING.intValue()),
                    () -> "logged " + records.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList());

            ApiErrors.from(new IllegalStateException("boom"), "prompt");
            assertEquals(1, records.stream().filter(r -> r.getLevel().intValue() >= Level.SEVERE.intValue()).count(),
                    "an unexpected failure is still an ERROR");
        }
    }
}
