package io.datacat.server.ui;

import io.datacat.server.ServerConfig;
import io.datacat.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.function.Consumer;

/** A real server with its own data folder and a real headless Chromium, shared by a class's tests. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ServerAndBrowser {
    /** The server's data folder, made for each test class and deleted after it. */
    @TempDir
    static Path dir;
    TestServer server;
    Browser browser;

    /** Starts the server with {@code options}, lets {@code seed} put its sessions in, then opens the browser. */
    void start(Consumer<ServerConfig.Builder> options, Runnable seed) {
        server = TestServer.start(dir, options);
        seed.run();
        browser = Browser.start();
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
