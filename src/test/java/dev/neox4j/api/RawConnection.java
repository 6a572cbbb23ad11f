package dev.neox4j.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What the raw-socket test clients ({@link RawHttp}, {@link RawWebSocket}) share: a plain socket to the server,
 * reading a response head, and ending the connection politely or with a reset.
 */
public abstract class RawConnection implements AutoCloseable {

    protected final Socket socket;

    /**
     * Connects to {@code base}'s host and port; reads wait up to {@code readTimeoutMillis}, and the socket's receive
     * buffer is {@code receiveBuffer} bytes (0: the system's default).
     */
    protected RawConnection(URI base, int readTimeoutMillis, int receiveBuffer) {
        try {
            socket = new Socket();
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer); // before connect: it sets the window offered
            }
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
            socket.setSoTimeout(readTimeoutMillis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads an HTTP response head up to and including the empty line that ends it, as ISO-8859-1 text: what
     * arrived before the connection ended, or null when nothing did.
     */
    protected static String readHead(InputStream in) throws IOException {
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
    public byte[] readSome(int max) {
        try {
            byte[] buf = new byte[max];
            int n = socket.getInputStream().read(buf);
            return n <= 0 ? new byte[0] : Arrays.copyOf(buf, n);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** Drops the connection with a reset (no orderly close), as a client that crashes or loses its network. */
    public void abort() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // the server may already have reset it
        }
    }
}
