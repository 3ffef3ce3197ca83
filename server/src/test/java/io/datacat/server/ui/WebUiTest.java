package io.datacat.server.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.datacat.server.testing.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The web UI in a real headless Chromium against a real server, seeded through
 * {@code POST /api/ingest}: the overview's counts, the list's filters, the session page's
 * crash detail, timeline, state diff and charts, live updates without a reload, the time
 * formats, and the page a browser gets for a path that does not exist.
 */
class WebUiTest extends ServerAndBrowser {
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** Screenshots to look at: target/screenshots (the README's copy: see the session page test). */
    private static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", ".")).resolve("target/screenshots");
    private static final String[] CRASH_STACK = {
        "java.lang.IllegalStateException: the boss of level 2 has no name",
        "\tat game.Bosses.spawn(Bosses.java:25)",
        "\tat game.Loop.run(Loop.java:40)",
        "Caused by: java.lang.NullPointerException: name is null",
        "\tat game.Bosses.name(Bosses.java:23)",
        "\t... 2 more"};

    /** The server's data folder, deleted after the class. */
    private String crashedId;
    private GameSessions active;

    @BeforeAll
    void open() {
        start(b -> { }, this::seed);
    }

    @AfterEach
    void noScriptErrors() {
        assertThat(browser.consoleErrors()).as("errors in the browser console").isEmpty();
    }

    /**
     * Racer 1.0: two ended sessions (one hung and recovered) and one crashed; Racer 1.1 and
     * Kart 2.0: one ended session each; Live Demo 0.9: one active session (the live test ends it);
     * Tools 1.0: one that called System.exit.
     */
    private void seed() {
        GameSessions crashed = GameSessions.session("racer-crash", "Racer", "1.0", 60)
                .state(10, "{\"level\": 1, \"player\": {\"name\": \"Ada\", \"hp\": 100}}")
                .event(20, "level_started", "info", null)
                .metrics(20)
                .event(4_000, "player_hit", "warning", "Ada took 60 damage from an orc")
                .state(4_001, "{\"player\": {\"hp\": 40}}")
                .exception(9_000, "java.io.IOException", "save slot 7 is corrupt", "java.io.IOException: save slot 7",
                        "\tat game.Saves.load(Saves.java:12)")
                .state(15_000, "{\"level\": 2, \"boss\": \"troll\", \"player\": {\"hp\": null}}")
                .event(15_001, "boss_spawned", "info", "The boss troll enters")
                .crash(21_000, "java.lang.IllegalStateException", "the boss of level 2 has no name", CRASH_STACK);
        crashedId = crashed.id();
        ingest(crashed);
        ingest(GameSessions.session("racer-ok", "Racer", "1.0", 120).state(5, "{\"level\": 1}")
                .event(10, "player_hit", "warning", "a scratch").metrics(5).end(6_000));
        ingest(GameSessions.session("racer-hang", "Racer", "1.0", 100).state(5, "{\"level\": 3}").metrics(6)
                .hang(2_000, 2_500).end(7_000));
        active = GameSessions.session("live-1", "Live Demo", "0.9", 30).state(5, "{\"level\": 1}").metrics(3);
        ingest(active);
        ingest(GameSessions.session("racer-new", "Racer", "1.1", 200).state(5, "{\"level\": 2}").end(1_000));
        ingest(GameSessions.session("kart-ok", "Kart", "2.0", 300).end(1_000));
        ingest(exitedFromAHelper());
    }

    /**
     * Tools 1.0: a program that called System.exit(3) from a helper, as the Java client reports it
     * (the stack under "stack", how it ended, the last uncaught exception), with keys of the
     * daemon's reports and others a client may add to a crash's detail.
     */
    private static GameSessions exitedFromAHelper() {
        GameSessions s = GameSessions.session("tools-exit", "Tools", "1.0", 40);
        ObjectNode detail = s.add(3_000, "crash").put("reason", "exit_without_end")
                .put("message", "System.exit called at app//Exit.quit(Exit.java:3) before end()").putObject("detail");
        detail.put("how", "System.exit").put("thread", "main")
                .put("last_uncaught", "java.lang.IllegalStateException in thread \"worker\"")
                .put("pid", 4242).put("detected_by", "client").put("exit_code", 137).put("signal", "SIGKILL");
        detail.putObject("nested").put("a", 1);
        detail.putArray("stack").add("\tat app//Exit.quit(Exit.java:3)").add("\tat app//Main.main(Main.java:9)");
        return s;
    }

    private void ingest(GameSessions s) {
        HttpResponse<String> r = server.post("/api/ingest", s.batch());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private String url(String path) {
        return server.server().url() + path.replaceFirst("^/", "");
    }

    private List<String> listedSessions() {
        return browser.findAll("tr[data-session]").stream().map(e -> e.getAttribute("data-session")).toList();
    }

    private void awaitListLoaded() {
        await().atMost(WAIT).until(() -> !browser.findAll(".list-foot [data-shown]").isEmpty()
                || browser.text().contains("No session matches"));
    }

    @Test
    void theOverviewCountsSessionsByStatusWithTheCrashFreeRate() {
        browser.open(url("/"));
        await().atMost(WAIT).until(() -> !browser.findAll("[data-product='Racer'] tr[data-version='1.0']").isEmpty());

        WebElement v10 = browser.find("[data-product='Racer'] tr[data-version='1.0']");
        assertThat(count(v10, "all")).isEqualTo("3");
        assertThat(count(v10, "ended")).isEqualTo("2");
        assertThat(count(v10, "crashed")).isEqualTo("1");
        assertThat(count(v10, "hung_ever")).isEqualTo("1");
        assertThat(v10.findElement(By.cssSelector("[data-rate]")).getText()).isEqualTo("66.7 %");
        WebElement v11 = browser.find("[data-product='Racer'] tr[data-version='1.1']");
        assertThat(count(v11, "ended")).isEqualTo("1");
        assertThat(v11.findElement(By.cssSelector("[data-rate]")).getText()).isEqualTo("100 %");

        // Every number opens the sessions it counts.
        v10.findElement(By.cssSelector("[data-count='crashed']")).click();
        await().atMost(WAIT).until(() -> browser.driver().getCurrentUrl().contains("/sessions?"));
        awaitListLoaded();
        assertThat(browser.driver().getCurrentUrl()).contains("product=Racer", "version=1.0", "status=crashed");
        assertThat(listedSessions()).containsExactly(crashedId);
    }

    private static String count(WebElement row, String status) {
        return row.findElement(By.cssSelector("[data-count='" + status + "']")).getText();
    }

    @Test
    void filtersNarrowTheListAndStayInTheUrl() {
        browser.open(url("/sessions?product=Racer"));
        awaitListLoaded();
        assertThat(listedSessions()).containsExactlyInAnyOrder("racer-crash", "racer-ok", "racer-hang", "racer-new");

        // The state's current value: only the crashed session is on level 2 now ...
        browser.find("input[name='state_key']").sendKeys("level");
        browser.find("input[name='state_value']").sendKeys("2");
        browser.find("#filters button[type='submit']").click();
        await().atMost(WAIT).until(() -> browser.driver().getCurrentUrl().contains("state_key=level"));
        awaitListLoaded();
        await().atMost(WAIT).until(() -> listedSessions().size() == 2);
        assertThat(listedSessions()).containsExactlyInAnyOrder("racer-crash", "racer-new");

        // ... and "at any point" also finds those that were on it before; a shared URL shows the same.
        String everHp100 = "/sessions?product=Racer&state_key=player.hp&state_value=100&state_scope=ever";
        browser.open(url(everHp100));
        awaitListLoaded();
        assertThat(listedSessions()).containsExactly("racer-crash");
        // The download carries the list's filters, and finds what the list shows.
        String download = browser.find("#download-ndjson").getDomAttribute("href");
        assertThat(download).isEqualTo("/api" + everHp100.replace("/sessions?", "/sessions/export?"));
        HttpResponse<String> exported = server.get(download);
        assertThat(exported.statusCode()).as(exported.body()).isEqualTo(200);
        assertThat(exported.body().lines()).hasSize(1).allMatch(line -> line.contains("\"id\":\"racer-crash\""));
        browser.open(url("/sessions?product=Racer&state_key=player.hp&state_value=100"));
        awaitListLoaded();
        assertThat(listedSessions()).isEmpty();

        browser.open(url("/sessions?event=player_hit"));
        awaitListLoaded();
        assertThat(listedSessions()).containsExactlyInAnyOrder("racer-crash", "racer-ok");

        browser.open(url("/sessions?q=troll"));
        awaitListLoaded();
        assertThat(listedSessions()).containsExactly("racer-crash");

        browser.open(url("/sessions?status=hung_ever"));
        awaitListLoaded();
        assertThat(listedSessions()).containsExactly("racer-hang");
        assertThat(new Select(browser.find("select[name='status']")).getFirstSelectedOption().getText())
                .isEqualTo("Hung at some point");

        browser.open(url("/sessions?sort=oldest&product=Kart"));
        awaitListLoaded();
        assertThat(listedSessions()).containsExactly("kart-ok");
    }

    @Test
    void theSessionPageShowsTheCrashTheTimelineAStateDiffAndCharts() {
        browser.size(1280, 720);
        browser.open(url("/sessions/" + crashedId));
        await().atMost(WAIT).until(() -> !browser.findAll("#crash").isEmpty());

        String crash = browser.find("#crash").getText();
        assertThat(crash).contains("Uncaught exception", "java.lang.IllegalStateException: the boss of level 2 has no name",
                "Caused by: java.lang.NullPointerException: name is null", "at game.Bosses.spawn(Bosses.java:25)");
        assertThat(browser.find("#session-head").getText()).contains("Racer", "rig-07", "31337");
        assertThat(browser.find("#download-ndjson").getDomAttribute("href"))
                .isEqualTo("/api/sessions/" + crashedId + "/export");

        await().atMost(WAIT).until(() -> browser.findAll("#timeline .tl-item").size() >= 8);
        List<String> kinds = browser.findAll("#timeline .tl-item").stream().map(e -> e.getAttribute("data-kind")).toList();
        assertThat(kinds).contains("session_start", "state", "event", "exception", "crash").doesNotContain("metric");

        // The last state update: level 1 → 2, a boss appears, hp is deleted.
        List<WebElement> states = browser.findAll("#timeline .tl-item[data-kind='state']");
        states.get(states.size() - 1).click();
        await().atMost(WAIT).until(() -> !browser.findAll("#state-diff tr").isEmpty());
        String diff = browser.find("#state-diff").getText();
        assertThat(diff).contains("level", "1 → 2", "boss", "\"troll\"", "player.hp");
        assertThat(browser.findAll("#state-diff tr.removed")).hasSize(1);
        assertThat(browser.find("#state-json").getText()).contains("\"boss\": \"troll\"").doesNotContain("\"hp\"");

        // Every metric has a chart, and each chart drew its points.
        await().atMost(WAIT).until(() -> browser.findAll(".chart[data-drawn-points]").size() == 3);
        for (WebElement chart : browser.findAll(".chart[data-drawn-points]")) {
            assertThat(Integer.parseInt(chart.getAttribute("data-drawn-points"))).as(chart.getAttribute("data-metric"))
                    .isGreaterThan(0);
        }
        assertThat(browser.find(".chart[data-metric='frame_time_ms']").findElement(By.xpath("..")).getText())
                .contains("p95");

        // Usable at 1280×720: the timeline and the inspector sit side by side, nothing wider than the window.
        assertThat((Long) browser.script("return document.documentElement.scrollWidth")).isLessThanOrEqualTo(1280L);
        assertThat(browser.find("#inspector").getLocation().getX()).isGreaterThan(640);
        browser.screenshot(SCREENSHOTS.resolve("session-page-1280x720.png"));

        // The README's picture. A test run must not dirty the work tree, so the committed copy
        // in docs/images is refreshed only on request: -Ddatacat.updateScreenshots=true.
        browser.size(1280, 1950);
        browser.script("window.scrollTo(0, 0)");
        browser.screenshot(SCREENSHOTS.resolve("session-page.png"));
        if (Boolean.getBoolean("datacat.updateScreenshots")) {
            browser.screenshot(Path.of(System.getProperty("basedir", ".")).resolve("../docs/images/session-page.png")
                    .normalize());
        }
        browser.size(1280, 720);
    }

    @Test
    void theCrashCardShowsTheStackAndEveryFieldOfTheCrashDetail() {
        browser.open(url("/sessions/tools-exit"));
        await().atMost(WAIT).until(() -> !browser.findAll("#crash").isEmpty());
        String crash = browser.find("#crash").getText();
        assertThat(crash).contains("System.exit called at app//Exit.quit(Exit.java:3) before end()",
                "at app//Exit.quit(Exit.java:3)", "at app//Main.main(Main.java:9)",
                "How it ended", "System.exit", "Thread", "main",
                "Last uncaught exception", "java.lang.IllegalStateException in thread \"worker\"",
                "Process id", "4242", "Detected by", "client",
                "exit_code", "137", "signal", "SIGKILL", "nested", "{\"a\":1}");
        assertThat(crash.split("Exit.java:3", -1)).as("the message, and the stack's frame").hasSize(3);
    }

    @Test
    void timesAreRoundedBeforeMinutesAreSplitOff() {
        browser.open(url("/"));
        Object formatted = browser.driver().executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import('/ui/js/format.js').then((f) => done([f.offset(59999600, 0), f.offset(119999700, 0),
                    f.offset(61234000, 0), f.duration(59960), f.duration(59940), f.duration(999.6), f.duration(3599600)]));
                """);
        assertThat(formatted).isEqualTo(List.of("+01:00.000", "+02:00.000", "+01:01.234", "1 min 00 s", "59.9 s",
                "1.0 s", "1 h 00 min"));
    }

    @Test
    void anUnknownPathIsAPageNotFoundForABrowserAndJsonForOtherClients() {
        browser.open(url("/nope/whatever"));
        assertThat(browser.find("#not-found").getText()).contains("Page not found", "Go to the overview");
        assertThat(browser.find("#not-found a").getDomAttribute("href")).isEqualTo("/");
        assertThat(browser.consoleErrors()).as("only the page's own 404").allMatch(e -> e.contains("404"));

        HttpResponse<String> curl = server.get("/nope/whatever");
        assertThat(curl.statusCode()).isEqualTo(404);
        assertThat(json(curl).get("error").asText()).contains("/nope/whatever");
        HttpResponse<String> page = server.send(HttpRequest.newBuilder(URI.create(url("/nope/whatever")))
                .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8").build());
        assertThat(page.statusCode()).isEqualTo(404);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.headers().firstValue("Content-Security-Policy")).isPresent();
        HttpResponse<String> api = server.send(HttpRequest.newBuilder(URI.create(url("/api/nope")))
                .header("Accept", "text/html").build());
        assertThat(api.statusCode()).isEqualTo(404);
        assertThat(json(api).has("error")).isTrue();

        HttpResponse<String> icon = server.get("/favicon.ico");
        assertThat(icon.statusCode()).isEqualTo(200);
        assertThat(icon.headers().firstValue("Content-Type").orElse("")).isEqualTo("image/x-icon");
    }

    @Test
    void theMetricsPageSaysWhenAProductIsUnknown() {
        browser.open(url("/metrics?product=Nope"));
        await().atMost(WAIT).until(() -> !browser.findAll("#unknown-choice").isEmpty());
        assertThat(browser.find("#unknown-choice").getText()).contains("Nope", "unknown");
        assertThat(new Select(browser.find("select[name='product']")).getFirstSelectedOption().getText())
                .isEqualTo("Nope (no sessions)");
    }

    @Test
    void clickingAnEventShowsItsDataAndTheStateAtThatMoment() {
        browser.open(url("/sessions/" + crashedId));
        await().atMost(WAIT).until(() -> !browser.findAll("#timeline .tl-item[data-kind='exception']").isEmpty());
        browser.find("#timeline .tl-item[data-kind='exception']").click();
        await().atMost(WAIT).until(() -> !browser.findAll("#state-json").isEmpty());
        assertThat(browser.find("#record-detail").getText()).contains("java.io.IOException", "save slot 7 is corrupt",
                "at game.Saves.load(Saves.java:12)");
        // At 9 s the player had been hit (hp 40) but the boss had not come yet.
        assertThat(browser.find("#state-json").getText()).contains("\"hp\": 40").doesNotContain("troll");
    }

    @Test
    void aRecordIngestedWhileThePageIsOpenAppearsWithoutAReload() {
        browser.open(url("/sessions/" + active.id()));
        await().atMost(WAIT).until(() -> !browser.findAll("#live-badge").isEmpty());
        browser.script("window.__sameDocument = true");

        active.event(20_000, "checkpoint_reached", "info", "checkpoint 3 of 5");
        ingest(active);

        await().atMost(WAIT).until(() -> browser.find("#timeline").getText().contains("checkpoint_reached"));
        assertThat(browser.script("return window.__sameDocument")).isEqualTo(true);

        active.end(21_000);
        ingest(active);
        await().atMost(WAIT).until(() -> !browser.findAll("#session-head [data-status='ended']").isEmpty());
        assertThat(browser.findAll("#live-badge")).isEmpty();
    }

    @Test
    void theMetricsPageOverlaysAMetricAcrossSessions() {
        browser.open(url("/metrics?product=Racer&version=1.0&name=frame_time_ms"));
        await().atMost(WAIT).until(() -> !browser.findAll("#across-chart[data-drawn-points]").isEmpty());
        assertThat(Integer.parseInt(browser.find("#across-chart").getAttribute("data-drawn-points"))).isGreaterThan(0);
        assertThat(browser.findAll("#across-table tbody tr")).hasSize(3);
        // The three sessions' frame times merged: p50 of 30 + 25 + 4 + 1 samples each is in (16, 20].
        List<WebElement> merged = browser.findAll("#aggregate-table tbody tr td");
        assertThat(merged.get(0).getText()).isEqualTo("All shown");
        assertThat(merged.get(1).getText()).isEqualTo("3");
        assertThat(Double.parseDouble(merged.get(3).getText())).isBetween(16.0, 20.0);

        // Without a version: a row per version that logged the metric (Racer 1.1 logged none).
        browser.open(url("/metrics?product=Racer&name=frame_time_ms"));
        await().atMost(WAIT).until(() -> browser.findAll("#aggregate-table tbody tr").size() == 2);
        assertThat(browser.findAll("#aggregate-table tbody tr").get(1).getText()).startsWith("1.0");
    }

    @Test
    void theLightThemeIsOneClickAwayAndRemembered() {
        browser.open(url("/"));
        await().atMost(WAIT).until(() -> !browser.findAll("[data-product]").isEmpty());
        browser.find("#theme-toggle").click();
        assertThat(browser.script("return document.documentElement.dataset.theme")).isEqualTo("light");
        browser.open(url("/sessions"));
        awaitListLoaded();
        assertThat(browser.script("return document.documentElement.dataset.theme")).isEqualTo("light");
        browser.open(url("/sessions/" + crashedId));
        await().atMost(WAIT).until(() -> browser.findAll(".chart[data-drawn-points]").size() == 3);
        browser.screenshot(SCREENSHOTS.resolve("session-page-light.png"));
        browser.find("#theme-toggle").click();
        assertThat(browser.script("return document.documentElement.dataset.theme")).isEqualTo("dark");
        // The charts are drawn again in the colours of the theme.
        await().atMost(WAIT).until(() -> browser.findAll(".chart[data-drawn-points]").size() == 3);
    }
}
