package io.datacat.client.ring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RecordRingTest {

    @Test
    void capacityIsAPowerOfTwoCoveringLimitAndReserve() {
        RecordRing ring = new RecordRing(10_000, 64);
        assertThat(ring.capacity()).isEqualTo(16_384);
        assertThat(new RecordRing(16, 0).capacity()).isEqualTo(16);
        assertThat(new RecordRing(17, 0).capacity()).isEqualTo(32);
    }

    @Test
    void ordinaryClaimsStopAtTheLimitAndTheReserveGoesBeyond() {
        RecordRing ring = new RecordRing(10, 4);
        for (int i = 0; i < 10; i++) {
            assertThat(ring.tryClaim()).isEqualTo(i);
        }
        assertThat(ring.tryClaim()).isEqualTo(-1);
        assertThat(ring.tryClaim()).isEqualTo(-1);
        // The reserve reaches the whole (power-of-two) ring, never past it.
        for (int i = 10; i < ring.capacity(); i++) {
            assertThat(ring.tryClaimReserved()).isEqualTo(i);
        }
        assertThat(ring.tryClaimReserved()).isEqualTo(-1);
    }

    @Test
    void drainStopsAtTheFirstUnpublishedPositionAndKeepsOrder() {
        RecordRing ring = new RecordRing(8, 0);
        long a = ring.tryClaim();
        long b = ring.tryClaim();
        long c = ring.tryClaim();
        ring.fill(ring.index(a), SlotKind.METRIC, (byte) 0, 1, 1, null, null);
        ring.fill(ring.index(c), SlotKind.METRIC, (byte) 0, 1, 3, null, null);
        ring.publish(a);
        ring.publish(c);
        List<Double> seen = new ArrayList<>();
        assertThat(ring.drain((r, i, p) -> seen.add(r.value(i)), 100)).isEqualTo(1);
        ring.fill(ring.index(b), SlotKind.METRIC, (byte) 0, 1, 2, null, null);
        ring.publish(b);
        assertThat(ring.drain((r, i, p) -> seen.add(r.value(i)), 100)).isEqualTo(2);
        assertThat(seen).containsExactly(1.0, 2.0, 3.0);
    }

    @Test
    void wrapsAroundManyTimesWithoutLosingOrRepeatingAPosition() {
        RecordRing ring = new RecordRing(5, 0);
        long expected = 0;
        for (int round = 0; round < 1000; round++) {
            int batch = 1 + round % 5;
            for (int k = 0; k < batch; k++) {
                long p = ring.tryClaim();
                assertThat(p).isGreaterThanOrEqualTo(0);
                ring.fill(ring.index(p), SlotKind.EVENT, (byte) 0, p, 0, null, null);
                ring.publish(p);
            }
            long[] next = {expected};
            ring.drain((r, i, p) -> {
                assertThat(p).isEqualTo(next[0]);
                assertThat(r.ts(i)).isEqualTo(p);
                next[0]++;
            }, Integer.MAX_VALUE);
            expected = next[0];
        }
        assertThat(ring.drained()).isEqualTo(expected).isEqualTo(ring.claimed());
    }

    @Test
    void drainedSlotsDropTheirReferences() {
        RecordRing ring = new RecordRing(4, 0);
        long p = ring.tryClaim();
        int i = ring.index(p);
        ring.fill(i, SlotKind.EVENT, (byte) 0, 1, 0, "n", new Object());
        ring.docFor(p).copyMap(Collections.singletonMap("k", "v"));
        ring.publish(p);
        ring.drain((r, idx, pos) -> { }, 10);
        assertThat(ring.name(i)).isNull();
        assertThat(ring.ref(i)).isNull();
        assertThat(ring.hasDoc(i)).isFalse();
    }

    /**
     * Neighbouring slots may share words and cache lines, and a slot keeps what its last call left
     * there: whatever the layout, no field may leak into a neighbour or survive into the next lap.
     */
    @Test
    void eachSlotReadsBackExactlyWhatItsCallWrote() {
        RecordRing ring = new RecordRing(4, 0);
        byte[] kinds = {SlotKind.METRIC, SlotKind.EVENT, SlotKind.STATE, SlotKind.REPORT};
        long[] ts = {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1};
        double[] values = {Double.NaN, -0.0, Double.MAX_VALUE, Double.NEGATIVE_INFINITY};
        byte[] codes = {(byte) 0xFF, Byte.MIN_VALUE, 0, Byte.MAX_VALUE};
        Object[] refs = {new Object(), null, "ref", new Object()};
        for (int lap = 0; lap < 2; lap++) {
            // The second lap writes every slot with what its neighbour had, the map in another slot.
            int shift = lap;
            int withMap = 2 - lap;
            for (int k = 0; k < 4; k++) {
                int v = (k + shift) % 4;
                long p = ring.tryClaim();
                ring.fill(ring.index(p), kinds[v], codes[v], ts[v], values[v], "name" + v, refs[v]);
                if (k == withMap) {
                    ring.docFor(p).copyMap(Collections.singletonMap("lap", lap));
                }
                ring.publish(p);
            }
            List<Integer> seen = new ArrayList<>();
            int lapNow = lap;
            ring.drain((r, i, p) -> {
                int k = (int) (p % 4);
                int v = (k + shift) % 4;
                assertThat(r.kind(i)).isEqualTo(kinds[v]);
                assertThat(r.code(i)).isEqualTo(codes[v]);
                assertThat(r.ts(i)).isEqualTo(ts[v]);
                assertThat(Double.doubleToRawLongBits(r.value(i))).isEqualTo(Double.doubleToRawLongBits(values[v]));
                assertThat(r.name(i)).isEqualTo("name" + v);
                assertThat(r.ref(i)).isSameAs(refs[v]);
                assertThat(r.hasDoc(i)).isEqualTo(k == withMap);
                if (k == withMap) {
                    assertThat(r.doc(i).ref(1)).isEqualTo("lap");
                    assertThat(r.doc(i).bits(2)).isEqualTo(lapNow);
                }
                seen.add(k);
            }, 10);
            assertThat(seen).containsExactly(0, 1, 2, 3);
        }
    }

    /**
     * A call that fails after taking a pool document marks its slot skipped: the sender gets it
     * as {@link SlotKind#NONE} (and sends nothing), and the document goes back to the pool.
     */
    @Test
    void aSkippedSlotReachesTheConsumerAsNoneAndFreesItsDocument() {
        RecordRing ring = new RecordRing(8, 0);
        long p = ring.tryClaim();
        ring.fill(ring.index(p), SlotKind.EVENT, (byte) 3, 1, 0, "e", null);
        Document taken = ring.docFor(p);
        taken.copyMap(Collections.singletonMap("k", "v"));
        ring.skip(ring.index(p));
        ring.publish(p);
        long other = ring.tryClaim();
        assertThat(ring.docFor(other)).as("taken while the skipped slot holds it").isNotSameAs(taken);
        ring.skip(ring.index(other));
        ring.publish(other);
        List<Byte> kinds = new ArrayList<>();
        assertThat(ring.drain((r, i, q) -> kinds.add(r.kind(i)), 10)).isEqualTo(2);
        assertThat(kinds).containsExactly(SlotKind.NONE, SlotKind.NONE);
        assertThat(taken.isEmpty()).as("cleared once drained").isTrue();
        assertThat(ring.docFor(ring.tryClaim())).as("the lowest free document again").isSameAs(taken);
    }

    @Test
    void mapCallsTakeTheLowestFreePoolDocumentAndSparesBeyondThePool() {
        RecordRing ring = new RecordRing(2_000, 0);
        Map<Document, Long> holder = new IdentityHashMap<>();
        // 1,500 map calls, none drained: 1,024 take the pool's documents, the rest their slot's
        // spare, and no document holds two calls' copies.
        for (long k = 0; k < 1_500; k++) {
            long p = ring.tryClaim();
            ring.fill(ring.index(p), SlotKind.STATE, (byte) 0, p, 0, null, null);
            Document d = ring.docFor(p);
            d.copyMap(Collections.singletonMap("p", p));
            assertThat(holder.put(d, p)).as("document of position %d", p).isNull();
            ring.publish(p);
        }
        long[] next = {0};
        ring.drain((r, i, p) -> {
            assertThat(r.hasDoc(i)).isTrue();
            assertThat(r.doc(i).bits(2)).isEqualTo(p);
            next[0]++;
        }, Integer.MAX_VALUE);
        assertThat(next[0]).isEqualTo(1_500);
        // A frame loop's pattern: 30 map calls, then the sender drains. Every frame copies into
        // the same 30 documents, the pool's lowest, which stay warm.
        List<Document> firstFrame = null;
        for (int frame = 0; frame < 50; frame++) {
            List<Document> used = new ArrayList<>();
            for (int k = 0; k < 30; k++) {
                long p = ring.tryClaim();
                Document d = ring.docFor(p);
                d.copyMap(Collections.singletonMap("k", k));
                used.add(d);
                ring.publish(p);
            }
            ring.drain((r, i, q) -> { }, Integer.MAX_VALUE);
            if (firstFrame == null) {
                firstFrame = used;
                Set<Document> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
                distinct.addAll(used);
                assertThat(distinct).hasSize(30);
            }
            for (int k = 0; k < 30; k++) {
                assertThat(used.get(k)).isSameAs(firstFrame.get(k));
                assertThat(used.get(k).isEmpty()).as("cleared once sent").isTrue();
            }
        }
    }

    @Test
    void aRingSmallerThanThePoolNeverNeedsASpare() {
        RecordRing ring = new RecordRing(8, 0);
        Map<Document, Long> holder = new IdentityHashMap<>();
        for (int round = 0; round < 3; round++) {
            for (int k = 0; k < ring.capacity(); k++) {
                long p = ring.tryClaim();
                assertThat(p).isGreaterThanOrEqualTo(0);
                Document d = ring.docFor(p);
                d.copyMap(Collections.singletonMap("p", p));
                holder.put(d, p);
                ring.publish(p);
            }
            assertThat(ring.tryClaim()).isEqualTo(-1);
            ring.drain((r, i, p) -> assertThat(r.doc(i).bits(2)).isEqualTo(p), Integer.MAX_VALUE);
        }
        // Eight documents in all, whatever the round: the pool's, used again and again.
        assertThat(holder).hasSize(8);
    }

    /**
     * Four producers race a consumer through a small ring that wraps thousands of times:
     * every accepted call arrives exactly once, with its own map copy, each producer's calls in
     * its own order, and
     * accepted + refused = attempted, exactly. A ring smaller than the pool of documents.
     */
    @Test
    @Timeout(60)
    void concurrentProducersLoseAndDuplicateNothing() throws Exception {
        race(1_000, 3);
    }

    /**
     * The same with a ring five times the pool's size and a map on every call: once the ring
     * fills, most calls copy into their slots' spare documents, which producers make (and race to
     * make the array of) while the consumer reads them.
     */
    @Test
    @Timeout(60)
    void concurrentProducersBeyondThePoolLoseAndDuplicateNothing() throws Exception {
        race(5_000, 1);
    }

    /**
     * Runs the race and checks it. The consumer starts once the ring is full, so every slot's
     * call is queued at once at least one time (a ring beyond the pool: spares).
     */
    private static void race(int limit, int mapEvery) throws Exception {
        int producers = 4;
        int perProducer = 500_000;
        RecordRing ring = new RecordRing(limit, 0);
        AtomicLong[] refused = new AtomicLong[producers];
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < producers; t++) {
            int id = t;
            refused[t] = new AtomicLong();
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int k = 0; k < perProducer; k++) {
                    long p = ring.tryClaim();
                    if (p < 0) {
                        refused[id].incrementAndGet();
                        continue;
                    }
                    int i = ring.index(p);
                    ring.fill(i, SlotKind.EVENT, (byte) id, k, 0, null, null);
                    if (k % mapEvery == 0) {
                        ring.docFor(p).copyMap(Collections.singletonMap("call", ((long) id << 32) | k));
                    }
                    ring.publish(p);
                }
            });
            threads.add(th);
            th.start();
        }
        BitSet[] seen = new BitSet[producers];
        long[] lastSeen = new long[producers];
        for (int t = 0; t < producers; t++) {
            seen[t] = new BitSet(perProducer);
            lastSeen[t] = -1;
        }
        AtomicBoolean orderBroken = new AtomicBoolean();
        AtomicBoolean duplicate = new AtomicBoolean();
        AtomicBoolean wrongCopy = new AtomicBoolean();
        long[] consumed = {0};
        SlotHandler check = (r, i, p) -> {
            int id = r.code(i);
            int k = (int) r.ts(i);
            if (seen[id].get(k)) {
                duplicate.set(true);
            }
            seen[id].set(k);
            if (k <= lastSeen[id]) {
                orderBroken.set(true);
            }
            lastSeen[id] = k;
            // A map copy arrives with its own call, whether its document came from the pool or the slot.
            if (k % mapEvery == 0 ? !r.hasDoc(i) || r.doc(i).bits(2) != (((long) id << 32) | k) : r.hasDoc(i)) {
                wrongCopy.set(true);
            }
            consumed[0]++;
        };
        start.countDown();
        while (ring.claimed() < limit && threads.stream().anyMatch(Thread::isAlive)) {
            Thread.yield();
        }
        assertThat(ring.claimed()).isEqualTo(limit);
        while (threads.stream().anyMatch(Thread::isAlive)) {
            ring.drain(check, 64);
        }
        ring.drain(check, Integer.MAX_VALUE);
        long accepted = 0;
        long totalRefused = 0;
        for (int t = 0; t < producers; t++) {
            accepted += seen[t].cardinality();
            totalRefused += refused[t].get();
        }
        assertThat(duplicate).isFalse();
        assertThat(orderBroken).isFalse();
        assertThat(wrongCopy).isFalse();
        assertThat(consumed[0]).isEqualTo(accepted);
        assertThat(accepted + totalRefused).isEqualTo((long) producers * perProducer);
        assertThat(ring.claimed()).isEqualTo(accepted);
        assertThat(accepted).isGreaterThan(0);
    }
}
