package io.datacat.server.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Everything a client sends is shown as text: names, messages, state keys and values, tags,
 * stack traces and crash details full of markup and script are ingested through the real
 * route, every page that shows them is opened (and every timeline entry clicked), and the
 * browser shows the markup literally while no script runs and no element is injected.
 */
class UiEscapingTest extends ServerAndBrowser {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String IMG = "<img src=x onerror=\"window.__xss=(window.__xss||0)+1\">";
    private static final String SCRIPT = "<script>window.__xss=(window.__xss||0)+1</script>";
    private static final String SVG = "\"><svg onload=window.__xss=1>";
    /** A right-to-left override (closed again) and right-to-left words, which must not reorder what is around them. */
    private static final String BIDI_VERSION = "v\u202eevil\u202c مرحبا שלום";
    private static final String BIDI_PRODUCT = "Bidi\u202eRacer";
    /** Elements an injection would have made: none may exist. */
    private static final String INJECTED = "img[src='x'], script:not([src]), svg[onload], [onerror], [onload]";

    @BeforeAll
    void open() {
        start(b -> { }, this::seed);
    }

    /** One session carrying markup and script in every field a client can send. */
    private void seed() {
        GameSessions s = GameSessions.session("xss-1", IMG, SCRIPT, 20);
        s.add(5, "state").putObject("patch").put(IMG, SCRIPT).putObject(SVG).put("<b>bold</b>", IMG);
        ObjectNode event = s.add(10, "event").put("name", IMG).put("level", "warning").put("message", SCRIPT)
                .put("category", SVG).put("group", IMG);
        event.putArray("labels").add(SCRIPT).add(SVG);
        event.putObject("data").put(SVG, IMG);
        s.add(20, "metric").put("name", SVG).put("type", "gauge").put("value", 1.5).put("unit", IMG)
                .putArray("tags").add(SCRIPT);
        s.add(21, "metric").put("name", SVG).put("type", "gauge").put("value", 2.5).put("unit", IMG)
                .putArray("tags").add(SCRIPT);
        s.exception(30, IMG, SCRIPT, SCRIPT, "\tat " + IMG, "Caused by: " + SVG);
        ObjectNode hang = s.add(40, "hang").put("thread", IMG).put("timeout_ms", 1_000).put("silent_ms", 1_200)
                .put("detected_by", "client");
        hang.putArray("stack").add("\tat " + SCRIPT);
        s.add(50, "recovered").put("duration_ms", 300);
        s.crash(60, IMG, SCRIPT, SVG, "\tat " + IMG);
        HttpResponse<String> r = server.post("/api/ingest", s.batch());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        GameSessions bidi = GameSessions.session("bidi-1", BIDI_PRODUCT, BIDI_VERSION, 30).end(1_000);
        r = server.post("/api/ingest", bidi.batch());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private String url(String path) {
        return server.server().url() + path.replaceFirst("^/", "");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** No script ran, nothing was injected, and the console has no error (a blocked injection would log one). */
    private void assertNothingRan() {
        assertThat(browser.script("return window.__xss")).isNull();
        assertThat(browser.findAll(INJECTED)).isEmpty();
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void theOverviewAndTheListShowMarkupAsText() {
        browser.open(url("/"));
        await().atMost(WAIT).until(() -> !browser.findAll("[data-product]").isEmpty());
        assertThat(browser.text()).contains(IMG, SCRIPT);
        assertNothingRan();

        browser.open(url("/sessions?product=" + enc(IMG)));
        await().atMost(WAIT).until(() -> !browser.findAll("tr[data-session]").isEmpty());
        assertThat(browser.text()).contains(IMG, SCRIPT);
        assertThat(browser.find("input[name='product']").getAttribute("value")).isEqualTo(IMG);
        // The download link carries the filter encoded, and the server reads it back as sent.
        String download = browser.find("#download-ndjson").getDomAttribute("href");
        assertThat(download).startsWith("/api/sessions/export?product=%3Cimg+src%3Dx+");
        assertThat(server.get(download).body().lines()).hasSize(1).allMatch(line -> line.contains("\"id\":\"xss-1\""));
        assertNothingRan();
    }

    @Test
    void theSessionPageShowsEveryFieldAsTextWhereverItIsShown() {
        browser.size(1280, 720);
        browser.open(url("/sessions/xss-1"));
        await().atMost(WAIT).until(() -> browser.findAll("#timeline .tl-item").size() >= 7);
        await().atMost(WAIT).until(() -> !browser.findAll(".chart[data-drawn-points]").isEmpty());
        assertThat(browser.find("#crash").getText()).contains(IMG, SCRIPT, SVG);
        assertThat(browser.find("#incidents").getText()).contains("Thread " + IMG, "at " + SCRIPT);
        assertThat(browser.find("#charts").getText()).contains(SVG, IMG, SCRIPT);
        assertNothingRan();

        List<WebElement> items = browser.findAll("#timeline .tl-item");
        for (int i = 0; i < items.size(); i++) {
            browser.findAll("#timeline .tl-item").get(i).click();
            await().atMost(WAIT).until(() -> !browser.findAll("#inspector #state-at h3").isEmpty()
                    && browser.findAll("#inspector #state-at .muted").stream()
                    .noneMatch(e -> e.getText().equals("Loading…")));
            assertNothingRan();
        }
        browser.findAll("#timeline .tl-item[data-kind='state']").get(0).click();
        await().atMost(WAIT).until(() -> !browser.findAll("#state-diff").isEmpty());
        // Keys are shown as paths, where a '.' inside a key is written '\.' (the state filter's syntax).
        assertThat(browser.find("#state-diff").getText()).contains(IMG.replace(".", "\\."), SCRIPT, "<b>bold</b>",
                SVG.replace(".", "\\."));
        assertThat(browser.find("#inspector").findElements(By.tagName("b"))).isEmpty();

        browser.findAll("#timeline .tl-item[data-kind='event']").get(0).click();
        await().atMost(WAIT).until(() -> browser.find("#record-detail").getText().contains("labels"));
        assertThat(browser.find("#record-detail").getText()).contains(IMG, "message", "group");
        assertNothingRan();
    }

    /**
     * Where the app shows a product or version with bidi controls in it, the element holding the
     * text is a bidi isolate (a {@code <bdi>}), so the override reorders nothing but the value.
     */
    @Test
    void bidiControlsInAProductOrVersionAreIsolated() {
        String[][] pages = {
            {"/", "[data-product]"},
            {"/sessions?product=" + enc(BIDI_PRODUCT), "tr[data-session]"},
            {"/sessions/bidi-1", "#session-head h1"},
        };
        for (String[] page : pages) {
            browser.open(url(page[0]));
            await().atMost(WAIT).until(() -> !browser.findAll(page[1]).isEmpty());
            for (String value : List.of(BIDI_PRODUCT, BIDI_VERSION)) {
                assertThat(holdersOf(value)).as(page[0] + " shows " + value).isNotEmpty()
                        .allMatch(holder -> holder.equals("bdi isolate"), "a <bdi>, an isolate");
            }
        }
        assertNothingRan();
    }

    /** The elements whose own text contains {@code value}, each as its tag and its computed unicode-bidi. */
    @SuppressWarnings("unchecked")
    private List<String> holdersOf(String value) {
        return (List<String>) browser.script("""
                return [...document.querySelectorAll('#app *')]
                    .filter((e) => [...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.data.includes(arguments[0])))
                    .map((e) => `${e.tagName.toLowerCase()} ${getComputedStyle(e).unicodeBidi}`);
                """, value);
    }

    @Test
    void theMetricsPageShowsMarkupNamesAsText() {
        browser.open(url("/metrics?product=" + enc(IMG) + "&name=" + enc(SVG)));
        await().atMost(WAIT).until(() -> !browser.findAll("#across-chart[data-drawn-points]").isEmpty());
        assertThat(browser.text()).contains(SVG);
        assertThat(browser.find("#aggregate-table").getText()).as("the version's aggregate").contains(SCRIPT);
        assertNothingRan();
    }
}
