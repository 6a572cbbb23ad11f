package dev.neox4j.api;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

/**
 * A WebSocket client on a plain socket that writes any frame, including the ones RFC 6455 forbids (reserved bits,
 * invalid UTF-8, frames over the server's limit), and reads the server's frames up to its close frame.
 */
public final class RawWebSocket extends RawConnection {

    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;

    /** A frame from the server. */
    public record Frame(int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame (1005 when it has none). */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
    }

    private final DataInputStream in;
    private final Random random = new Random(42);

    public RawWebSocket(URI base, String path) {
        this(base, path, 0);
    }

    /** A connection whose socket receive buffer is {@code receiveBuffer} bytes (0: the system's default). */
    public RawWebSocket(URI base, String path, int receiveBuffer) {
        super(base, 30_000, receiveBuffer);
        try {
            byte[] nonce = new byte[16];
            random.nextBytes(nonce);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            in = new DataInputStream(socket.getInputStream());
            String head = readHead(in);
            if (head == null || !head.startsWith("HTTP/1.1 101")) {
                throw new IllegalStateException("no upgrade: " + head);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes one masked frame; {@code rsv} holds the three reserved bits (0-7). */
    public void send(boolean fin, int rsv, int opcode, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | (rsv & 7) << 4 | opcode);
        if (payload.length < 126) {
            out.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            out.write(0x80 | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length & 0xff);
        } else {
            out.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) payload.length >>> shift) & 0xff);
            }
        }
        byte[] mask = new byte[4];
        random.nextBytes(mask);
        out.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ mask[i & 3]);
        }
        try {
            socket.getOutputStream().write(out.toByteArray());
            socket.getOutputStream().flush();
        } catch (IOException e) {
            // the server may close while a big frame is being written; the close frame tells why
        }
    }

    public void sendText(String text) {
        send(true, 0, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The next frame from the server, or null when the connection ended (EOF, reset, no frame in 30 s). */
    public Frame next() {
        try {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long len = b1 & 0x7f;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = in.readLong();
            }
            byte[] payload = new byte[(int) len];
            in.readFully(payload);
            return new Frame(b0 & 0x0f, payload);
        } catch (EOFException | SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            return null; // reset
        }
    }

    /** Skips frames until the server's close frame; null when the connection ended without one. */
    public Frame awaitClose() {
        Frame f;
        while ((f = next()) != null) {
            if (f.opcode() == CLOSE) {
                return f;
            }
        }
        return null;
    }
}
