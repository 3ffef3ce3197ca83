package io.datacat.server.store;

import java.util.List;

/**
 * Records of one page, in (ts, src, seq) order.
 *
 * @param more whether records beyond this page match too
 */
public record RecordPage(List<StoredRecord> records, boolean more) {
    public RecordPage {
        records = List.copyOf(records);
    }
}
