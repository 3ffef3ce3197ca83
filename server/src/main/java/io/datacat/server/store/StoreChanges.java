package io.datacat.server.store;

import io.datacat.protocol.Source;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link StoreChange}s as PostgreSQL notification payloads (at most 8,000 bytes each): one
 * entry per change, separated by spaces, {@code sid,src,fromSeq,toSeq,fromTs,toTs}, or
 * {@code sid} alone for a session whose row alone changed. Session ids never hold a space or a
 * comma (protocol: letters, digits, {@code . _ : -}, at most 64).
 */
final class StoreChanges {
    /** Below the database's 8,000-byte limit, with room for one more entry of the longest id. */
    private static final int MAX_PAYLOAD_CHARS = 7_000;

    private StoreChanges() {
    }

    static List<String> payloads(List<StoreChange> changes) {
        List<String> out = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        for (StoreChange c : changes) {
            if (sb.length() > MAX_PAYLOAD_CHARS) {
                out.add(sb.toString());
                sb = new StringBuilder();
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(c.sid());
            if (c.hasRecords()) {
                sb.append(',').append(c.src().code()).append(',').append(c.fromSeq()).append(',').append(c.toSeq())
                        .append(',').append(c.fromTs()).append(',').append(c.toTs());
            }
        }
        out.add(sb.toString());
        return out;
    }

    /** The changes of a payload, or none when it is not one of ours. */
    static List<StoreChange> parse(String payload) {
        List<StoreChange> out = new ArrayList<>();
        try {
            for (String entry : payload.split(" ")) {
                String[] f = entry.split(",");
                out.add(f.length == 1 ? StoreChange.sessionOnly(f[0])
                        : new StoreChange(f[0], Source.fromCode(Integer.parseInt(f[1])), Long.parseLong(f[2]),
                                Long.parseLong(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5])));
            }
        } catch (RuntimeException e) {
            // Someone else's notification on our channel: nothing of ours to pass on.
            return List.of();
        }
        return out;
    }
}
