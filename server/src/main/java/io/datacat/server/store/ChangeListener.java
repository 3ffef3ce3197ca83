package io.datacat.server.store;

import java.util.List;

/** Hears what every server sharing a database commits ({@link Store#onChanges}). */
public interface ChangeListener {
    /** The changes of one write, in commit order. */
    void changed(List<StoreChange> changes);

    /**
     * Writes may have gone unheard: the store could not listen for a while (a lost connection,
     * a database that was down) and listens again from now on. Whatever shows what they
     * changed should read it again.
     */
    void mayHaveMissed();
}
