package io.datacat.client;

import io.datacat.client.ring.Document;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An event with every optional field (category, group, labels, message, data), immutable:
 * build it once and log it as often as you like without allocating.
 *
 * <pre>{@code
 * Event died = Event.builder("player_died").level(Level.WARNING)
 *         .category("gameplay").labels("player", "death").message("fell off the map")
 *         .data("cause", "fall_damage").build();
 * session.logEvent(died);
 * }</pre>
 */
public final class Event {
    private final String name;
    private final Level level;
    private final String category;
    private final String group;
    private final List<String> labels;
    private final String message;
    private final Map<String, Object> data;

    private Event(Builder b) {
        this.name = b.name;
        this.level = b.level;
        this.category = b.category;
        this.group = b.group;
        this.labels = Collections.unmodifiableList(new ArrayList<String>(b.labels));
        this.message = b.message;
        this.data = Collections.unmodifiableMap(new LinkedHashMap<String, Object>(b.data));
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    public Level level() {
        return level;
    }

    public String category() {
        return category;
    }

    public String group() {
        return group;
    }

    public List<String> labels() {
        return labels;
    }

    public String message() {
        return message;
    }

    /** The data, as it was when {@link Builder#build()} ran (nested maps and lists are copied too). */
    public Map<String, Object> data() {
        return data;
    }

    public static final class Builder {
        private final String name;
        private Level level = Level.INFO;
        private String category;
        private String group;
        private final List<String> labels = new ArrayList<String>();
        private String message;
        private final Map<String, Object> data = new LinkedHashMap<String, Object>();

        private Builder(String name) {
            this.name = name;
        }

        public Builder level(Level level) {
            this.level = level == null ? Level.INFO : level;
            return this;
        }

        public Builder category(String category) {
            this.category = category;
            return this;
        }

        public Builder group(String group) {
            this.group = group;
            return this;
        }

        public Builder labels(String... labels) {
            if (labels != null) {
                for (String l : labels) {
                    this.labels.add(String.valueOf(l));
                }
            }
            return this;
        }

        public Builder message(String message) {
            this.message = message;
            return this;
        }

        public Builder data(String key, Object value) {
            try {
                this.data.put(key, freeze(value, 0));
            } catch (RuntimeException e) {
                // A collection changed meanwhile on another thread.
                this.data.put(key, "(could not be read: " + e + ")");
            }
            return this;
        }

        /** Adds every entry of {@code data}; one that changes meanwhile on another thread adds what it can. */
        public Builder data(Map<String, ?> data) {
            if (data != null) {
                try {
                    for (Map.Entry<String, ?> e : data.entrySet()) {
                        this.data.put(e.getKey(), freeze(e.getValue(), 0));
                    }
                } catch (RuntimeException e) {
                    this.data.put("(data)", "(the map could not be read: " + e + ")");
                }
            }
            return this;
        }

        public Event build() {
            return new Event(this);
        }

        /**
         * Copies what could change after {@link #build()}, as a map given to a logging call is
         * copied: maps, collections and arrays are copied (arrays as lists) down to
         * {@link Document#MAX_DEPTH} levels (a cycle ends there), mutable numbers
         * ({@code AtomicLong} …) become their value, and any other object its text now (a
         * {@code Path}, which iterates over itself, too). Never throws: a {@code toString()}
         * that does is written as what it threw.
         */
        private static Object freeze(Object value, int depth) {
            if (value == null || value instanceof String || value instanceof Boolean || value instanceof Character
                    || value instanceof Enum) {
                return value;
            }
            if (value instanceof Number) {
                return freezeNumber((Number) value);
            }
            if (depth >= Document.MAX_DEPTH && (value instanceof Map || value instanceof Collection
                    || value.getClass().isArray())) {
                return "(cut: nested deeper than " + Document.MAX_DEPTH + " levels)";
            }
            if (value instanceof Map) {
                Map<String, Object> copy = new LinkedHashMap<String, Object>();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                    copy.put(text(e.getKey()), freeze(e.getValue(), depth + 1));
                }
                return Collections.unmodifiableMap(copy);
            }
            if (value instanceof Collection) {
                List<Object> copy = new ArrayList<Object>();
                for (Object o : (Collection<?>) value) {
                    copy.add(freeze(o, depth + 1));
                }
                return Collections.unmodifiableList(copy);
            }
            if (value instanceof char[]) {
                // As a map value's char[] is sent: an array holding its text.
                return Collections.singletonList(new String((char[]) value));
            }
            if (value.getClass().isArray()) {
                List<Object> copy = new ArrayList<Object>();
                for (int i = 0, n = Array.getLength(value); i < n; i++) {
                    copy.add(freeze(Array.get(value, i), depth + 1));
                }
                return Collections.unmodifiableList(copy);
            }
            return text(value);
        }

        private static String text(Object value) {
            try {
                return String.valueOf(value);
            } catch (Throwable t) {
                return "(toString() threw " + t.getClass().getName() + ")";
            }
        }

        private static Number freezeNumber(Number n) {
            if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte
                    || n instanceof Double || n instanceof Float || n instanceof BigInteger || n instanceof BigDecimal) {
                return n;
            }
            double d = n.doubleValue();
            return d == n.longValue() ? (Number) n.longValue() : (Number) d;
        }
    }
}
