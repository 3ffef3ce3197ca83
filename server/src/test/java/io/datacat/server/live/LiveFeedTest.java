package io.datacat.server.live;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Timestamps;
import io.datacat.server.ingest.CommitListener;
import io.datacat.server.ingest.Ingestor;
import io.datacat.server.store.SessionRow;
import io.datacat.server.store.Store;
import io.datacat.server.testing.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.datacat.server.testing.TestRecords.batch;
import static io.datacat.server.testing.TestRecords.end;
import static io.datacat.server.testing.TestRecords.event;
import static io.datacat.server.testing.TestRecords.metric;
import static io.datacat.server.testing.TestRecords.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@ParameterizedClass(name = "store: {0}")
@EnumSource(TestStores.Kind.class)
class LiveFeedTest {
    @Parameter
    TestStores.Kind kind;
    private TestStores.Location location;
    @TempDir
    Path dir;
    private Store store;
    private LiveFeed feed;
    private Ingestor ingestor;

    @BeforeEach
    void open() {
        location = TestStores.location(kind, dir);
        store = location.open();
        feed = new LiveFeed();
        ingestor = new Ingestor(store, Timestamps::nowMicros, feed);
        ingestor.ingest(batch(start("w", 1, "Game", "1.0"), start("other", 1, "Game", "1.0")));
    }

    @AfterEach
    void close() {
        feed.close();
        store.close();
    }

    private SessionRow row(String id) {
        return store.read(tx -> tx.session(id)).orElseThrow();
    }

    private AutoCloseable watch(String id, LiveFeed.Sink sink) {
        return feed.watch(feed.reserve(), row(id), sink);
    }

    /** Keeps what it is sent; can be made to block, like a client that stopped reading. */
    private static final class ListSink implements LiveFeed.Sink {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch unblock = new CountDownLatch(1);
        volatile boolean blocking;
        volatile boolean closed;

        @Override
        public boolean send(String event, String data) {
            if (blocking) {
                try {
                    unblock.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            events.add(event + " " + data);
            return !closed;
        }

        @Override
        public boolean comment(String text) {
            return !closed;
        }

        @Override
        public void close() {
            closed = true;
        }

        List<String> named(String event) {
            synchronized (events) {
                return events.stream().filter(e -> e.startsWith(event + " ")).toList();
            }
        }
    }

    @Test
    void aWatcherGetsTheSessionThenItsNewRecordsAndNothingOfOtherSessions() {
        ListSink sink = new ListSink();
        watch("w", sink);
        ingestor.ingest(batch(event("w", 2, "boss_spawned", "info"), metric("w", 3, "fps", 60),
                event("other", 2, "elsewhere", "info")));

        await().atMost(Duration.ofSeconds(5)).until(() -> sink.named("records").size() == 1);
        assertThat(sink.events.get(0)).startsWith("session {\"id\":\"w\"");
        String records = sink.named("records").get(0);
        assertThat(records).contains("boss_spawned", "\"name\":\"fps\"", "\"src\":\"app\"").doesNotContain("elsewhere")
                .doesNotContain("\"sid\"");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.named("session").size() == 2);
        assertThat(sink.named("session").get(1)).contains("\"records\":3");
    }

    @Test
    void aBatchTooLargeForOneEventIsAnnouncedAsAGap() {
        ListSink sink = new ListSink();
        watch("w", sink);
        var records = new ArrayList<ObjectNode>();
        for (int i = 0; i <= LiveFeed.MAX_RECORDS_PER_EVENT; i++) {
            records.add(event("w", 2 + i, "tick", "debug"));
        }
        ingestor.ingest(batch(records.toArray(new ObjectNode[0])));
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.named("gap").size() == 1);
        assertThat(sink.named("gap").get(0)).isEqualTo("gap {\"records\":" + (LiveFeed.MAX_RECORDS_PER_EVENT + 1) + "}");
        assertThat(sink.named("records")).isEmpty();
    }

    @Test
    void writesThatWentUnheardTellEveryWatcherToReadAgain() {
        ListSink one = new ListSink();
        ListSink other = new ListSink();
        watch("w", one);
        watch("other", other);
        feed.missed();
        await().atMost(Duration.ofSeconds(5)).until(() -> one.named("missed").size() == 1
                && other.named("missed").size() == 1);
        assertThat(one.named("missed").get(0)).isEqualTo("missed {}");
    }

    /** After writes went unheard, the pages get the session as it is now, which may have ended meanwhile. */
    @Test
    void theRelayFollowsMissedWritesWithEachWatchedSessionAsItIsNow() {
        ListSink sink = new ListSink();
        watch("w", sink);
        // Stored while this server was not listening: no watcher hears of it.
        new Ingestor(store, Timestamps::nowMicros, CommitListener.NONE).ingest(batch(end("w", 2)));
        new ChangeRelay(store, feed).mayHaveMissed();
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.named("session").size() == 2);
        assertThat(sink.named("missed")).hasSize(1);
        assertThat(sink.events.indexOf("missed {}")).isLessThan(sink.events.indexOf(sink.named("session").get(1)));
        assertThat(sink.named("session").get(1)).contains("\"status\":\"ended\"");
    }

    @Test
    void aWatcherThatStopsReadingNeverHoldsUpIngestAndIsToldToReload() {
        ListSink slow = new ListSink();
        slow.blocking = true;
        watch("w", slow);
        ListSink fast = new ListSink();
        watch("w", fast);

        // Each batch makes two events (records, session): more than the slow watcher's queue holds.
        int batches = LiveFeed.MAX_QUEUED_EVENTS / 2 + 10;
        long startNanos = System.nanoTime();
        for (int i = 0; i < batches; i++) {
            ingestor.ingest(batch(event("w", 2 + i, "tick", "debug")));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).isLessThan(Duration.ofSeconds(8));
        await().atMost(Duration.ofSeconds(5)).until(() -> fast.named("records").size() == batches);
        assertThat(fast.named("overflow")).isEmpty();

        slow.unblock.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> !slow.named("overflow").isEmpty());
        assertThat(slow.named("records").size()).isLessThan(batches);
    }

    @Test
    void aClosedConnectionIsDroppedAndClosingTheWatchClosesTheSink() throws Exception {
        ListSink gone = new ListSink();
        watch("w", gone);
        gone.closed = true;
        ingestor.ingest(batch(event("w", 2, "tick", "debug")));
        await().atMost(Duration.ofSeconds(5)).until(() -> feed.watcherCount() == 0);

        ListSink sink = new ListSink();
        AutoCloseable watch = watch("w", sink);
        assertThat(feed.watcherCount()).isEqualTo(1);
        watch.close();
        assertThat(sink.closed).isTrue();
        assertThat(feed.watcherCount()).isZero();
    }

    @Test
    void aSlotCountsAsAWatcherUntilGivenBackOrHandedToAWatchThatStops() throws Exception {
        List<LiveFeed.Slot> slots = new ArrayList<>();
        for (int i = 0; i < LiveFeed.MAX_WATCHERS; i++) {
            slots.add(feed.reserve());
        }
        assertThatThrownBy(feed::reserve).isInstanceOf(TooManyWatchersException.class);
        assertThat(feed.watcherCount()).isEqualTo(LiveFeed.MAX_WATCHERS);

        slots.get(0).close();
        slots.get(0).close(); // given back once only
        assertThat(feed.watcherCount()).isEqualTo(LiveFeed.MAX_WATCHERS - 1);

        ListSink sink = new ListSink();
        LiveFeed.Slot slot = slots.get(1);
        AutoCloseable watch = feed.watch(slot, row("w"), sink);
        slot.close(); // the watch holds the place now
        assertThat(feed.watcherCount()).isEqualTo(LiveFeed.MAX_WATCHERS - 1);
        assertThatThrownBy(() -> feed.watch(slot, row("w"), new ListSink()))
                .isInstanceOf(IllegalStateException.class);
        watch.close();
        assertThat(feed.watcherCount()).isEqualTo(LiveFeed.MAX_WATCHERS - 2);
        for (LiveFeed.Slot s : slots) {
            s.close();
        }
        assertThat(feed.watcherCount()).isZero();
    }
}
