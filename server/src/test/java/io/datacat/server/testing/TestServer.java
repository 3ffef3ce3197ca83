package io.datacat.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.datacat.protocol.Json;
import io.datacat.server.DatacatServer;
import io.datacat.server.RunningServer;
import io.datacat.server.ServerConfig;
import io.datacat.server.store.ReadTransaction;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** A real server on a free port with its own store, and a plain HTTP client for it. */
public final class TestServer implements AutoCloseable {
    private final RunningServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestServer(RunningServer server) {
        this.server = server;
    }

    public static TestServer start(Path dataDir) {
        return start(dataDir, b -> { });
    }

    public static TestServer start(Path dataDir, Consumer<ServerConfig.Builder> options) {
        return start(TestStores.location(TestStores.Kind.SQLITE, dataDir), options);
    }

    public static TestServer start(TestStores.Location store) {
        return start(store, b -> { });
    }

    /** A server on {@code store} (SQLite in its folder, or its PostgreSQL schema). */
    public static TestServer start(TestStores.Location store, Consumer<ServerConfig.Builder> options) {
        ServerConfig.Builder b = store.configure(ServerConfig.builder().port(0));
        options.accept(b);
        return new TestServer(DatacatServer.start(b.build()));
    }

    public RunningServer server() {
        return server;
    }

    public long sessionCount() {
        return server.store().read(ReadTransaction::countSessions);
    }

    public long recordCount() {
        return server.store().read(ReadTransaction::countRecords);
    }

    public HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    public HttpResponse<String> post(String path, String body) {
        return send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public HttpResponse<String> postBytes(String path, byte[] body, String contentEncoding) {
        HttpRequest.Builder b = request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentEncoding != null) {
            b.header("Content-Encoding", contentEncoding);
        }
        return send(b.build());
    }

    public HttpResponse<String> postGzip(String path, String body) {
        return postBytes(path, gzip(body.getBytes(StandardCharsets.UTF_8)), "gzip");
    }

    public HttpResponse<String> method(String method, String path, String body) {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body);
        return send(request(path).method(method, publisher).build());
    }

    /** The status, headers (names in lower case) and body of a response read off a socket. */
    public record RawResponse(int status, Map<String, String> headers, String body) {
    }

    /**
     * A GET of {@code target} sent byte for byte over a socket, for a target that HttpClient
     * refuses to send (a bad percent-escape). HTTP/1.0, so the answer is never chunked.
     */
    public RawResponse getRaw(String target) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int headEnd = answer.indexOf("\r\n\r\n");
            String[] head = answer.substring(0, headEnd).split("\r\n");
            Map<String, String> headers = new HashMap<>();
            for (int i = 1; i < head.length; i++) {
                int colon = head[i].indexOf(':');
                headers.put(head[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), head[i].substring(colon + 1)
                        .trim());
            }
            return new RawResponse(Integer.parseInt(head[0].split(" ")[1]), headers, answer.substring(headEnd + 4));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Follows {@code next_cursor} from {@code firstPage} (a path with a query string) to the
     * end and collects every item of {@code field}; fails the test on an error or runaway paging.
     */
    public <T> List<T> walk(String firstPage, String field, Function<JsonNode, T> item) {
        List<T> all = new ArrayList<>();
        String path = firstPage;
        int pages = 0;
        while (true) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode page = json(r);
            page.get(field).forEach(n -> all.add(item.apply(n)));
            pages++;
            assertThat(pages).as("runaway paging").isLessThan(100);
            if (page.get("next_cursor").isNull()) {
                return all;
            }
            path = firstPage + "&cursor=" + URLEncoder.encode(page.get("next_cursor").asText(), StandardCharsets.UTF_8);
        }
    }

    /** The response body as JSON (fails the test when it is not JSON). */
    public static JsonNode json(HttpResponse<String> response) {
        return Json.parse(response.body().getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(server.url() + path.replaceFirst("^/", "")))
                .timeout(Duration.ofSeconds(30));
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
