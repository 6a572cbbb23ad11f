package dev.neox4j.playground;

import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

import java.net.URI;
import java.util.List;

/** The playground page as a test uses it: its controls by what they do. */
final class PlaygroundPage {

    final Browser browser;
    private final URI base;

    PlaygroundPage(Browser browser, URI base) {
        this.browser = browser;
        this.base = base;
    }

    /** Loads {@code /} and waits until the page has shown a state other than its first one. */
    PlaygroundPage open() {
        browser.driver.get(base.resolve("/").toString());
        browser.await("the page to start", 30, b -> !"starting".equals(status().getAttribute("data-state")));
        return this;
    }

    WebElement status() {
        return browser.find("#status");
    }

    String state() {
        return status().getAttribute("data-state");
    }

    void awaitReady() {
        browser.await("the status to be ready (it is '" + status().getText() + "')", 60,
                b -> "ready".equals(state()));
    }

    WebElement prompt() {
        return browser.find("#prompt");
    }

    void typePrompt(String text) {
        WebElement prompt = prompt();
        prompt.clear();
        prompt.sendKeys(text);
    }

    /** Sets a parameter field ({@code temperature}, {@code max_tokens}, ... or {@code stop}); "" empties it. */
    void param(String name, String value) {
        WebElement input = browser.find("#param-" + name);
        input.clear();
        if (!value.isEmpty()) {
            input.sendKeys(value);
        }
    }

    /** Presses Ctrl+Enter in the prompt (the generate shortcut). */
    void generateByKeyboard() {
        prompt().sendKeys(Keys.chord(Keys.CONTROL, Keys.ENTER));
    }

    void chatMode() {
        browser.find("input[name=mode][value=chat]").click();
    }

    void tab(String name) {
        browser.find("#tab-" + name).click();
    }

    /** Waits until no generation runs (the Generate button is enabled again). */
    void awaitFinished(double seconds) {
        browser.await("the generation to finish", seconds, b -> b.find("#generate").isEnabled()
                && !"generating".equals(state()));
    }

    List<WebElement> tokens() {
        return browser.all("#output .tok");
    }

    int tokenCount() {
        return ((Long) browser.js("return document.querySelectorAll('#output .tok').length")).intValue();
    }

    /** The token ids of the generated tokens, in order. */
    @SuppressWarnings("unchecked")
    List<Long> tokenIds() {
        return ((List<Object>) browser.js("return [...document.querySelectorAll('#output .tok')]"
                + ".map(s => Number(s.dataset.id))")).stream().map(o -> ((Number) o).longValue()).toList();
    }

    /** A figure of the last request by its term ("generated tokens", ...). */
    String figure(String term) {
        return (String) browser.js("const dts = [...document.querySelectorAll('#figures dt')];"
                + "const dt = dts.find(d => d.textContent === arguments[0]);"
                + "return dt ? dt.nextElementSibling.textContent : null;", term);
    }

    void hover(WebElement element) {
        new Actions(browser.driver).moveToElement(element).perform();
    }

    /** Whether the page's document is wider than its viewport (a horizontal scroll bar). */
    boolean overflowsHorizontally() {
        return (Boolean) browser.js("return document.documentElement.scrollWidth > window.innerWidth + 1");
    }
}
