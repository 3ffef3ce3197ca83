package io.datacat.server.testing;

import io.datacat.server.store.ReadTransaction;
import io.datacat.server.store.Store;
import io.datacat.server.store.WriteTransaction;

/**
 * A store that passes everything to another, for tests that change one thing about it (a
 * write that fails, or runs something in between). Closing it leaves the other open.
 */
public class ForwardingStore implements Store {
    private final Store store;

    public ForwardingStore(Store store) {
        this.store = store;
    }

    @Override
    public <T> T write(Work<T, WriteTransaction> work) {
        return store.write(work);
    }

    @Override
    public <T> T read(Work<T, ReadTransaction> work) {
        return store.read(work);
    }

    @Override
    public String describe() {
        return store.describe();
    }

    @Override
    public void close() {
    }
}
