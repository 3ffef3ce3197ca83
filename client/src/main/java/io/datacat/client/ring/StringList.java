package io.datacat.client.ring;

/** A reusable, growable list of strings: no allocation once it has grown to its working size. */
public final class StringList {
    private String[] items = new String[0];
    private int size;

    public void clear() {
        for (int i = 0; i < size; i++) {
            items[i] = null;
        }
        size = 0;
    }

    /** Replaces the content with a copy of {@code source} (null = empty). */
    public void copyOf(String[] source) {
        clear();
        if (source == null) {
            return;
        }
        if (source.length > items.length) {
            items = new String[source.length];
        }
        for (String s : source) {
            items[size++] = s == null ? "null" : s;
        }
    }

    public int size() {
        return size;
    }

    public String get(int i) {
        return items[i];
    }
}
