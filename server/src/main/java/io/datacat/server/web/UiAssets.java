package io.datacat.server.web;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web UI's files, served from the classpath: the app under {@value #APP_ROOT} and uPlot
 * from its webjar. Nothing comes from elsewhere, so the UI works on a machine without
 * internet access. Files are read once and kept (they are small), with an ETag so a browser
 * revalidates instead of downloading them again.
 */
final class UiAssets {
    private static final String APP_ROOT = "datacat-ui/";
    private static final String VENDOR_PREFIX = "vendor/";
    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9_-]+([./][A-Za-z0-9_-]+)*");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon");
    /**
     * No script or style but our own files, no inline script, nothing from other origins: a
     * second line of defence behind the UI's escaping of every value a client sent.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";

    private final String uplotRoot;
    private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

    private record Asset(byte[] bytes, String type, String etag) {
    }

    UiAssets() {
        Properties p = new Properties();
        try (InputStream in = resource(APP_ROOT + "build.properties")) {
            if (in == null) {
                throw new IllegalStateException(APP_ROOT + "build.properties is missing from the server jar");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        uplotRoot = "META-INF/resources/webjars/uplot/" + p.getProperty("uplot.version") + "/dist/";
    }

    /** The page shell for every UI path; the app reads the path and the query string itself. */
    void page(Context ctx) {
        send(ctx, "index.html");
    }

    /** {@code /ui/<path>}: a file of the app, or {@code /ui/vendor/<file>} from uPlot. */
    void file(Context ctx) {
        send(ctx, ctx.pathParam("path"));
    }

    /** {@code /favicon.ico}, which browsers ask for on pages that name no icon (a JSON answer opened in a tab). */
    void favicon(Context ctx) {
        send(ctx, "favicon.ico");
    }

    /**
     * Whether a request for a path without a route is a browser's visit, to be answered with
     * {@link #notFoundPage}: a GET or HEAD outside the API that accepts HTML. API clients and
     * curl, which accepts anything but asks for no HTML, get JSON errors as everywhere.
     */
    static boolean wantsPage(Context ctx) {
        String accept = ctx.header("Accept");
        boolean read = ctx.method() == HandlerType.GET || ctx.method() == HandlerType.HEAD;
        return read && !ctx.path().startsWith("/api/") && accept != null && accept.contains("text/html");
    }

    /** A page saying that nothing is here, with a link to the overview, answered with 404. */
    void notFoundPage(Context ctx) {
        Asset page = cache.computeIfAbsent("not-found.html", this::load).orElseThrow();
        headers(ctx, page);
        ctx.status(404).contentType(page.type()).result(page.bytes());
    }

    private void send(Context ctx, String path) {
        Asset asset = cache.computeIfAbsent(path, this::load)
                .orElseThrow(() -> new ApiError(404, "Not found: no UI file " + path));
        headers(ctx, asset);
        if (asset.etag().equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.status(200).contentType(asset.type()).result(asset.bytes());
    }

    private static void headers(Context ctx, Asset asset) {
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Cache-Control", "no-cache");
        ctx.header("ETag", asset.etag());
        if (asset.type().startsWith("text/html")) {
            ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            ctx.header("Referrer-Policy", "no-referrer");
        }
    }

    private Optional<Asset> load(String path) {
        if (!SAFE_PATH.matcher(path).matches()) {
            return Optional.empty();
        }
        String type = TYPES.get(path.substring(path.lastIndexOf('.') + 1));
        String name = path.startsWith(VENDOR_PREFIX) ? uplotRoot + path.substring(VENDOR_PREFIX.length())
                : APP_ROOT + path;
        if (type == null) {
            return Optional.empty();
        }
        try (InputStream in = resource(name)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            return Optional.of(new Asset(bytes, type, etag(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String name) {
        return UiAssets.class.getClassLoader().getResourceAsStream(name);
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return '"' + HexFormat.of().formatHex(digest, 0, 12) + '"';
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
