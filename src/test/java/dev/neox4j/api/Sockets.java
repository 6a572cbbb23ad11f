package dev.neox4j.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** What the raw-socket test clients ({@link RawHttp}, {@link RawWebSocket}) share. */
final class Sockets {

    private Sockets() {
    }

    /**
     * Reads an HTTP response head up to and including the empty line that ends it, as ISO-8859-1 text:
     * what arrived before the connection ended, or null when nothing did.
     */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int state = 0; // how much of \r\n\r\n has been seen
        int b;
        while ((b = in.read()) != -1) {
            out.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                    ? state + 1 : 0;
            if (state == 4) {
                break;
            }
        }
        return out.size() == 0 ? null : out.toString(StandardCharsets.ISO_8859_1);
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
