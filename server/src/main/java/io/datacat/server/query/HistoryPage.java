package io.datacat.server.query;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.server.store.StateKey;

import java.util.List;

/**
 * State history entries in merge order.
 *
 * @param last the key of the last entry (the next page starts after it), or null
 * @param more whether entries beyond these exist (after them for a page, before them for "latest")
 */
record HistoryPage(List<ObjectNode> entries, StateKey last, boolean more) {
}
