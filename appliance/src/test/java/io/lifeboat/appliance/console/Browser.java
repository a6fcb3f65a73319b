package io.lifeboat.appliance.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium, driven through its chromedriver, looking at one appliance at
 * {@code http://localhost:<port>}. Nothing is downloaded: the binaries are the system's
 * ({@code scripts/host-setup.sh --browser} installs them). Screenshots go to
 * {@code appliance/target/console-screenshots}, kept by CI as test artifacts.
 */
public final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    public static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    static final Duration WAIT = Duration.ofSeconds(30);

    private final ChromeDriver driver;
    private final String base;
    private final Path profile;

    private Browser(ChromeDriver driver, String base, Path profile) {
        this.driver = driver;
        this.base = base;
        this.profile = profile;
    }

    /** A new browser with an empty profile (no cookies), {@code width} by {@code height} pixels. */
    public static Browser open(int port, int width, int height) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("the console's browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
                    + ": run scripts/host-setup.sh --browser (apt-get install chromium chromium-driver)");
        }
        try {
            Path profile = Files.createTempDirectory("lifeboat-chromium-");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            // Without the background-networking switches Chromium keeps calling home, and this
            // machine's closed network refuses each attempt.
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-extensions", "--user-data-dir=" + profile,
                    "--window-size=" + width + "," + height);
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL);
            options.setCapability("goog:loggingPrefs", logs);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().scriptTimeout(WAIT);
            return new Browser(driver, "http://localhost:" + port, profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Browser open(int port) {
        return open(port, 1366, 900);
    }

    public WebDriver driver() {
        return driver;
    }

    public String base() {
        return base;
    }

    /** Loads {@code path} (e.g. {@code /} or {@code /#/vms}) as a new navigation. */
    public Browser go(String path) {
        driver.get(base + path);
        return this;
    }

    /** Logs in through the login page and waits for the console's navigation. */
    public Browser login(String user, String password) {
        go("/login");
        type(By.id("username"), user);
        type(By.id("password"), password);
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#nav a[href='#/vms']")));
        return this;
    }

    /** Goes to a console page ({@code #/vms}) and waits until it shows its heading. */
    public Browser page(String hash) {
        ((JavascriptExecutor) driver).executeScript("location.hash = arguments[0]", hash);
        await(d -> d.findElements(By.cssSelector("main .loading")).isEmpty()
                && !d.findElements(By.cssSelector("main h1")).isEmpty());
        return this;
    }

    public WebElement find(By by) {
        return await(ExpectedConditions.presenceOfElementLocated(by));
    }

    public List<WebElement> all(By by) {
        return driver.findElements(by);
    }

    public WebElement visible(By by) {
        return await(ExpectedConditions.visibilityOfElementLocated(by));
    }

    public void click(By by) {
        await(ExpectedConditions.elementToBeClickable(by)).click();
    }

    public void type(By by, String text) {
        WebElement e = visible(by);
        e.clear();
        e.sendKeys(text);
    }

    /** Waits until the element's text contains {@code text}; returns the element. */
    public WebElement awaitText(By by, String text) {
        await(ExpectedConditions.textToBePresentInElementLocated(by, text));
        return driver.findElement(by);
    }

    public <T> T await(ExpectedCondition<T> condition) {
        return await(condition, WAIT);
    }

    public <T> T await(ExpectedCondition<T> condition, Duration timeout) {
        try {
            return new WebDriverWait(driver, timeout, Duration.ofMillis(100)).until(condition);
        } catch (TimeoutException e) {
            screenshot("timeout-" + System.nanoTime());
            throw new AssertionError("waited " + timeout.toSeconds() + " s in vain at " + driver.getCurrentUrl()
                    + "; the page said: " + text(By.tagName("main")) + "; browser log: " + log(), e);
        }
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** The element's text, or "" when there is none. */
    public String text(By by) {
        List<WebElement> found = driver.findElements(by);
        return found.isEmpty() ? "" : found.get(0).getText();
    }

    /** Saves what the browser shows as {@code target/console-screenshots/<name>.png}. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the page wrote to its console at level SEVERE (script errors, failed loads) since the last call. */
    public List<String> errors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage).toList();
    }

    private String log() {
        try {
            return driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage).toList().toString();
        } catch (RuntimeException e) {
            return "(unavailable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary profile left behind is harmless
            }
        }
    }
}
