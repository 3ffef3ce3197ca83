package io.datacat.client.ring;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class DocumentTest {

    /** Renders tokens as compact text so tests can compare whole documents. */
    static String render(Document d) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < d.size(); i++) {
            switch (d.token(i)) {
                case Document.OBJECT_START: sb.append('{'); break;
                case Document.OBJECT_END: sb.append('}'); break;
                case Document.ARRAY_START: sb.append('['); break;
                case Document.ARRAY_END: sb.append(']'); break;
                case Document.KEY: sb.append(d.ref(i)).append('='); break;
                case Document.LONG: sb.append(d.bits(i)).append(' '); break;
                case Document.DOUBLE: sb.append(Double.longBitsToDouble(d.bits(i))).append(' '); break;
                case Document.BOOLEAN: sb.append(d.bits(i) != 0).append(' '); break;
                default: sb.append(d.ref(i)).append(' ');
            }
        }
        return sb.toString();
    }

    @Test
    void copyIsASnapshotTheCallerMayChangeAfterwards() {
        Map<String, Object> pos = new LinkedHashMap<>();
        pos.put("x", 1);
        List<Object> items = new ArrayList<>(Arrays.asList("sword", "shield"));
        Map<String, Object> player = new LinkedHashMap<>();
        player.put("pos", pos);
        player.put("items", items);
        player.put("hp", 100);
        Document d = new Document();
        d.copyMap(player);
        String before = render(d);
        pos.put("x", 99);
        items.add("bow");
        player.put("hp", 1);
        assertThat(render(d)).isEqualTo(before).isEqualTo("{pos={x=1 }items=[sword shield ]hp=100 }");
    }

    @Test
    void mutableNumbersAndPrimitiveArraysAreCopiedByValue() {
        AtomicInteger counter = new AtomicInteger(7);
        int[] xs = {1, 2};
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("c", counter);
        m.put("xs", xs);
        m.put("ds", new double[] {0.5});
        m.put("flags", new boolean[] {true});
        Document d = new Document();
        d.copyMap(m);
        counter.set(8);
        xs[0] = 100;
        assertThat(render(d)).isEqualTo("{c=7 xs=[1 2 ]ds=[0.5 ]flags=[true ]}");
    }

    @Test
    void boxedNumbersAndBooleansAreHeldAsBitsStringsAndBigNumbersAsReferences() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("i", 12);
        m.put("l", -3L);
        m.put("s", (short) 4);
        m.put("d", 0.25);
        m.put("f", 1.5f);
        m.put("t", true);
        m.put("n", "orc");
        m.put("big", java.math.BigInteger.TEN.pow(30));
        Document d = new Document();
        d.copyMap(m);
        assertThat(render(d)).isEqualTo("{i=12 l=-3 s=4 d=0.25 f=1.5 t=true n=orc big=" + java.math.BigInteger.TEN.pow(30) + " }");
        assertThat(d.token(2)).isEqualTo(Document.LONG);
        assertThat(d.token(8)).isEqualTo(Document.DOUBLE);
        assertThat(d.token(12)).isEqualTo(Document.BOOLEAN);
        assertThat(d.token(14)).isEqualTo(Document.VALUE);
        assertThat(d.token(16)).isEqualTo(Document.VALUE);
    }

    /** Once sent, a document keeps its keys for the next copy of the same ones, and lets go of the caller's values. */
    @Test
    void clearingAfterSendKeepsTheKeysAndDropsTheValues() {
        String key = "name";
        String value = new String("dynamic");
        Document d = new Document();
        d.copyMap(Collections.singletonMap(key, value));
        d.clearAfterSend();
        assertThat(d.isEmpty()).isTrue();
        assertThat(d.ref(1)).isSameAs(key);
        assertThat(d.ref(2)).isNull();
        d.copyMap(Collections.singletonMap(key, 7));
        assertThat(render(d)).isEqualTo("{name=7 }");
        assertThat(d.ref(2)).isNull();
    }

    /** Keys past the first {@link Document#KEPT_KEYS} tokens are dropped too: what a document keeps alive is bounded. */
    @Test
    void clearingAfterSendDropsKeysPastTheKeptOnes() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < Document.KEPT_KEYS; i++) {
            m.put("k" + i, i);
        }
        Document d = new Document();
        d.copyMap(m);
        d.clearAfterSend();
        // Token 0 opens the object; then each entry is a key and its value (bits, no reference).
        for (int i = 1; i < Document.KEPT_KEYS; i += 2) {
            assertThat(d.ref(i)).as("token %d", i).isEqualTo("k" + (i - 1) / 2);
            assertThat(d.ref(i + 1)).as("token %d", i + 1).isNull();
        }
        for (int i = Document.KEPT_KEYS; i < 2 * Document.KEPT_KEYS + 1; i++) {
            assertThat(d.ref(i)).as("token %d", i).isNull();
        }
    }

    @Test
    void unknownObjectsBecomeTheirTextAndEnumsTheirName() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sb", new StringBuilder("abc"));
        m.put("e", Thread.State.RUNNABLE);
        m.put(null, "nullkey");
        Document d = new Document();
        d.copyMap(m);
        assertThat(render(d)).isEqualTo("{sb=abc e=RUNNABLE null=nullkey }");
    }

    @Test
    void treesDeeperThanTheLimitAreCutAndMarked() {
        Map<String, Object> root = new HashMap<>();
        Map<String, Object> cur = root;
        for (int i = 0; i < Document.MAX_DEPTH + 10; i++) {
            Map<String, Object> next = new HashMap<>();
            cur.put("k", next);
            cur = next;
        }
        Document d = new Document();
        d.copyMap(root);
        assertThat(d.truncated()).isTrue();
        int depth = 0;
        int max = 0;
        for (int i = 0; i < d.size(); i++) {
            if (d.token(i) == Document.OBJECT_START) {
                max = Math.max(max, ++depth);
            } else if (d.token(i) == Document.OBJECT_END) {
                depth--;
            }
        }
        assertThat(depth).isZero();
        assertThat(max).isEqualTo(Document.MAX_DEPTH);
    }

    @Test
    void hugeMapsAreCutButStayBalanced() {
        Map<String, Object> big = new LinkedHashMap<>();
        for (int i = 0; i < Document.MAX_TOKENS; i++) {
            big.put("k" + i, i);
        }
        Document d = new Document();
        d.copyMap(big);
        assertThat(d.truncated()).isTrue();
        assertThat(d.size()).isLessThanOrEqualTo(Document.MAX_TOKENS);
        assertThat(d.token(d.size() - 1)).isEqualTo(Document.OBJECT_END);
        assertThat(d.token(d.size() - 2)).isEqualTo(Document.LONG);
    }

    @Test
    void reuseAllocatesNothingOnceWarm() {
        Map<String, Object> m = new HashMap<>();
        m.put("x", 1);
        m.put("y", 2.5);
        m.put("name", "p1");
        Document d = new Document();
        for (int i = 0; i < 10_000; i++) {
            d.copyMap(m);
        }
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 100_000; i++) {
            d.copyMap(m);
        }
        long perCall = (mx.getThreadAllocatedBytes(tid) - before) / 100_000;
        assertThat(perCall).isZero();
    }
}
