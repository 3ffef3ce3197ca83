package io.datacat.client.ring;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * A bounded multi-producer, single-consumer ring of preallocated slots, laid out as
 * parallel arrays (one entry per slot in each), so a queued metric costs about 42 bytes and
 * nothing is allocated per call. Parallel arrays suit a burst of calls: consecutive slots
 * share each array's cache lines, so a call touches about half a new line on average (a
 * slot-per-object layout, measured, was slower for metrics).
 *
 * <p>A producer claims a position with one compare-and-set on the producer cursor (no lock),
 * fills the slot with {@link #fill}, and publishes it with an ordered store of its position.
 * The consumer (the sender thread) walks positions in order while they are published, hands
 * each to a {@link SlotHandler}, and releases drained positions in bulk by advancing its
 * cursor.
 *
 * <p>Ordinary calls may fill the ring up to {@code limit} (the user's queue size);
 * {@link #tryClaimReserved()} may use the {@code reserve} above it, so an {@code end},
 * crash or hang report always finds room behind a full queue.
 *
 * <p>A slot belongs to its producer between claim and publish, and to the consumer between
 * seeing it published and releasing it.
 */
public final class RecordRing {
    /** Releasing in steps while draining gives producers room before a long drain ends. */
    private static final int RELEASE_EVERY = 256;
    /**
     * Documents in the pool (fewer if the ring is smaller): about 150 KB, room for a burst of
     * 1,000 map calls between two drains; calls beyond it copy into their slot's spare.
     */
    private static final int POOL_SIZE = 1024;
    private static final int NO_DOC = -1;
    private static final int SPARE = -2;

    /** What the call was: one of {@link SlotKind}. */
    private final byte[] kind;
    /** Level ordinal for events, metric kind for metrics. */
    private final byte[] code;
    private final long[] ts;
    private final double[] value;
    private final String[] name;
    private final Object[] ref;
    /**
     * The map copy each slot holds: the index of a document of {@link #pool}, {@link #SPARE} for
     * the slot's {@link #spare}, or {@link #NO_DOC}. An int and not a reference: with G1, storing
     * a reference into this old array would cost the call a write barrier with a full fence.
     */
    private final int[] docs;
    /**
     * The documents map calls copy into, made up front, so a map call allocates nothing. A call
     * takes the lowest free one, and the sender frees it once sent: a frame loop copies into
     * the same few documents frame after frame, which stay in the cache. (Each slot's own
     * document, the design before, was cold by the time its slot came round again: 16,384 of
     * them behind a 10,000 queue, about 100 ns per map call in a game's frame loop.)
     */
    private final Document[] pool;
    /** One bit per pool document, set while a slot holds it; bits past the pool's size stay set. */
    private final AtomicLongArray poolInUse;
    /**
     * Pool documents drained and cleared but not yet freed (consumer thread only): freed with
     * the consumer's cursor, a word at a time, so producers scanning {@link #poolInUse} do not
     * meet a line the sender changes for every record.
     */
    private final long[] poolDrained;
    /**
     * Per-slot documents, made on first need, for a call that finds the whole pool in use; the
     * array itself only once that first happens (4 bytes a slot), so a queue that never holds
     * more than the pool's worth of map calls does not pay for it.
     */
    private volatile Document[] spare;
    private static final AtomicReferenceFieldUpdater<RecordRing, Document[]> SPARES =
            AtomicReferenceFieldUpdater.newUpdater(RecordRing.class, Document[].class, "spare");
    /** Tag copies, made on first use of a slot for a call that has tags. */
    private final StringList[] tags;
    private final AtomicLongArray published;

    private final int mask;
    private final int limit;
    private final int capacity;
    private final PaddedAtomicLong producer = new PaddedAtomicLong(0);
    private final PaddedAtomicLong consumer = new PaddedAtomicLong(0);
    /**
     * Producers' last look at {@code consumer}. Reading the real cursor costs a cache miss
     * whenever the sender has just moved it, so a claim first checks this copy and reads the
     * cursor only when the copy says the ring is full. A stale copy is safe: the consumer only
     * moves forward, so it can only make the ring look fuller than it is.
     */
    private final PaddedAtomicLong consumerSeen = new PaddedAtomicLong(0);

    /**
     * @param limit   positions ordinary calls may occupy (the queue size), at least 1
     * @param reserve extra positions for {@link #tryClaimReserved()}
     */
    public RecordRing(int limit, int reserve) {
        if (limit < 1 || reserve < 0) {
            throw new IllegalArgumentException("limit must be >= 1 and reserve >= 0");
        }
        long needed = (long) limit + reserve;
        if (needed > (1 << 30)) {
            throw new IllegalArgumentException("queue size " + limit + " is too large (max 2^30)");
        }
        int size = Integer.highestOneBit((int) Math.max(2, needed - 1)) << 1;
        this.capacity = size;
        this.limit = limit;
        this.mask = size - 1;
        this.kind = new byte[size];
        this.code = new byte[size];
        this.ts = new long[size];
        this.value = new double[size];
        this.name = new String[size];
        this.ref = new Object[size];
        this.docs = new int[size];
        Arrays.fill(docs, NO_DOC);
        this.pool = new Document[Math.min(size, POOL_SIZE)];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = new Document(i);
        }
        this.poolInUse = new AtomicLongArray((pool.length + 63) >>> 6);
        if ((pool.length & 63) != 0) {
            poolInUse.set(0, -1L << pool.length);
        }
        this.poolDrained = new long[poolInUse.length()];
        this.tags = new StringList[size];
        this.published = new AtomicLongArray(size);
        for (int i = 0; i < size; i++) {
            published.lazySet(i, -1);
        }
    }

    /** Claims a position for an ordinary call; -1 when {@code limit} positions are in use. */
    public long tryClaim() {
        return claim(limit);
    }

    /** Claims a position out of the reserve too; -1 only when the whole ring is in use. */
    public long tryClaimReserved() {
        return claim(capacity);
    }

    private long claim(int bound) {
        for (;;) {
            long next = producer.get();
            if (next - consumerSeen.get() >= bound) {
                long drained = consumer.get();
                consumerSeen.lazySet(drained);
                if (next - drained >= bound) {
                    return -1;
                }
            }
            if (producer.compareAndSet(next, next + 1)) {
                return next;
            }
        }
    }

    /** The array index of a position's slot. */
    public int index(long position) {
        return (int) position & mask;
    }

    /** Writes a claimed slot's fields. */
    public void fill(int index, byte kind, byte code, long ts, double value, String name, Object ref) {
        this.kind[index] = kind;
        this.code[index] = code;
        this.ts[index] = ts;
        this.value[index] = value;
        this.name[index] = name;
        this.ref[index] = ref;
    }

    /** Marks a claimed slot as holding nothing (its call failed half-way); the consumer skips it. */
    public void skip(int index) {
        kind[index] = SlotKind.NONE;
    }

    public byte kind(int index) {
        return kind[index];
    }

    /** Level ordinal for events, metric kind for metrics. */
    public byte code(int index) {
        return code[index];
    }

    /** The caller's clock at the call, µs since the epoch. */
    public long ts(int index) {
        return ts[index];
    }

    /** Metric value. */
    public double value(int index) {
        return value[index];
    }

    /** Event or metric name. */
    public String name(int index) {
        return name[index];
    }

    /** An immutable object the call refers to: an {@code Event}, a {@code Throwable}, a metric key, a report. */
    public Object ref(int index) {
        return ref[index];
    }

    /**
     * The document a claimed position copies its call's map into, which its slot then holds
     * until drained: the pool's lowest free one, or the slot's spare when the pool is all in use.
     */
    public Document docFor(long position) {
        int i = index(position);
        Document d = takeFromPool();
        if (d != null) {
            docs[i] = d.poolIndex;
        } else {
            Document[] spares = spare;
            if (spares == null) {
                // Two producers may both make one: the first array set is the one every slot
                // uses, since the consumer finds a spare document through it.
                spares = new Document[capacity];
                if (!SPARES.compareAndSet(this, null, spares)) {
                    spares = spare;
                }
            }
            d = spares[i];
            if (d == null) {
                d = new Document();
                spares[i] = d;
            }
            docs[i] = SPARE;
        }
        return d;
    }

    private Document takeFromPool() {
        for (int w = 0, words = poolInUse.length(); w < words; w++) {
            long used = poolInUse.get(w);
            while (used != -1L) {
                long bit = Long.lowestOneBit(~used);
                if (poolInUse.compareAndSet(w, used, used | bit)) {
                    return pool[(w << 6) + Long.numberOfTrailingZeros(bit)];
                }
                used = poolInUse.get(w);
            }
        }
        return null;
    }

    /** The slot's map copy, or null if the call had none. Consumer side. */
    public Document doc(int index) {
        int d = docs[index];
        return d >= 0 ? pool[d] : d == SPARE ? spare[index] : null;
    }

    /** The slot's tag copy (created on first use of the slot). */
    public StringList tags(int index) {
        StringList t = tags[index];
        if (t == null) {
            t = new StringList();
            tags[index] = t;
        }
        return t;
    }

    /** The slot's tags, or null if no call in this slot ever had tags (reading allocates nothing). */
    public StringList tagsOrNull(int index) {
        return tags[index];
    }

    /** True if the slot holds a non-empty map copy. */
    public boolean hasDoc(int index) {
        Document d = doc(index);
        return d != null && !d.isEmpty();
    }

    /** Makes a claimed, filled position visible to the consumer. */
    public void publish(long position) {
        published.lazySet((int) position & mask, position);
    }

    /**
     * Hands up to {@code max} published positions, in order, to {@code handler} while it
     * {@linkplain SlotHandler#wantsMore() wants more}, clears and releases them. Consumer thread only.
     *
     * @return how many positions were handled
     */
    public int drain(SlotHandler handler, int max) {
        long next = consumer.get();
        int n = 0;
        while (n < max && handler.wantsMore()) {
            int i = (int) next & mask;
            if (published.get(i) != next) {
                break;
            }
            try {
                handler.onSlot(this, i, next);
            } finally {
                clear(i);
            }
            next++;
            n++;
            if ((n & (RELEASE_EVERY - 1)) == 0) {
                release(next);
            }
        }
        if (n > 0) {
            release(next);
        }
        return n;
    }

    /** Gives producers the drained positions before {@code next} and their pool documents. */
    private void release(long next) {
        for (int w = 0; w < poolDrained.length; w++) {
            long drainedBits = poolDrained[w];
            if (drainedBits != 0) {
                poolDrained[w] = 0;
                // Every one of these bits is set, so subtracting clears exactly them (bit 63 included).
                poolInUse.getAndAdd(w, -drainedBits);
            }
        }
        consumer.lazySet(next);
    }

    /**
     * Drops the slot's references so it does not keep the caller's objects alive; its document
     * keeps only its first keys (see {@link Document#clearAfterSend()}).
     */
    private void clear(int i) {
        name[i] = null;
        ref[i] = null;
        Document d = doc(i);
        if (d != null) {
            d.clearAfterSend();
            docs[i] = NO_DOC;
            if (d.poolIndex >= 0) {
                poolDrained[d.poolIndex >>> 6] |= 1L << d.poolIndex;
            }
        }
        StringList t = tags[i];
        if (t != null) {
            t.clear();
        }
    }

    /** Positions claimed so far (the next position to be claimed). */
    public long claimed() {
        return producer.get();
    }

    /** Positions drained so far. */
    public long drained() {
        return consumer.get();
    }

    /** The queue size ordinary calls are bounded by. */
    public int limit() {
        return limit;
    }

    /** Total positions, reserve included (a power of two). */
    public int capacity() {
        return capacity;
    }
}
