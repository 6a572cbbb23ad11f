package dev.neox4j.api;

import dev.neox4j.config.EngineHolder;
import io.quarkus.test.common.http.TestHTTPResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;

import java.net.URI;

/**
 * What the tests against the running test server share: its address, its engine, and waiting before each test
 * until the engine is loaded (the server answers before the model is ready).
 */
public abstract class ServerTestBase {

    /** The test server's root. */
    @TestHTTPResource("/")
    protected URI base;

    @Inject
    protected EngineHolder holder;

    @BeforeEach
    public void awaitServerReady() {
        ApiTestClient.awaitReady(holder);
    }
}
