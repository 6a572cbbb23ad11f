package dev.neox4j.playground;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neox4j.api.ApiTestClient;
import dev.neox4j.engine.runtime.EngineStats;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The playground on a server with {@code neox.api-keys} set (and one slot, a queue of one): the page itself is open,
 * it asks for a key once, keeps it for the tab, streams with it over the WebSocket (as a subprotocol, never in the
 * URL), and shows a full queue.
 */
@QuarkusTest
@TestProfile(PlaygroundApiKeyTest.KeysAndOneSlot.class)
class PlaygroundApiKeyTest extends PlaygroundTestBase {

    static final String KEY = "sk-test-key";

    /** API keys required, one KV slot, one queue place. */
    public static class KeysAndOneSlot implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("neox.api-keys", "other-key," + KEY, "neox.max-sequences", "1", "neox.queue-size", "1");
        }
    }
    /** The only console entries allowed: the browser's note on the API's 401 that makes the page ask for a key. */
    static final Predicate<LogEntry> UNAUTHORIZED = e -> e.getMessage().contains("status of 401");

    private PlaygroundPage page;

    @BeforeEach
    void ready() {
        awaitIdle(60);
        page = new PlaygroundPage(browser, base);
    }

    @AfterEach
    void idleAndCleanConsole() {
        awaitIdle(30);
        browser.assertCleanConsole(UNAUTHORIZED);
    }

    @Test
    void asksForTheKeyOnceAndStreamsWithIt() {
        // the page is served without a key; the API is not
        given().get("/").then().statusCode(200);
        given().get("/js/main.js").then().statusCode(200);
        given().get("/v1/models").then().statusCode(401);

        browser.driver.get(base.resolve("/").toString());
        browser.js("sessionStorage.clear()");
        page.open();
        WebElement dialog = browser.find("#key-dialog");
        browser.await("the key dialog", 30, b -> dialog.isDisplayed());
        assertEquals("auth", page.state());
        assertEquals("key-input", browser.driver.switchTo().activeElement().getAttribute("id"),
                "the dialog takes the focus");

        // a wrong key is refused and asked for again
        browser.find("#key-input").sendKeys("wrong-key");
        browser.find("#key-save").click();
        browser.await("the key dialog again", 30, b -> dialog.isDisplayed()
                && b.find("#key-message").getText().contains("not accepted"));
        browser.find("#key-input").sendKeys(KEY);
        browser.find("#key-save").click();
        page.awaitReady();
        assertTrue(browser.find("#model-card").getText().contains("neox4j-demo"));
        assertEquals(KEY, browser.js("return sessionStorage.getItem('neox4j.apiKey')"));

        // the stream authenticates with the same key
        page.param("max_tokens", "5");
        page.typePrompt("With a key");
        page.generateByKeyboard();
        page.awaitFinished(60);
        assertTrue(page.status().getText().startsWith("Done"), page.status().getText());
        assertTrue(page.tokenCount() > 0);

        // a reload in the same tab does not ask again
        browser.console();
        page.open();
        page.awaitReady();
        assertFalse(browser.find("#key-dialog").isDisplayed());
        browser.assertCleanConsole();
    }

    @Test
    void theStreamTakesTheKeyAsASubprotocol() throws Exception {
        JsonNode done = streamWithProtocols(5, "neox4j", "neox4j.api-key." + base64url(KEY));
        assertEquals("done", done.get("type").asText());
        assertEquals(3, done.at("/usage/completion_tokens").asInt());
        for (String[] refused : List.of(new String[]{"neox4j", "neox4j.api-key." + base64url("wrong-key")},
                new String[]{"neox4j", "neox4j.api-key.%%%"}, new String[]{"neox4j"})) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> streamWithProtocols(5, refused));
            WebSocketHandshakeException refusal = assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
            assertEquals(401, refusal.getResponse().statusCode(), String.join(" ", refused));
        }
    }

    static String base64url(String key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }

    /** Opens /v1/stream offering {@code protocols}, checks the server chose neox4j, streams 3 tokens: the done message. */
    private JsonNode streamWithProtocols(int seconds, String... protocols) throws Exception {
        BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .subprotocols(protocols[0], Arrays.copyOfRange(protocols, 1, protocols.length))
                .buildAsync(URI.create(base.toString().replaceFirst("^http", "ws")).resolve("/v1/stream"),
                        new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                                messages.add(data.toString());
                                ws.request(1);
                                return null;
                            }
                        }).get(seconds, TimeUnit.SECONDS);
        try {
            assertEquals("neox4j", socket.getSubprotocol());
            socket.sendText(ApiTestClient.jsonObject("type", "completion", "id", "k", "prompt", "key",
                    "max_tokens", 3, "ignore_eos", true), true).join();
            for (;;) {
                String m = messages.poll(30, TimeUnit.SECONDS);
                assertNotNull(m, "no message within 30 s");
                JsonNode node = ApiTestClient.json(m);
                if (!"token".equals(node.get("type").asText())) {
                    return node;
                }
            }
        } finally {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        }
    }

    @Test
    void aFullQueueIsShownAsBusy() {
        browser.driver.get(base.resolve("/").toString());
        browser.js("sessionStorage.setItem('neox4j.apiKey', arguments[0])", KEY);
        page.open();
        page.awaitReady();
        // one request holds the only slot, a second waits in the only queue place (WebSocket clients: closing one
        // cancels its request)
        String longRequest = ApiTestClient.jsonObject("type", "completion", "id", "hold", "prompt", "hold the slot",
                "max_tokens", 1800, "ignore_eos", true);
        try (ApiTestClient.Ws running = ApiTestClient.ws(base, "Authorization", "Bearer " + KEY);
             ApiTestClient.Ws waiting = ApiTestClient.ws(base, "Authorization", "Bearer " + KEY)) {
            running.send(longRequest);
            assertEquals("token", running.next().get("type").asText());
            waiting.send(longRequest);
            ApiTestClient.await("one running and one waiting", 30, () -> {
                EngineStats s = holder.engine().orElseThrow().stats();
                return s.running() == 1 && s.waiting() == 1;
            });
            page.typePrompt("No room");
            page.generateByKeyboard();
            browser.await("the busy state", 30, b -> "busy".equals(page.state()));
            assertTrue(page.status().getText().contains("queue full"), page.status().getText());
            assertTrue(browser.find("#generate").isEnabled(), "the page can try again");
            browser.screenshot("playground-busy");
        }
    }
}
