package io.datacat.server.store;

import io.datacat.protocol.Source;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link RemoteChange}s as PostgreSQL notification payloads (at most 8,000 bytes each): the
 * sending server's origin, then one entry per change, separated by spaces:
 * {@code sid,src,fromSeq,toSeq,fromTs,toTs}, or {@code sid} alone for a session whose row alone
 * changed. Session ids never hold a space or a comma (protocol: letters, digits, {@code . _ : -}).
 */
final class RemoteChanges {
    /** Below the database's 8,000-byte limit, with room for one more entry of the longest id. */
    private static final int MAX_PAYLOAD_CHARS = 7_000;

    private RemoteChanges() {
    }

    static List<String> payloads(String origin, List<RemoteChange> changes) {
        List<String> out = new ArrayList<>();
        StringBuilder sb = new StringBuilder(origin);
        for (RemoteChange c : changes) {
            if (sb.length() > MAX_PAYLOAD_CHARS) {
                out.add(sb.toString());
                sb = new StringBuilder(origin);
            }
            sb.append(' ').append(c.sid());
            if (c.hasRecords()) {
                sb.append(',').append(c.src().code()).append(',').append(c.fromSeq()).append(',').append(c.toSeq())
                        .append(',').append(c.fromTs()).append(',').append(c.toTs());
            }
        }
        out.add(sb.toString());
        return out;
    }

    /** The changes of a payload, or none when it came from {@code self} or is not one of ours. */
    static List<RemoteChange> parse(String self, String payload) {
        String[] parts = payload.split(" ");
        List<RemoteChange> out = new ArrayList<>(parts.length - 1);
        if (parts[0].equals(self)) {
            return out;
        }
        try {
            for (int i = 1; i < parts.length; i++) {
                String[] f = parts[i].split(",");
                out.add(f.length == 1 ? RemoteChange.sessionOnly(f[0])
                        : new RemoteChange(f[0], Source.fromCode(Integer.parseInt(f[1])), Long.parseLong(f[2]),
                                Long.parseLong(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5])));
            }
        } catch (RuntimeException e) {
            // Someone else's notification on our channel: nothing of ours to pass on.
            return List.of();
        }
        return out;
    }
}
