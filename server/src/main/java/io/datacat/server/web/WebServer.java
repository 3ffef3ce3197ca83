package io.datacat.server.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.PayloadTooLargeException;
import io.datacat.protocol.RecordValidator;
import io.datacat.server.compat.CompatRequests;
import io.datacat.server.ingest.ApiRecord;
import io.datacat.server.ingest.IngestResult;
import io.datacat.server.ingest.Ingestor;
import io.datacat.server.ingest.OutOfOrderException;
import io.datacat.server.ingest.RequestOrder;
import io.datacat.server.live.LiveFeed;
import io.datacat.server.live.TooManyWatchersException;
import io.datacat.server.query.MetricQueries;
import io.datacat.server.query.NdjsonExport;
import io.datacat.server.query.NotFoundException;
import io.datacat.server.query.ProductQueries;
import io.datacat.server.query.QueryParams;
import io.datacat.server.query.RecordQueries;
import io.datacat.server.query.SessionQueries;
import io.datacat.server.store.SessionNotFoundException;
import io.datacat.server.store.SessionRow;
import io.datacat.server.store.StoreUnavailableException;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.sse.SseHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The HTTP API (server/README.md, "Server reference"). Routes only parse the request, call
 * the ingest or query classes and write JSON; every error is JSON with a fitting status, except
 * a browser's visit to a path that does not exist, which gets a page saying so.
 */
public final class WebServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);
    /** What a 500 says; the details go to the log, never to the client. */
    static final String INTERNAL_ERROR = "internal error; see the server log";
    private static final String STARTED = "datacat.started";

    private final Javalin app;

    /** The collaborators the routes call. */
    public record Services(Ingestor ingestor, SessionQueries sessions, RecordQueries records, MetricQueries metrics,
                           ProductQueries products, LiveFeed live, String version) {
    }

    private WebServer(Javalin app) {
        this.app = app;
    }

    /**
     * Starts listening.
     *
     * @throws io.javalin.util.JavalinBindException when the address cannot be bound
     */
    public static WebServer start(String host, int port, long maxBodyBytes, Services services) {
        Routes routes = new Routes(services, new RequestBodies(maxBodyBytes), new UiAssets());
        Javalin app = Javalin.create(config -> configure(config, host, port, routes));
        try {
            app.start();
        } catch (RuntimeException e) {
            app.stop();
            throw e;
        }
        return new WebServer(app);
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    private static void configure(JavalinConfig config, String host, int port, Routes routes) {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.jetty.host = host;
        config.jetty.port = port;
        config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
        routes.register(config.routes);
        errors(config.routes);
    }

    private static void errors(RoutesConfig r) {
        r.exception(PayloadTooLargeException.class, (e, ctx) -> {
            RequestBodies.discardRest(ctx);
            JsonResponses.error(ctx, 413, e.getMessage(), null);
        });
        r.exception(InvalidInputException.class,
                (e, ctx) -> JsonResponses.error(ctx, 400, e.getMessage(), e.field()));
        r.exception(SessionNotFoundException.class,
                (e, ctx) -> JsonResponses.error(ctx, 404, "session not found", null));
        r.exception(NotFoundException.class, (e, ctx) -> JsonResponses.error(ctx, 404, e.getMessage(), null));
        r.exception(TooManyWatchersException.class, (e, ctx) -> {
            ctx.header("Retry-After", "30");
            JsonResponses.error(ctx, 503, e.getMessage(), null);
        });
        r.exception(ApiError.class, (e, ctx) -> JsonResponses.error(ctx, e.status(), e.getMessage(), null));
        r.exception(OutOfOrderException.class, (e, ctx) -> {
            RequestBodies.discardRest(ctx);
            ctx.header("Retry-After", "1");
            JsonResponses.error(ctx, 503, e.getMessage(), null);
        });
        r.exception(StoreUnavailableException.class, (e, ctx) -> {
            LOG.warn("{} {}: {}", ctx.method(), ctx.path(), e.getMessage());
            ctx.header("Retry-After", "5");
            JsonResponses.error(ctx, 503, e.getMessage(), null);
        });
        r.exception(HttpResponseException.class,
                (e, ctx) -> JsonResponses.error(ctx, e.getStatus(), e.getMessage(), null));
        r.exception(Exception.class, (e, ctx) -> {
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            JsonResponses.error(ctx, 500, INTERNAL_ERROR, null);
        });
    }

    /** The route table. Javalin tries routes in the order they are added; the first match answers. */
    private static final class Routes {
        private final Services services;
        private final RequestBodies bodies;
        private final UiAssets ui;

        Routes(Services services, RequestBodies bodies, UiAssets ui) {
            this.services = services;
            this.bodies = bodies;
            this.ui = ui;
        }

        void register(RoutesConfig r) {
            // How long the server worked on an API request, for browsers' dev tools and the UI benchmark.
            r.before("/api/*", ctx -> ctx.attribute(STARTED, System.nanoTime()));
            r.after("/api/*", ctx -> {
                Long started = ctx.attribute(STARTED);
                if (started != null) {
                    ctx.header("Server-Timing", String.format(Locale.ROOT, "app;dur=%.2f",
                            (System.nanoTime() - started) / 1e6));
                }
            });
            otherMethods(r, "/health", this::health);

            // The web UI: one page for every UI path (the app routes in the browser), its files under /ui/.
            // HEAD answers as GET does (Jetty leaves the body out): curl -I and link checkers see the page.
            for (String page : List.of("/", "/sessions", "/sessions/{id}", "/metrics")) {
                r.get(page, ui::page);
                r.head(page, ui::page);
            }
            r.get("/ui/<path>", ui::file);
            r.head("/ui/<path>", ui::file);
            r.get("/favicon.ico", ui::favicon);
            r.head("/favicon.ico", ui::favicon);
            r.get("/api/products", ctx -> JsonResponses.send(ctx, 200, services.products().overview()));
            r.get("/api/metrics", ctx -> JsonResponses.send(ctx, 200, services.metrics().acrossSessions(params(ctx))));

            r.post("/api/ingest", this::ingest);
            otherMethods(r, "/api/ingest", methodNotAllowed("use POST for /api/ingest"), HandlerType.POST);

            r.get("/api/sessions", ctx -> JsonResponses.send(ctx, 200, services.sessions().list(params(ctx))));
            r.post("/api/sessions", this::createSession);
            otherMethods(r, "/api/sessions", methodNotAllowed("Method not allowed"), HandlerType.GET,
                    HandlerType.POST);

            // Before {id}, which would take "export" for a session id.
            r.get("/api/sessions/export", ctx -> export(ctx, services.sessions().export(params(ctx))));
            r.get("/api/sessions/{id}", this::sessionDetail);
            r.post("/api/sessions/{id}/state", ctx -> append(ctx, CompatRequests::state));
            r.post("/api/sessions/{id}/events", ctx -> append(ctx, CompatRequests::event));
            r.post("/api/sessions/{id}/metrics", ctx -> append(ctx, CompatRequests::metric));
            r.post("/api/sessions/{id}/crash", ctx -> append(ctx, CompatRequests::crash));
            r.post("/api/sessions/{id}/end", ctx -> {
                services.ingestor().append(sessionId(ctx), CompatRequests.end());
                JsonResponses.ok(ctx);
            });
            r.post("/api/sessions/{id}/heartbeat", ctx -> {
                services.ingestor().heartbeat(sessionId(ctx));
                JsonResponses.ok(ctx);
            });
            r.get("/api/sessions/{id}/events",
                    ctx -> JsonResponses.send(ctx, 200, services.records().events(sessionId(ctx), params(ctx))));
            r.get("/api/sessions/{id}/metrics",
                    ctx -> JsonResponses.send(ctx, 200, services.records().metrics(sessionId(ctx), params(ctx))));
            r.get("/api/sessions/{id}/records",
                    ctx -> JsonResponses.send(ctx, 200, services.records().records(sessionId(ctx), params(ctx))));
            r.get("/api/sessions/{id}/export",
                    ctx -> export(ctx, services.records().export(sessionId(ctx), params(ctx))));
            r.get("/api/sessions/{id}/summary",
                    ctx -> JsonResponses.send(ctx, 200, services.sessions().summary(sessionId(ctx))));
            r.get("/api/sessions/{id}/timeline",
                    ctx -> JsonResponses.send(ctx, 200, services.records().timeline(sessionId(ctx), params(ctx))));
            r.get("/api/sessions/{id}/state/at",
                    ctx -> JsonResponses.send(ctx, 200, services.records().stateAt(sessionId(ctx), params(ctx))));
            r.get("/api/sessions/{id}/series", ctx -> JsonResponses.send(ctx, 200,
                    services.metrics().sessionSeries(sessionId(ctx), params(ctx))));
            r.get("/api/sessions/{id}/live", this::live);
            r.get("/api/sessions/{id}/state",
                    ctx -> JsonResponses.send(ctx, 200, services.records().state(sessionId(ctx))));
            r.get("/api/sessions/{id}/state/history", ctx -> JsonResponses.send(ctx, 200,
                    services.records().stateHistory(sessionId(ctx), params(ctx))));
            // Everything else under /api/sessions/: an empty id, or an operation we do not have.
            otherMethods(r, "/api/sessions/<rest>", ctx -> {
                throw ctx.pathParam("rest").startsWith("/")
                        ? new ApiError(400, "Session ID required")
                        : new ApiError(404, "Not found");
            });

            r.get("/api/data/sessions", this::exportSessions);
            otherMethods(r, "/api/data/sessions", methodNotAllowed("Method not allowed"), HandlerType.GET);

            Handler notFound = ctx -> {
                if (!UiAssets.wantsPage(ctx)) {
                    throw new ApiError(404, "Not found: no route for " + ctx.method() + " " + ctx.path());
                }
                ui.notFoundPage(ctx);
            };
            otherMethods(r, "/", notFound, HandlerType.GET, HandlerType.HEAD);
            otherMethods(r, "/<path>", notFound);
        }

        private void health(Context ctx) {
            JsonResponses.send(ctx, 200, JsonResponses.object().put("status", "healthy")
                    .put("service", "datacat-server").put("version", services.version()));
        }

        private void ingest(Context ctx) {
            RequestOrder.Ticket ticket = RequestOrder.Ticket.parse(ctx.header(RequestOrder.HEADER));
            IngestResult result = services.ingestor().ingest(() -> bodies.open(ctx), ticket);
            if (services.ingestor().keepsRequestOrder()) {
                // Tells senders they may keep several numbered requests in flight.
                ctx.header(RequestOrder.HEADER, RequestOrder.KEPT);
            }
            JsonResponses.send(ctx, 200, JsonResponses.object().put("status", "ok")
                    .put("accepted", result.accepted()).put("duplicates", result.duplicates()));
        }

        /**
         * Server-sent events of the session's new records ({@link LiveFeed}). Checked before
         * the stream starts, so an unknown session, a plain GET or a full feed gets a JSON error:
         * the stream answers 200 at once and runs its callback later, on another thread.
         */
        private void live(Context ctx) throws Exception {
            String id = sessionId(ctx);
            SessionRow session = services.sessions().row(id);
            String accept = ctx.header("Accept");
            if (accept == null || !accept.contains("text/event-stream")) {
                throw new ApiError(406, "this route streams server-sent events: send Accept: text/event-stream");
            }
            LiveFeed.Slot slot = services.live().reserve();
            try {
                new SseHandler(client -> {
                    try (slot) { // given back here only if the watch did not take it
                        AutoCloseable watch = services.live().watch(slot, session, new SseSink(client));
                        client.onClose(() -> {
                            try {
                                watch.close();
                            } catch (Exception e) {
                                LOG.debug("closing a live watch failed: {}", e.getMessage());
                            }
                        });
                    }
                    client.keepAlive();
                }).handle(ctx);
            } catch (Exception e) {
                slot.close();
                throw e;
            }
        }

        private void createSession(Context ctx) {
            ObjectNode start = CompatRequests.sessionStart(bodies.read(ctx));
            String id = services.ingestor().createSession(start);
            JsonResponses.send(ctx, 200, JsonResponses.object().put("session_id", id));
        }

        private void sessionDetail(Context ctx) {
            try {
                JsonResponses.send(ctx, 200, services.sessions().detail(sessionId(ctx)));
            } catch (SessionNotFoundException e) {
                throw new ApiError(404, "Session not found"); // this route's wording in COMPAT 1.3
            }
        }

        private void append(Context ctx, Function<byte[], ApiRecord> translate) {
            String id = sessionId(ctx);
            services.ingestor().append(id, translate.apply(bodies.read(ctx)));
            JsonResponses.ok(ctx);
        }

        private void exportSessions(Context ctx) throws IOException {
            ctx.status(200).contentType(JsonResponses.CONTENT_TYPE);
            services.sessions().exportAll(ctx.outputStream());
        }

        /** Streams an NDJSON export as a download; its request was checked when it was made. */
        private static void export(Context ctx, NdjsonExport export) throws IOException {
            ctx.status(200).contentType(NdjsonExport.CONTENT_TYPE)
                    .header("Content-Disposition", "attachment; filename=\"" + export.fileName() + "\"");
            export.writeTo(ctx.outputStream());
        }

        /** The {id} of the path; an id no session can have is simply not found. */
        private static String sessionId(Context ctx) {
            String id = ctx.pathParam("id");
            try {
                RecordValidator.checkSessionId(id, "id");
            } catch (InvalidInputException e) {
                throw new SessionNotFoundException(id);
            }
            return id;
        }

        private static QueryParams params(Context ctx) {
            return QueryParams.parse(ctx.queryString());
        }

        private static Handler methodNotAllowed(String message) {
            return ctx -> {
                throw new ApiError(405, message);
            };
        }

        /** Adds {@code handler} for every method of {@code path} except those already routed. */
        private static void otherMethods(RoutesConfig r, String path, Handler handler, HandlerType... routed) {
            List<HandlerType> taken = List.of(routed);
            for (HandlerType method : HandlerType.commonHttp()) {
                if (!taken.contains(method)) {
                    r.addHttpHandler(method, path, handler);
                }
            }
        }
    }
}
