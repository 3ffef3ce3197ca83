package io.datacat.client.send;

/**
 * DataCat's default histogram buckets: log-linear, 16 per power of two (each at most 6.25%
 * wide), from 2^-30 (about 1e-9) to 2^41 (about 2e12), the same mirrored for negative values,
 * plus one for zero (and the negatives too small for the mirrored ones) and one for +Inf.
 * The bounds are exact binary fractions, identical in every process, so the server can merge
 * histograms across sessions and estimate percentiles within a few percent whatever the unit
 * (ms, s, bytes) and sign.
 *
 * <p>Indices ascend with the bounds: the negative buckets (the lowest, {@code 0}, also holds
 * every value below -2^41), {@link #ZERO}, the positive ones, and {@link #INF}.
 */
final class Buckets {
    /** Buckets per power of two. */
    static final int SUB = 16;
    private static final int MIN_EXP = -30;
    private static final int MAX_EXP = 40;
    /** Buckets on each side of zero. */
    private static final int SIDE = (MAX_EXP - MIN_EXP + 1) * SUB;
    /** The bucket whose upper bound is 0. */
    static final int ZERO = SIDE;
    static final int SIZE = 2 * SIDE + 2;
    static final int INF = SIZE - 1;

    private Buckets() {
    }

    /** The bucket a finite sample falls in: the one with the smallest upper bound ≥ v. */
    static int index(double v) {
        if (v > 0) {
            return ZERO + positive(v);
        }
        if (v == 0) {
            return ZERO;
        }
        // -x lies in the bucket whose bound is -b for the largest positive bound b ≤ x.
        double x = -v;
        int k = positive(x);
        int m = k <= SIDE && positiveBound(k) == x ? k : k - 1;
        return ZERO - m;
    }

    /**
     * For {@code x > 0}: 1 to {@link #SIDE} for the positive bucket with the smallest bound ≥ x,
     * {@code SIDE + 1} above the largest.
     */
    private static int positive(double x) {
        int e = Math.getExponent(x);
        if (e < MIN_EXP) {
            return 1;
        }
        double m = Math.scalb(x, -e);
        int sub = (int) Math.ceil((m - 1) * SUB) - 1;
        if (sub < 0) {
            // Exactly 2^e: the upper bound of the previous power's last bucket.
            e--;
            sub = SUB - 1;
            if (e < MIN_EXP) {
                return 1;
            }
        }
        if (e > MAX_EXP) {
            return SIDE + 1;
        }
        return 1 + (e - MIN_EXP) * SUB + sub;
    }

    /** The bound of positive bucket {@code k} (1 to {@link #SIDE}); 0 for {@code k = 0}. */
    private static double positiveBound(int k) {
        if (k == 0) {
            return 0;
        }
        int i = k - 1;
        return Math.scalb(1 + (i % SUB + 1) / (double) SUB, MIN_EXP + i / SUB);
    }

    /** The upper bound of a bucket ({@code +Inf} for {@link #INF}). */
    static double upperBound(int index) {
        if (index == INF) {
            return Double.POSITIVE_INFINITY;
        }
        return index >= ZERO ? positiveBound(index - ZERO) : -positiveBound(ZERO - index);
    }

    /**
     * Whether bucket {@code i} is the last of its group when neighbouring buckets are merged
     * {@code merge} at a time (1, 2, 4, 8 or 16) within each power of two, so that every merged
     * group's upper bound is still one of the standard bounds: zero and +Inf stand alone.
     */
    static boolean endsGroup(int i, int merge) {
        if (merge == 1 || i == ZERO || i == INF) {
            return true;
        }
        // A negative group's last bucket is the one nearest zero, mirroring the positive side.
        return i < ZERO ? (ZERO - i - 1) % merge == 0 : (i - ZERO - 1) % merge == merge - 1;
    }
}
