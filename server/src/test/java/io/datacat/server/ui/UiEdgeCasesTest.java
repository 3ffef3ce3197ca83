package io.datacat.server.ui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Timestamps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The web UI with the data a review found it wrong on: a long session's last moments, a session
 * with many hangs, a deep list left and come back to, a rate just below 100 %, names as long as
 * the protocol allows, a time filter in µs, a crash without a stack trace, a session that falls
 * silent while watched.
 */
class UiEdgeCasesTest extends ServerAndBrowser {
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** Short, so a watched session turns abnormal during the test. */
    private static final Duration ABNORMAL_AFTER = Duration.ofSeconds(3);
    private static final int HANGS = 150;
    private static final int CROWD = 210;
    private static final String LONG_PRODUCT = "Product" + "p".repeat(121);
    private static final String LONG_VERSION = "v".repeat(128);
    private static final String LONG_METRIC = "metric_" + "m".repeat(249);
    private static final String LONG_TAG = "tag:" + "t".repeat(252);

    private long crowdFrom;

    @BeforeAll
    void open() {
        start(b -> b.abnormalAfter(ABNORMAL_AFTER), this::seed);
    }

    @AfterEach
    void noScriptErrors() {
        assertThat(browser.consoleErrors()).as("errors in the browser console").isEmpty();
    }

    private void seed() {
        // 2,500 warnings, more than the strip reads from each end, then a hang, an exception and the crash.
        GameSessions notable = GameSessions.session("notable-long", "Endurance", "1.0", 3_600);
        for (int i = 0; i < 2_500; i++) {
            notable.event(10 + i * 10L, "slow_frame", "warning", "frame " + i + " took 40 ms");
        }
        notable.hang(26_000, 500).exception(27_000, "java.io.IOException", "disk gone", "java.io.IOException: disk gone")
                .crash(28_000, "java.lang.IllegalStateException", "no disk", "java.lang.IllegalStateException: no disk");
        ingest(notable);

        GameSessions hangs = GameSessions.session("hangs-150", "Endurance", "1.0", 1_800);
        for (int i = 0; i < HANGS; i++) {
            ObjectNode hang = hangs.add(1_000 + i * 1_000L, "hang").put("thread", "main").put("timeout_ms", 500)
                    .put("silent_ms", 500).put("detected_by", "client").put("note", "hang " + (i + 1));
            ArrayNode stack = hang.putArray("stack");
            for (int f = 0; f < 30; f++) {
                stack.add("\tat game.Loop.step" + f + "(Loop.java:" + (100 + f) + ")");
            }
            hangs.add(1_000 + i * 1_000L + 300, "recovered").put("duration_ms", 300);
        }
        ingest(hangs.end(HANGS * 1_000L + 2_000));

        for (int i = 0; i < CROWD; i++) {
            ingest(GameSessions.session(String.format("crowd-%03d", i), "Crowd", "1.0", 10_000 + i).end(500));
            if (i == 99) {
                // Half a second before crowd-099 started: it and the newer ones are from it on.
                crowdFrom = Timestamps.nowMicros() - 10_099_500_000L;
            }
        }

        GameSessions noStack = GameSessions.session("crash-no-stack", "Crash", "1.0", 100);
        noStack.add(1_000, "crash").put("reason", "uncaught_exception")
                .put("message", "uncaught java.lang.OutOfMemoryError: Java heap space").putObject("detail")
                .put("exception_type", "java.lang.OutOfMemoryError").put("exception_msg", "Java heap space");
        ingest(noStack);

        GameSessions names = GameSessions.session("long-names", LONG_PRODUCT, LONG_VERSION, 60);
        for (int i = 1; i <= 5; i++) {
            names.add(i * 1_000L, "metric").put("name", LONG_METRIC).put("type", "gauge").put("value", i)
                    .putArray("tags").add(LONG_TAG);
        }
        ingest(names.event(5_500, LONG_METRIC, "warning", "x".repeat(2_000)).end(6_000));
    }

    private void ingest(GameSessions s) {
        HttpResponse<String> r = server.post("/api/ingest", s.batch());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private String url(String path) {
        return server.server().url() + path.replaceFirst("^/", "");
    }

    private static String encoded(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private int shownInList() {
        List<String> shown = browser.findAll(".list-foot [data-shown]").stream()
                .map(e -> e.getAttribute("data-shown")).toList();
        return shown.isEmpty() ? -1 : Integer.parseInt(shown.get(0));
    }

    private long scrollY() {
        return ((Number) browser.script("return Math.round(window.scrollY)")).longValue();
    }

    private long pageWidth() {
        return ((Number) browser.script("return document.documentElement.scrollWidth")).longValue();
    }

    /** The elements reaching past the window's right edge, to tell what widened a page. */
    private Object stickingOut() {
        return browser.script("return [...document.querySelectorAll('*')]"
                + ".filter((e) => e.getBoundingClientRect().right > window.innerWidth).slice(0, 8)"
                + ".map((e) => `${e.tagName}.${e.className}`).join(', ')");
    }

    @Test
    void theStripMarksHowALongSessionEndedWhateverCameBefore() {
        browser.open(url("/sessions/notable-long"));
        await().atMost(WAIT).until(() -> !browser.findAll("#strip .strip-mark.crash").isEmpty());
        assertThat(browser.findAll("#strip .strip-mark.exception")).hasSize(1);
        assertThat(browser.findAll("#strip .strip-mark.hang")).isNotEmpty();
        assertThat(browser.findAll("#strip .strip-mark.warning")).as("the first and the last warnings")
                .hasSizeGreaterThan(1_000);
        assertThat(browser.findAll("#strip-unmarked")).as("where marks may be missing, it says so").hasSize(1);
    }

    @Test
    void aSessionWithManyHangsShowsTheLatestOnesAndCountsTheRest() {
        browser.open(url("/sessions/hangs-150"));
        await().atMost(WAIT).until(() -> !browser.findAll("#hangs-more").isEmpty());

        assertThat(browser.findAll("section.incident.hang")).hasSize(3);
        assertThat(browser.find("section.incident.hang:last-of-type").getAttribute("data-hang"))
                .as("the last hang of all").isEqualTo(String.valueOf(2 + 2 * (HANGS - 1)));
        assertThat(browser.find("#hangs-more").getText()).contains("latest 3 of 150 hangs");
        assertThat(browser.find("#session-head").getText()).contains("hung ×150");
        assertThat(browser.find("#strip").getLocation().getY()).as("the strip stays near the top").isLessThan(2_500);
        assertThat(browser.find("#timeline").getLocation().getY()).isLessThan(2_700);

        browser.find("#hangs-more button").click();
        await().atMost(WAIT).until(() -> browser.findAll("#timeline .tl-item[data-kind='hang']").size() >= 40);
        assertThat(browser.findAll("#timeline .tl-item").stream().map(e -> e.getAttribute("data-kind")).distinct())
                .containsOnly("session_start", "hang", "recovered");
        assertThat(browser.find(".timeline-filters .chip.on").getAttribute("data-kind")).isEqualTo("lifecycle");
    }

    @Test
    void backFromASessionRestoresTheLoadedRowsAndTheScrollPosition() {
        browser.open(url("/sessions?product=Crowd"));
        await().atMost(WAIT).until(() -> shownInList() == 50);
        for (int expected = 100; expected <= 200; expected += 50) {
            browser.find(".list-foot button").click();
            int rows = expected;
            await().atMost(WAIT).until(() -> shownInList() == rows);
        }
        browser.script("document.querySelector(\"tr[data-session='crowd-180']\").scrollIntoView({block: 'center'})");
        long y = scrollY();
        assertThat(y).isGreaterThan(5_000);

        browser.find("tr[data-session='crowd-180'] a").click();
        await().atMost(WAIT).until(() -> !browser.findAll("#session-head").isEmpty());
        browser.driver().navigate().back();

        await().atMost(WAIT).until(() -> shownInList() == 200);
        assertThat(browser.findAll("tr[data-session]")).hasSize(200);
        await().atMost(WAIT).untilAsserted(() -> assertThat(scrollY()).isBetween(y - 2, y + 2));
        assertThat(browser.find(".list-foot button").getText()).isEqualTo("Load more");
    }

    /** 1 − 1/20,001 is 99.995 %: toFixed(2) alone reads 100.00 %. */
    @Test
    @SuppressWarnings("unchecked")
    void aRateBelowOneNeverReadsAsOneHundredPercent() {
        browser.open(url("/"));
        List<Object> shown = (List<Object>) browser.script("return import('/ui/js/format.js')"
                + ".then((f) => [f.percent(0.99996), f.percent(1 - 1 / 20001), f.percent(0.9996), f.percent(1),"
                + " f.percent(0.5)])");
        assertThat(shown).containsExactly("99.99 %", "99.99 %", "99.96 %", "100 %", "50.0 %");
    }

    @Test
    void theLongestNamesAClientMaySendWrapInsteadOfWideningThePage() {
        String product = encoded(LONG_PRODUCT);
        for (String path : List.of("/", "/sessions?product=" + product, "/sessions/long-names",
                "/metrics?product=" + product + "&name=" + encoded(LONG_METRIC))) {
            browser.open(url(path));
            await().atMost(WAIT).until(() -> browser.text().contains(LONG_PRODUCT.substring(0, 40))
                    || !browser.findAll("[data-drawn-points]").isEmpty());
            await().atMost(WAIT).until(() -> browser.findAll(".list-foot [data-shown], .chart[data-drawn-points],"
                    + " [data-product], #across-chart[data-drawn-points]").size() > 0);
            assertThat(pageWidth()).as(path + ": " + stickingOut()).isLessThanOrEqualTo(1280);
        }
        assertThat(browser.text()).contains(LONG_METRIC.substring(0, 40));
    }

    @Test
    void aTimeFilterInMicrosecondsFromASharedUrlWorks() {
        browser.open(url("/sessions?product=Crowd&from=" + crowdFrom));
        await().atMost(WAIT).until(() -> shownInList() >= 0 || browser.text().contains("Invalid"));
        assertThat(browser.text()).doesNotContain("Invalid time value");
        assertThat(shownInList()).as("crowd-000 to crowd-099 started after it").isEqualTo(50);
        browser.find(".list-foot button").click();
        await().atMost(WAIT).until(() -> shownInList() == 100);
        assertThat(browser.findAll(".list-foot button")).isEmpty();
        assertThat(browser.find("input[name='from']").getAttribute("value")).isNotEmpty();
    }

    @Test
    void aCrashWithoutAStackTraceSaysItsExceptionOnce() {
        browser.open(url("/sessions/crash-no-stack"));
        await().atMost(WAIT).until(() -> !browser.findAll("#crash").isEmpty());
        String crash = browser.find("#crash").getText();
        assertThat(crash).contains("java.lang.OutOfMemoryError: Java heap space");
        assertThat(crash.split("Java heap space", -1)).as("the message said once").hasSize(2);
    }

    @Test
    void aWatchedSessionThatFallsSilentTurnsAbnormalOnThePage() {
        GameSessions stalled = GameSessions.session("stalled", "Stall", "1.0", 10).event(100, "loading", "info", null);
        ingest(stalled);
        browser.open(url("/sessions/stalled"));
        await().atMost(WAIT).until(() -> !browser.findAll("#live-badge").isEmpty()
                && !browser.findAll("#session-head [data-status='active']").isEmpty());

        await().atMost(WAIT).until(() -> !browser.findAll("#session-head [data-status='abnormal']").isEmpty());
        assertThat(browser.findAll("#live-badge")).as("abnormal is not final: still watched").hasSize(1);
    }
}
