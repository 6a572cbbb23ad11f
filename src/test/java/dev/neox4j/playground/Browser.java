package dev.neox4j.playground;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A headless Chromium driven through Debian's {@code chromium} and {@code chromium-driver} packages. The driver and
 * the browser are named explicitly, so Selenium Manager never runs (it would try to download them); a machine without
 * them fails with the command that installs them.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMEDRIVER = Path.of(System.getProperty("neox.test.chromedriver", "/usr/bin/chromedriver"));
    static final Path CHROMIUM = Path.of(System.getProperty("neox.test.chromium", "/usr/bin/chromium"));
    static final Path SCREENSHOTS = Path.of("target", "playground");

    final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Starts a headless Chromium with a fresh profile and a window of {@code width} × {@code height}. */
    static Browser start(int width, int height) {
        for (Path p : List.of(CHROMEDRIVER, CHROMIUM)) {
            if (!Files.isExecutable(p)) {
                fail("The browser tests need Debian's Chromium and its driver, and " + p + " is missing. Install them "
                        + "with: apt-get update && apt-get install -y chromium chromium-driver (.ci/run does this)");
            }
        }
        // no Selenium Manager (downloads) and no tracing/telemetry: the driver binary is given, tracing is off
        System.setProperty("webdriver.remote.enableTracing", "false");
        System.setProperty("SE_AVOID_STATS", "true");
        try {
            Path profile = Files.createTempDirectory("neox4j-chromium-");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=" + width + "," + height);
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL);
            options.setCapability("goog:loggingPrefs", logs);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile())
                    .usingAnyFreePort()
                    .build();
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
            return new Browser(driver, profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Resizes the viewport (the window's inner size) to {@code width} × {@code height}. */
    void viewport(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
        long innerW = (Long) js("return window.innerWidth");
        long innerH = (Long) js("return window.innerHeight");
        driver.manage().window().setSize(new Dimension(width + (int) (width - innerW),
                height + (int) (height - innerH)));
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    Object jsAsync(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** Waits up to {@code seconds} until {@code condition} holds; fails with {@code what}. */
    void await(String what, double seconds, Predicate<Browser> condition) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        RuntimeException last = null;
        while (System.nanoTime() < end) {
            try {
                if (condition.test(this)) {
                    return;
                }
                last = null;
            } catch (org.openqa.selenium.WebDriverException e) {
                last = e; // the page changed under the check (a stale element): look again
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        fail("timed out after " + seconds + " s waiting for " + what + (last == null ? "" : ": " + last));
    }

    /** The browser console's entries since the last call. */
    List<LogEntry> console() {
        return driver.manage().logs().get(LogType.BROWSER).getAll();
    }

    /** Asserts that the console has no entry since the last call other than those {@code allowed} accepts. */
    void assertCleanConsole(Predicate<LogEntry> allowed) {
        List<String> bad = console().stream().filter(e -> !allowed.test(e))
                .map(e -> e.getLevel() + " " + e.getMessage()).toList();
        assertEquals(List.of(), bad, "browser console");
    }

    void assertCleanConsole() {
        assertCleanConsole(e -> false);
    }

    /** Saves a screenshot of the viewport as {@code target/playground/<name>.png}. */
    Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover temporary profile is harmless
            }
        }
    }
}
