package io.github.keycloakreplica.it;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Real headless Chromium for the browser tests (Debian's chromium and chromedriver, or the paths in
 * {@code -Dit.chromium} and {@code -Dit.chromedriver}); screenshots go to {@code it/target/screenshots/}.
 * As an extension of a test class it opens a browser before each test into the class's
 * {@code WebDriver} field and quits it after the test, whatever the outcome.
 */
final class Chromium implements BeforeEachCallback, AfterEachCallback {

    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Chromium.class);

    @Override
    public void beforeEach(ExtensionContext context) throws IllegalAccessException {
        WebDriver browser = open();
        context.getStore(NAMESPACE).put(WebDriver.class, browser);
        for (Field field : context.getRequiredTestClass().getDeclaredFields()) {
            if (field.getType() == WebDriver.class) {
                field.setAccessible(true);
                field.set(context.getRequiredTestInstance(), browser);
            }
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        WebDriver browser = context.getStore(NAMESPACE).remove(WebDriver.class, WebDriver.class);
        if (browser != null) {
            browser.quit();
        }
    }

    static WebDriver open() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("it.chromium", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(System.getProperty("it.chromedriver", "/usr/bin/chromedriver")))
                .build();
        return new ChromeDriver(service, options);
    }

    static void screenshot(WebDriver browser, String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
