package dev.neox4j.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 client on a plain socket, for what a well-behaved client cannot send: over-long request lines and
 * headers, broken framing, bodies that stop half-way, connections that never finish their headers.
 */
public final class RawHttp extends RawConnection {

    /** A response as read off the wire; {@code status} -1 when the server closed without answering. */
    public record Response(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    public RawHttp(URI base, int readTimeoutMillis) {
        this(base, readTimeoutMillis, 0);
    }

    /** A connection whose socket receive buffer is {@code receiveBuffer} bytes (0: the system's default). */
    public RawHttp(URI base, int readTimeoutMillis, int receiveBuffer) {
        super(base, readTimeoutMillis, receiveBuffer);
    }

    /** Sends {@code text} as ISO-8859-1 bytes (HTTP's header charset). */
    public RawHttp send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttp send(byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Sends a POST of the JSON {@code body} to {@code path}, with {@code headers} (name, value, ...) besides. */
    public RawHttp post(String path, String body, String... headers) {
        byte[] json = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        head.append("Content-Type: application/json\r\nContent-Length: ").append(json.length).append("\r\n\r\n");
        return send(head.toString()).send(json);
    }

    /** Sends a GET of {@code path}. */
    public RawHttp get(String path) {
        return send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
    }

    /** Reads one response (headers, then a Content-Length or chunked body, or up to EOF). */
    public Response read() {
        try {
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            if (head == null) {
                return new Response(-1, Map.of(), "");
            }
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).trim());
                }
            }
            byte[] body;
            if (headers.containsKey("content-length")) {
                body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = readChunked(in);
            } else {
                body = readToEof(in);
            }
            return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the server closed the connection within the read timeout (EOF or reset), rather than kept it open. */
    public boolean closedByServer() {
        try {
            return socket.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            if (size == null) {
                return out.toByteArray();
            }
            int n = Integer.parseInt(size.split(";")[0].trim(), 16);
            if (n == 0) {
                line(in);
                return out.toByteArray();
            }
            out.write(in.readNBytes(n));
            line(in);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                return sb.toString().strip();
            }
            sb.append((char) b);
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    private static byte[] readToEof(InputStream in) throws IOException {
        try {
            return in.readAllBytes();
        } catch (SocketTimeoutException e) {
            return new byte[0];
        }
    }
}
