package io.datacat.bench;

import io.datacat.client.Counter;
import io.datacat.client.Datacat;
import io.datacat.client.Session;
import io.datacat.client.SessionOptions;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;

/**
 * Heap per queued metric record: an AsyncSession whose daemon cannot be reached (so nothing
 * leaves the queue) is filled with metric-handle calls; the heap growth over the queue size
 * is the cost of one queued record, the ring's arrays included. Run in its own JVM with the
 * serial collector: G1 rounds arrays this large up to whole regions, which would be counted
 * as if the queue used it.
 */
public final class QueueMemory {
    private QueueMemory() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println(bytesPerQueuedMetric(Integer.parseInt(args[0])));
    }

    /** Runs {@link #main} in a child JVM and returns what it printed. */
    static double measureInChildJvm(int queueSize) throws Exception {
        Process p = new ProcessBuilder(Stack.java(), "-XX:+UseSerialGC", "-Xmx2g", "-cp",
                System.getProperty("java.class.path"), QueueMemory.class.getName(), Integer.toString(queueSize))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the memory measurement failed: " + out);
        }
        String[] lines = out.split("\\R");
        return Double.parseDouble(lines[lines.length - 1]);
    }

    static double bytesPerQueuedMetric(int queueSize) throws InterruptedException {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long before = usedAfterGc(mem);
        Session s = Datacat.createSession(SessionOptions.builder("MemoryBench", "1.0")
                .daemonPort(1).daemonCommand("/nonexistent/datacat-daemon").asyncMode(true).queueSize(queueSize)
                .crashReporting(false).hangDetection(false).build());
        Counter c = s.counter("enemies");
        for (int i = 0; i < queueSize; i++) {
            c.increment();
        }
        long after = usedAfterGc(mem);
        long queued = s.stats().queued();
        double perRecord = (after - before) / (double) queued;
        s.shutdown(Duration.ofMillis(100));
        return perRecord;
    }

    private static long usedAfterGc(MemoryMXBean mem) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }
}
