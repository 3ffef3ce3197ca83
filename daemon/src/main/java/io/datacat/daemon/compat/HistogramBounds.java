package io.datacat.daemon.compat;

import com.fasterxml.jackson.databind.JsonNode;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Json;
import io.datacat.protocol.Limits;
import io.datacat.protocol.RecordValidator;

import java.util.HashSet;
import java.util.Set;

/**
 * The bucket bounds a compatible histogram sample may name in {@code metadata.buckets}. The
 * sample travels as one exact sample, so the bounds are not needed downstream; they are still
 * checked, so a client sending a malformed list hears of it, as it did when the daemon counted
 * its samples into those buckets.
 */
final class HistogramBounds {
    private HistogramBounds() {
    }

    /**
     * @throws InvalidInputException unless {@code buckets} is absent, or an array of at most 255
     *                               finite numbers or spellings of infinity ({@code "inf"} …)
     */
    static void check(JsonNode buckets) {
        if (buckets == null || buckets.isNull()) {
            return;
        }
        if (!buckets.isArray()) {
            throw new InvalidInputException("metadata.buckets must be an array of upper bounds, e.g. "
                    + "[0.1, 1, 10, \"inf\"]", "metadata.buckets");
        }
        Set<Double> distinct = new HashSet<>();
        for (int i = 0; i < buckets.size(); i++) {
            JsonNode b = buckets.get(i);
            boolean finite = b.isNumber() && Double.isFinite(b.asDouble());
            if (!finite && !(b.isTextual() && RecordValidator.isInfinity(b.asText()))) {
                throw new InvalidInputException("metadata.buckets[" + i + "] must be a finite number or \"inf\", got "
                        + Json.describe(b), "metadata.buckets[" + i + "]");
            }
            distinct.add(finite ? b.asDouble() : Double.POSITIVE_INFINITY);
        }
        // Repeated bounds count once, as the old daemon sorted them into a set.
        if (distinct.size() > Limits.MAX_BUCKETS - 1) {
            throw new InvalidInputException("metadata.buckets holds at most " + (Limits.MAX_BUCKETS - 1)
                    + " bounds", "metadata.buckets");
        }
    }
}
