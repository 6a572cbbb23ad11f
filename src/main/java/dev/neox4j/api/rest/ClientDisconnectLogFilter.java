package dev.neox4j.api.rest;

import io.quarkus.logging.LoggingFilter;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Keeps clients that go away out of the server's WARN/ERROR log (README "Logging"). When a client disconnects in
 * the middle of a response (an SSE stream, a WebSocket, even a plain JSON answer), the libraries under the API
 * (RESTEasy's publisher handler, Quarkus' error handler, Vert.x, Netty) log the failed write at ERROR, WARN or INFO
 * with a stack trace ({@code StacklessClosedChannelException}, {@code HttpClosedException}, an HTTP/2 "Stream no longer
 * exists", a reset connection). Such a record is dropped and replaced by one line without a trace at DEBUG in the
 * category of this class; ERROR stays for the server's own faults. Installed on the
 * console and file handlers by {@code quarkus.log.console.filter} / {@code quarkus.log.file.filter}.
 */
@LoggingFilter(name = ClientDisconnectLogFilter.NAME)
public final class ClientDisconnectLogFilter implements Filter {

    /** The filter's name in {@code quarkus.log.*.filter}. */
    public static final String NAME = "neox-client-disconnect";

    private static final Logger LOG = Logger.getLogger(ClientDisconnectLogFilter.class);
    /** How deep a cause chain is searched. */
    private static final int MAX_CAUSES = 8;

    @Override
    public boolean isLoggable(LogRecord record) {
        if (record.getLevel().intValue() < Level.INFO.intValue()) {
            return true;
        }
        Throwable gone = clientGone(record.getThrown());
        if (gone != null) {
            LOG.debugf("client went away (%s): %s", record.getLoggerName(), gone);
            return false;
        }
        String marker = clientGoneMarker(record);
        if (marker != null) { // the failure named in the message only (websockets-next's "Unable to close ...")
            LOG.debugf("client went away (%s): %s", record.getLoggerName(), marker);
            return false;
        }
        return true;
    }

    /** Exception names and messages that say the client's connection is gone, as libraries write them in text. */
    private static final String[] MARKERS = {"ClosedChannelException", "java.net.SocketException: Connection reset",
            "Connection reset by peer", "Broken pipe", "HttpClosedException", "Stream no longer exists",
            "WebSocket is closed"};

    /** The marker that a record's message or its parameters hold, or null. */
    private static String clientGoneMarker(LogRecord record) {
        StringBuilder text = new StringBuilder(String.valueOf(record.getMessage()));
        if (record.getParameters() != null) {
            for (Object p : record.getParameters()) {
                text.append(' ').append(p);
            }
        }
        for (String m : MARKERS) {
            if (text.indexOf(m) >= 0) {
                return m;
            }
        }
        return null;
    }

    /** The exception in {@code error}'s cause chain that says the client's connection is gone, or null. */
    public static Throwable clientGone(Throwable error) {
        Throwable t = error;
        for (int i = 0; t != null && i < MAX_CAUSES; i++, t = t.getCause()) {
            if (isClientGone(t)) {
                return t;
            }
        }
        return null;
    }

    private static boolean isClientGone(Throwable t) {
        String name = t.getClass().getName();
        String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
        return t instanceof ClosedChannelException // Netty's StacklessClosedChannelException among them
                || name.equals("io.vertx.core.http.HttpClosedException")
                || name.equals("io.vertx.core.http.StreamResetException")
                // Netty's HTTP/2 encoder, writing to a stream the client has reset
                || t instanceof IllegalArgumentException && message.startsWith("stream no longer exists")
                || t instanceof IOException && (message.contains("connection reset") || message.contains("broken pipe")
                || message.contains("connection was closed"))
                || name.equals("io.vertx.core.VertxException") && message.contains("connection was closed")
                // a write to a WebSocket the client closed: Vert.x fails it with a VertxException or, from
                // the frame writer, a NoStackTraceThrowable
                || message.contains("websocket is closed")
                // Vert.x refusing a handler or a write on the response of a connection that has closed (RESTEasy
                // subscribing to a response whose client left while the resource ran)
                || t instanceof IllegalStateException && message.equals("response has already been written");
    }
}
