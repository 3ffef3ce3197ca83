package io.datacat.client.ring;

/** Receives drained slots; see {@link RecordRing#drain(SlotHandler, int)}. */
public interface SlotHandler {
    /** Reads what it needs from the slot at {@code index}; the ring clears it afterwards. */
    void onSlot(RecordRing ring, int index, long position);

    /** Asked before each slot: false ends the drain there (the handler's batch is full). */
    default boolean wantsMore() {
        return true;
    }
}
