package org.qins.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The chat page in a real browser (Debian's headless chromium through chromedriver): a streamed
 * answer appears with its tokens/s and equals the server's whole answer to the same conversation;
 * Stop ends a reply mid-stream and frees the server's slot. Skipped where chromium or chromedriver
 * is not installed. {@code -Dqins.screenshot=FILE} keeps the screenshot of the streamed answer.
 */
class ChatPageBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    Path tmp;

    @Test
    void aStreamedAnswerShowsItsRateAndStopEndsAReply() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "skipped: the browser test needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)");
        try (TestServers.Running s = TestServers.Running.start(TestServers.chatModel(tmp), TestServers.limits(4, 16, 64), null)) {
            WebDriver browser = browser();
            try {
                browser.get(s.url("/"));
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
                wait.until(d -> d.findElement(By.id("model")).getText().equals("tiny"));
                set(browser, "temperature", "0");
                set(browser, "max-tokens", "40");
                set(browser, "system", "be brief");
                send(browser, "hello there");
                wait.until(d -> "done".equals(d.findElement(By.id("status")).getDomAttribute("data-state")));
                String first = answers(browser).getLast().getText();
                String expected = wholeAnswer(s, List.of("system", "be brief", "user", "hello there"), 40);
                assertThat(first).isEqualTo(expected.strip()); // the browser's innerText drops trailing white space
                String meta = browser.findElement(By.cssSelector(".meta")).getText();
                assertThat(meta).matches("40 tokens, [0-9.]+ tok/s, first token after \\d+ ms \\(length\\)");

                send(browser, "and how is the weather");
                wait.until(d -> "done".equals(d.findElement(By.id("status")).getDomAttribute("data-state")));
                Path shot = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
                Path target = Path.of("target", "chat-page.png");
                Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
                String keep = System.getProperty("qins.screenshot");
                if (keep != null && !keep.isBlank()) {
                    Files.copy(shot, Path.of(keep), StandardCopyOption.REPLACE_EXISTING);
                }
                assertThat(Files.size(target)).isPositive();

                // Stop: a long reply (the longest greedy answer of a few messages), stopped by a click as soon as its first
                // text shows.
                String ask = null;
                String full = null;
                int longest = 0;
                for (String candidate : List.of("tell me everything", "go on", "more please", "and then", "write a long story", "why")) {
                    JsonNode c = whole(s, List.of("system", "be brief", "user", candidate), 440);
                    int tokens = c.path("usage").path("completion_tokens").asInt();
                    if (tokens > longest) {
                        longest = tokens;
                        ask = candidate;
                        full = c.path("choices").path(0).path("message").path("content").asText();
                    }
                }
                assertThat(longest).as("the longest greedy answer among the candidates").isGreaterThanOrEqualTo(100);
                browser.findElement(By.id("clear")).click();
                set(browser, "max-tokens", "440");
                ((JavascriptExecutor) browser).executeScript("""
                        new MutationObserver((changes, observer) => {
                          const a = document.querySelector('.msg.assistant');
                          if (a && a.textContent.length > 0) { observer.disconnect(); document.getElementById('stop').click(); }
                        }).observe(document.getElementById('messages'), {childList: true, subtree: true, characterData: true});""");
                send(browser, ask);
                wait.until(d -> !"streaming".equals(d.findElement(By.id("status")).getDomAttribute("data-state")));
                assertThat(browser.findElement(By.id("status")).getDomAttribute("data-state")).isEqualTo("stopped");
                String stopped = answers(browser).getLast().getText();
                assertThat(stopped).isNotEmpty();
                assertThat(full).startsWith(stopped);
                assertThat(stopped.length()).isLessThan(full.strip().length());
                assertThat(browser.findElement(By.cssSelector(".meta")).getText()).endsWith("(stopped)");
                ServerLimitsTest.await(s, h -> h.path("running").asInt() == 0);
            } finally {
                browser.quit();
            }
        }
    }

    private WebDriver browser() throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // The flags that work on this kind of machine: no sandbox as root, no background network (it is closed).
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--window-size=960,640", "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium-profile")));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    private static void set(WebDriver browser, String id, String value) {
        WebElement e = browser.findElement(By.id(id));
        e.clear();
        e.sendKeys(value);
    }

    private static void send(WebDriver browser, String text) {
        browser.findElement(By.id("prompt")).sendKeys(text);
        browser.findElement(By.id("send")).click();
    }

    private static List<WebElement> answers(WebDriver browser) {
        return browser.findElements(By.cssSelector(".msg.assistant"));
    }

    /** The server's non-streamed greedy answer to {@code roleAndText} pairs. */
    private static String wholeAnswer(TestServers.Running s, List<String> roleAndText, int maxTokens) {
        return whole(s, roleAndText, maxTokens).path("choices").path(0).path("message").path("content").asText();
    }

    /** The server's non-streamed greedy response to {@code roleAndText} pairs. */
    private static JsonNode whole(TestServers.Running s, List<String> roleAndText, int maxTokens) {
        var messages = TestServers.JSON.createArrayNode();
        for (int i = 0; i < roleAndText.size(); i += 2) {
            messages.addObject().put("role", roleAndText.get(i)).put("content", roleAndText.get(i + 1));
        }
        var body = TestServers.JSON.createObjectNode();
        body.set("messages", messages);
        body.put("temperature", 0).put("max_tokens", maxTokens);
        return TestServers.json(s.post("/v1/chat/completions", body.toString()).body());
    }
}
