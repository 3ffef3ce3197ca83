package io.datacat.server.testing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;

/**
 * A test class run once per store (SQLite, PostgreSQL), each test against a fresh real server
 * over HTTP. A subclass's own {@code @BeforeEach} runs after the server is up.
 */
@ParameterizedClass(name = "store: {0}")
@EnumSource(TestStores.Kind.class)
public abstract class ServerPerStoreTest {
    @Parameter
    protected TestStores.Kind kind;
    @TempDir
    protected Path dir;
    protected TestServer server;

    @BeforeEach
    void startServer() {
        server = TestServer.start(TestStores.location(kind, dir));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }
}
