package io.datacat.daemon.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.datacat.daemon.Log;
import io.datacat.daemon.session.SessionException;
import io.datacat.protocol.BoundedInputStream;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.PayloadTooLargeException;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The daemon's HTTP server, on the loopback interface only. Routes match the whole path;
 * errors are JSON: 400 bad input, 404 unknown route or session, 405 wrong method, 409 wrong
 * kind of session, 413 body over 16 MiB, 503 the spool cannot take the data (retry).
 */
public final class LocalApi implements Closeable {
    /** Handles one request. */
    @FunctionalInterface
    public interface Handler {
        ApiResponse handle(ApiRequest request) throws IOException;
    }

    /** A path's handler and the methods it takes (empty = any method). */
    public record Route(Set<String> methods, Handler handler) {
        public static Route post(Handler h) {
            return new Route(Set.of("POST"), h);
        }

        public static Route get(Handler h) {
            return new Route(Set.of("GET"), h);
        }

        public static Route any(Handler h) {
            return new Route(Set.of(), h);
        }
    }

    private static final int THREADS = 4;
    private static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";
    private static final long LARGE_BODY_BYTES = 1024 * 1024;

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, Route> routes;
    private final ReentrantLock largeBodies = new ReentrantLock(true);

    private LocalApi(HttpServer server, ExecutorService executor, Map<String, Route> routes) {
        this.server = server;
        this.executor = executor;
        this.routes = Map.copyOf(routes);
    }

    /** Binds 127.0.0.1:{@code port} (0 = any free port) and starts serving. */
    public static LocalApi start(int port, Map<String, Route> routes) throws IOException {
        // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's
        // delayed ACK, and every ack takes ~40 ms instead of ~1 ms. The JDK reads this property
        // once, when the first HttpServer of the process is created.
        if (System.getProperty(NODELAY_PROPERTY) == null) {
            System.setProperty(NODELAY_PROPERTY, "true");
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "datacat-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        LocalApi api = new LocalApi(server, executor, routes);
        server.createContext("/", api::dispatch);
        server.setExecutor(executor);
        server.start();
        return api;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        try (exchange) {
            ApiResponse response;
            boolean large = mayBeLarge(exchange);
            if (large) {
                largeBodies.lock();
            }
            try {
                response = route(exchange);
            } catch (RuntimeException e) {
                Log.error("unexpected failure on " + exchange.getRequestMethod() + " " + exchange.getRequestURI(), e);
                response = ApiResponse.error(500, "internal error in the daemon: " + e, null);
            } catch (OutOfMemoryError e) {
                // What failed to fit is this request's own data, which is garbage now.
                response = ApiResponse.error(413, "the request does not fit the daemon's memory; send smaller "
                        + "batches", null);
                Log.error("a request to " + exchange.getRequestURI().getPath() + " did not fit the heap", null);
            } finally {
                if (large) {
                    largeBodies.unlock();
                }
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(response.status(), response.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(response.body());
            }
        }
    }

    /** Bodies over 1 MiB, or of unknown size, are handled one at a time: a 64 MiB heap holds one 16 MiB batch. */
    private static boolean mayBeLarge(HttpExchange exchange) {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length == null) {
            return exchange.getRequestHeaders().containsKey("Transfer-Encoding");
        }
        try {
            return Long.parseLong(length.trim()) > LARGE_BODY_BYTES;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private ApiResponse route(HttpExchange exchange) {
        Route route = routes.get(exchange.getRequestURI().getPath());
        if (route == null) {
            return ApiResponse.error(404, "Not found: no route " + exchange.getRequestURI().getPath(), null);
        }
        if (!route.methods().isEmpty() && !route.methods().contains(exchange.getRequestMethod())) {
            return ApiResponse.error(405, "Method not allowed: use " + String.join(" or ", route.methods()), null);
        }
        try {
            return route.handler().handle(new ApiRequest(exchange));
        } catch (PayloadTooLargeException e) {
            BoundedInputStream.discardRest(exchange.getRequestBody());
            return ApiResponse.error(413, e.getMessage(), null);
        } catch (InvalidInputException e) {
            return ApiResponse.error(400, e.getMessage(), e.field());
        } catch (SessionException e) {
            return ApiResponse.error(e.status(), e.getMessage(), null);
        } catch (IOException e) {
            Log.error("the spool cannot take data", e);
            return ApiResponse.error(503, "the daemon cannot write its spool (" + e.getMessage()
                    + "); keep the data and retry", null);
        }
    }

    /**
     * Stops accepting and lets the handlers in progress finish their spool writes (up to 2 s).
     * JDK 17's {@code stop(delay)} always waits the whole delay, so the wait is on the executor.
     */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdown();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
