package dev.neox4j.playground;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neox4j.api.ApiTestClient;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The playground page ({@code GET /}) in a real headless Chromium against the running test server (demo model):
 * loading with nothing from outside, streaming a typed prompt token by token, stopping a long generation (the slot
 * is freed), chat, the tokenizer and inspector views, the defaults it shows, phone width, and a clean console.
 */
@QuarkusTest
class PlaygroundPageTest extends PlaygroundTestBase {

    private PlaygroundPage page;

    @BeforeEach
    void openPage() {
        browser.viewport(1280, 800);
        browser.console(); // drop what an earlier test left
        page = new PlaygroundPage(browser, base).open();
        page.awaitReady();
    }

    @AfterEach
    void nothingLeftRunning() {
        awaitIdle(30);
        browser.assertCleanConsole();
    }

    @Test
    void pageLoadsWithEverythingFromThisServerAndTheOtherRoutesStillServe() {
        assertTrue(browser.find("#model-card").getText().contains("neox4j-demo"), browser.find("#model-card").getText());
        assertTrue(page.status().getText().contains("Ready"), page.status().getText());
        @SuppressWarnings("unchecked")
        List<String> resources = (List<String>) browser.js(
                "return performance.getEntriesByType('resource').map(e => e.name)");
        String origin = base.resolve("/").toString();
        assertTrue(resources.stream().anyMatch(r -> r.endsWith("/js/main.js")), resources.toString());
        for (String r : resources) {
            assertTrue(r.startsWith(origin.substring(0, origin.length() - 1)), "loaded from elsewhere: " + r);
        }
        assertFalse((Boolean) browser.js("return document.getElementById('key-dialog').open"),
                "no API keys configured: the page must not ask for one");
        assertFalse(page.overflowsHorizontally());
        browser.screenshot("playground-1280x800");

        // the page did not take the other routes
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200);
        given().get("/v1/models").then().statusCode(200).contentType("application/json");
        given().contentType("application/json").body("{\"prompt\": \"Hi\"}").post("/tokenize").then().statusCode(200);
        given().get("/index.html").then().statusCode(200).contentType(org.hamcrest.Matchers.startsWith("text/html"));
    }

    @Test
    void typedPromptStreamsShadedTokensWithTheirAlternatives() {
        page.param("temperature", "0");
        page.param("max_tokens", "12");
        page.typePrompt("Once upon a time");
        // count the separate moments tokens were added: a stream adds them one message at a time
        browser.js("window.__batches = 0; new MutationObserver(ms => { if (ms.some(m => [...m.addedNodes]"
                + ".some(n => n.classList && n.classList.contains('tok')))) window.__batches++; })"
                + ".observe(document.getElementById('output'), {childList: true});");
        page.generateByKeyboard();
        page.awaitFinished(60);
        assertTrue(page.status().getText().startsWith("Done"), page.status().getText());

        List<Long> ids = page.tokenIds();
        JsonNode rest = ApiTestClient.json(given().contentType("application/json").body(ApiTestClient.jsonObject(
                "prompt", "Once upon a time", "temperature", 0, "max_tokens", 12, "logprobs", 1,
                "return_tokens_as_token_ids", true)).post("/v1/completions").then().statusCode(200)
                .extract().asString());
        List<Long> expected = new ArrayList<>();
        rest.at("/choices/0/logprobs/tokens").forEach(t -> expected.add(Long.parseLong(t.asText().substring(9))));
        assertEquals(expected, ids, "the page shows the tokens the API generates");
        assertTrue(((Long) browser.js("return window.__batches")) > 1, "tokens arrived in one piece, not streamed");
        assertEquals(String.valueOf(ids.size()), page.figure("generated tokens"));
        assertTrue(page.figure("generation").endsWith("tokens/s"), page.figure("generation"));
        assertTrue(page.figure("time to first token").matches("\\d.*"), page.figure("time to first token"));

        // each token is shaded by its probability; hovering shows id, logprob and 5 alternatives
        WebElement first = page.tokens().get(0);
        assertFalse(first.getAttribute("style").isEmpty(), "a token without shade");
        assertTrue(Double.parseDouble(first.getAttribute("data-logprob")) <= 0);
        page.hover(first);
        WebElement tooltip = browser.find("#tooltip");
        browser.await("the token tooltip", 5, b -> tooltip.isDisplayed());
        assertTrue(tooltip.getText().contains("id " + ids.get(0)), tooltip.getText());
        assertTrue(tooltip.getText().contains("logprob"), tooltip.getText());
        assertEquals(5, browser.all("#tooltip .alternatives li").size());
        browser.screenshot("playground-generated");

        // the keyboard reaches the tokens too: focus the first, arrow to the second
        ((org.openqa.selenium.JavascriptExecutor) browser.driver).executeScript("arguments[0].focus()", first);
        browser.driver.switchTo().activeElement().sendKeys(Keys.ARROW_RIGHT);
        assertEquals("1", browser.driver.switchTo().activeElement().getAttribute("data-index"));
        assertTrue(browser.find("#token-detail").getText().contains("id " + ids.get(1)));
    }

    @Test
    void stopCancelsALongGenerationAndTheServerFreesTheSlot() {
        double cancelledBefore = counter("neox_requests_total", "outcome", "cancelled", "source", "websocket");
        page.param("max_tokens", "2000");
        page.typePrompt("A very long story:");
        browser.find("#generate").click();
        browser.await("a few streamed tokens", 60, b -> page.tokenCount() >= 3);
        assertTrue(browser.find("#stop").isEnabled());
        assertEquals(1, holder.engine().orElseThrow().stats().running(), "the generation holds a slot");
        browser.find("#stop").click();
        page.awaitFinished(30);
        assertTrue(page.status().getText().startsWith("Stopped"), page.status().getText());
        assertEquals("cancelled", page.figure("finish"));
        assertTrue(page.tokenCount() < 2000, "stopped early: " + page.tokenCount());
        ApiTestClient.await("the slot to be freed", 10,
                () -> holder.engine().orElseThrow().stats().running() == 0);
        assertEquals(0.0, metric("neox_requests_running"));
        assertEquals(0.0, metric("neox_kv_cache_slots_used"));
        assertEquals(cancelledBefore + 1, counter("neox_requests_total", "outcome", "cancelled", "source",
                "websocket"));

        // Esc stops too
        page.prompt().sendKeys(Keys.chord(Keys.CONTROL, Keys.ENTER));
        browser.await("a few streamed tokens", 60, b -> page.tokenCount() >= 3);
        browser.driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        page.awaitFinished(30);
        assertTrue(page.status().getText().startsWith("Stopped"), page.status().getText());
        ApiTestClient.await("the slot to be freed", 10,
                () -> holder.engine().orElseThrow().stats().running() == 0);
        assertEquals(cancelledBefore + 2, counter("neox_requests_total", "outcome", "cancelled", "source",
                "websocket"));
    }

    @Test
    void chatModeKeepsTheConversation() {
        page.chatMode();
        browser.find("#system").sendKeys("Be brief.");
        page.param("max_tokens", "8");
        page.param("seed", "3");
        page.typePrompt("Hi there");
        browser.find("#generate").click();
        page.awaitFinished(60);
        List<WebElement> turns = browser.all("#chat-log .turn");
        assertEquals(2, turns.size());
        assertTrue(turns.get(0).getText().contains("Hi there"));
        assertEquals("", page.prompt().getAttribute("value"), "the sent message leaves the input");
        String reply = (String) browser.js("return document.querySelector('#chat-log .assistant .said').textContent");
        JsonNode rest = ApiTestClient.json(given().contentType("application/json").body(ApiTestClient.jsonObject(
                "messages", List.of(Map.of("role", "system", "content", "Be brief."),
                        Map.of("role", "user", "content", "Hi there")), "max_tokens", 8, "seed", 3))
                .post("/v1/chat/completions").then().statusCode(200).extract().asString());
        assertEquals(rest.at("/choices/0/message/content").asText(), reply);
        assertEquals(rest.at("/usage/completion_tokens").asText(), page.figure("generated tokens"));

        // a second turn sends the whole conversation
        page.typePrompt("And then?");
        page.generateByKeyboard();
        page.awaitFinished(60);
        assertEquals(4, browser.all("#chat-log .turn").size());
        browser.screenshot("playground-chat");
    }

    @Test
    void tokenizerViewShowsThePromptsTokens() {
        page.typePrompt("Hello world, hello tokens");
        page.tab("tokenizer");
        JsonNode rest = ApiTestClient.json(given().contentType("application/json")
                .body("{\"prompt\": \"Hello world, hello tokens\"}").post("/tokenize").then().statusCode(200)
                .extract().asString());
        browser.await("the token chips", 10, b -> b.all("#token-list .chip").size() == rest.get("count").asInt());
        List<WebElement> ids = browser.all("#token-list .chip .tid");
        for (int i = 0; i < ids.size(); i++) {
            assertEquals(rest.get("tokens").get(i).asText(), ids.get(i).getText());
        }
        assertEquals("Hello", browser.all("#token-list .chip .piece").get(0).getText());
        assertTrue(browser.find("#token-count").getText().startsWith(rest.get("count").asInt() + " tokens"));
        // typing updates the view
        page.prompt().sendKeys(" more");
        browser.await("the updated token chips", 10, b -> b.all("#token-list .chip").size()
                == rest.get("count").asInt() + 1);
    }

    @Test
    void inspectorDrawsTheLogitLensOrSaysItIsNotAvailable() {
        page.typePrompt("The lens");
        page.tab("inspector");
        boolean offered = given().get("/q/openapi?format=json").then().statusCode(200).extract()
                .jsonPath().getMap("paths").containsKey("/v1/inspect");
        if (!offered) {
            browser.await("the unavailable state", 10,
                    b -> "unavailable".equals(b.find("#lens-state").getAttribute("data-state")));
            assertTrue(browser.find("#lens-state").getText().contains("not available on this server"));
            assertFalse(browser.find("#lens-run").isEnabled());
            return;
        }
        browser.find("#lens-run").click();
        browser.await("the lens grid", 30, b -> "done".equals(b.find("#lens-state").getAttribute("data-state"))
                || "error".equals(b.find("#lens-state").getAttribute("data-state")));
        assertEquals("done", browser.find("#lens-state").getAttribute("data-state"),
                browser.find("#lens-state").getText());
        int layers = holder.engine().orElseThrow().modelInfo().layers();
        int tokens = given().contentType("application/json").body("{\"prompt\": \"The lens\"}").post("/tokenize")
                .then().extract().path("count");
        assertEquals(layers + 1, browser.all(".lens tbody tr").size());
        assertEquals(tokens, browser.all(".lens tbody tr:first-child td").size());
        page.hover(browser.find(".lens tbody tr:first-child td"));
        assertTrue(browser.find("#lens-detail").getText().contains("logprob"));
        browser.screenshot("playground-inspector");
    }

    @Test
    void shownDefaultsAreTheServersDefaults() {
        @SuppressWarnings("unchecked")
        Map<String, Object> defaults = (Map<String, Object>) browser.jsAsync(
                "const done = arguments[arguments.length - 1];"
                        + "import('/js/params.js').then(m => done(m.SERVER_DEFAULTS));");
        for (String name : List.of("temperature", "top_p", "top_k", "min_p", "repetition_penalty")) {
            // integral JavaScript numbers arrive as Long: "1", "0" as the page writes them
            assertEquals(String.valueOf(defaults.get(name)), browser.find("#param-" + name).getAttribute("placeholder"),
                    name);
        }
        // the same seed with nothing set and with the shown defaults written out gives the same tokens
        String bare = ApiTestClient.jsonObject("prompt", "Defaults", "seed", 11, "ignore_eos", true);
        String explicit = ApiTestClient.jsonObject("prompt", "Defaults", "seed", 11, "ignore_eos", true,
                "temperature", defaults.get("temperature"), "top_p", defaults.get("top_p"),
                "top_k", defaults.get("top_k"), "min_p", defaults.get("min_p"),
                "repetition_penalty", defaults.get("repetition_penalty"), "max_tokens", defaults.get("max_tokens"));
        JsonNode a = ApiTestClient.json(given().contentType("application/json").body(bare).post("/v1/completions")
                .then().statusCode(200).extract().asString());
        JsonNode b = ApiTestClient.json(given().contentType("application/json").body(explicit)
                .post("/v1/completions").then().statusCode(200).extract().asString());
        assertEquals(((Number) defaults.get("max_tokens")).intValue(), a.at("/usage/completion_tokens").asInt());
        assertEquals(a.at("/choices/0/text").asText(), b.at("/choices/0/text").asText());
    }

    @Test
    void everyControlHasALabelAndTheTabsWorkByKeyboard() {
        @SuppressWarnings("unchecked")
        List<String> unlabelled = (List<String>) browser.js("return [...document.querySelectorAll("
                + "'input, textarea, select, button')].filter(e => !(e.labels && e.labels.length)"
                + " && !e.getAttribute('aria-label') && !e.textContent.trim()).map(e => e.id || e.outerHTML)");
        assertEquals(List.of(), unlabelled);
        browser.find("#tab-generate").sendKeys(Keys.ARROW_RIGHT);
        assertEquals("tab-tokenizer", browser.driver.switchTo().activeElement().getAttribute("id"));
        assertNull(browser.find("#panel-tokenizer").getAttribute("hidden"));
        assertNotNull(browser.find("#panel-generate").getAttribute("hidden"));
        // on a freshly loaded page the first Tab stop is the skip link, which leads to the prompt
        page.open();
        new Actions(browser.driver).sendKeys(Keys.TAB).perform();
        WebElement skip = browser.driver.switchTo().activeElement();
        assertEquals("skip", skip.getAttribute("class"));
        assertTrue(skip.isDisplayed(), "the skip link shows when focused");
        skip.sendKeys(Keys.ENTER);
        assertEquals("prompt", browser.driver.switchTo().activeElement().getAttribute("id"));
    }

    @Test
    void usableAtPhoneWidth() {
        browser.viewport(390, 844);
        page.open();
        page.awaitReady();
        assertFalse(page.overflowsHorizontally(), "a horizontal scroll bar at phone width");
        WebElement generate = browser.find("#generate");
        assertTrue(generate.isDisplayed());
        assertTrue(generate.getRect().getX() + generate.getRect().getWidth() <= 390);
        page.param("max_tokens", "6");
        page.typePrompt("Small screen");
        generate.click();
        page.awaitFinished(60);
        assertTrue(page.tokenCount() > 0);
        assertFalse(page.overflowsHorizontally(), "a horizontal scroll bar after generating");
        browser.screenshot("playground-phone");
    }

    /** A sample of {@code /q/metrics} with exactly these labels (in Micrometer's alphabetical order). */
    private static double metric(String name, String... labels) {
        Double v = sample(name, labels);
        assertNotNull(v, () -> name + " " + String.join(",", labels) + " is not in /q/metrics");
        return v;
    }

    /** A counter's sample; 0 before its first increment (Micrometer writes it only once it exists). */
    private static double counter(String name, String... labels) {
        Double v = sample(name, labels);
        return v == null ? 0.0 : v;
    }

    private static Double sample(String name, String... labels) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < labels.length; i += 2) {
            l.append(i == 0 ? "{" : ",").append(labels[i]).append("=\"").append(labels[i + 1]).append('"');
        }
        if (labels.length > 0) {
            l.append('}');
        }
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + l) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : null;
    }
}
