package dev.neox4j.api;

import java.io.IOException;
import java.net.Socket;
import java.util.Arrays;

/** What the raw-socket test clients ({@link RawHttp}, {@link RawWebSocket}) share. */
final class Sockets {

    private Sockets() {
    }

    /** Reads what has arrived, up to {@code max} bytes (at least one unless the connection ended). */
    static byte[] readSome(Socket socket, int max) {
        try {
            byte[] buf = new byte[max];
            int n = socket.getInputStream().read(buf);
            return n <= 0 ? new byte[0] : Arrays.copyOf(buf, n);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** Drops the connection with a reset (no orderly close), as a client that crashes or loses its network. */
    static void abort(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
