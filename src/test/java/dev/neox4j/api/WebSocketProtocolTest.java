package dev.neox4j.api;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frames RFC 6455 forbids, written on a raw socket: each closes the connection with the code the RFC names and is
 * never processed as a request (README "WebSocket protocol").
 */
@QuarkusTest
class WebSocketProtocolTest extends ServerTestBase {

    static final String REQUEST = "{\"type\": \"completion\", \"id\": \"a\", \"prompt\": \"x\", \"max_tokens\": 2}";

    RawWebSocket open() {
        RawWebSocket ws = new RawWebSocket(base, "/v1/stream");
        // a valid request first: the connection works
        ws.sendText(REQUEST);
        RawWebSocket.Frame f;
        do {
            f = ws.next();
            assertNotNull(f, "no answer to a valid request");
        } while (!f.text().contains("\"done\""));
        return ws;
    }

    static void assertClosedWith(RawWebSocket ws, int code) {
        RawWebSocket.Frame close = ws.awaitClose();
        assertNotNull(close, "the server dropped the connection without a close frame");
        assertEquals(code, close.closeCode(), "close code; reason: " + close.text());
    }

    @Test
    void aFrameOverTheLimitCloses1009() {
        try (RawWebSocket ws = open()) {
            ws.send(true, 0, RawWebSocket.TEXT, ("{\"x\": \"" + "a".repeat(70_000) + "\"}")
                    .getBytes(StandardCharsets.UTF_8));
            assertClosedWith(ws, 1009);
        }
    }

    @Test
    void invalidUtf8TextCloses1007() {
        try (RawWebSocket ws = open()) {
            byte[] bad = REQUEST.replace("\"x\"", "\"\u00ff\"").getBytes(StandardCharsets.ISO_8859_1);
            ws.send(true, 0, RawWebSocket.TEXT, bad);
            assertClosedWith(ws, 1007);
        }
    }

    @Test
    void invalidUtf8SplitOverFragmentsCloses1007() {
        try (RawWebSocket ws = open()) {
            ws.send(false, 0, RawWebSocket.TEXT, "{\"type\": \"completion\", \"prompt\": \"".getBytes(
                    StandardCharsets.UTF_8));
            ws.send(true, 0, 0x0, new byte[]{(byte) 0xc3, (byte) 0x28, '"', '}'});
            assertClosedWith(ws, 1007);
        }
    }

    @Test
    void aBinaryFrameCloses1003() {
        try (RawWebSocket ws = open()) {
            ws.send(true, 0, RawWebSocket.BINARY, REQUEST.getBytes(StandardCharsets.UTF_8));
            assertClosedWith(ws, 1003);
        }
    }

    @Test
    void rsv1WithoutAnExtensionIsAProtocolError1002() {
        try (RawWebSocket ws = open()) {
            ws.send(true, 4, RawWebSocket.TEXT, REQUEST.replace("\"a\"", "\"b\"").getBytes(StandardCharsets.UTF_8));
            RawWebSocket.Frame f;
            while ((f = ws.next()) != null && f.opcode() != RawWebSocket.CLOSE) {
                assertTrue(!f.text().contains("\"b\""), "a frame with RSV1 set was processed: " + f.text());
            }
            assertNotNull(f, "the server dropped the connection without a close frame");
            assertEquals(1002, f.closeCode(), f.text());
        }
    }
}
