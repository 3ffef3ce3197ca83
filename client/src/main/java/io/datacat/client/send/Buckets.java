package io.datacat.client.send;

/**
 * DataCat's default histogram buckets: log-linear, 16 per power of two (each at most 6.25%
 * wide), from 2^-30 (about 1e-9) to 2^41 (about 2e12), plus one for values ≤ 0 and one
 * for +Inf. The bounds are exact binary fractions, identical in every process, so the
 * server can merge histograms across sessions and estimate percentiles within a few
 * percent whatever the unit (ms, s, bytes).
 */
final class Buckets {
    /** Buckets per power of two. */
    static final int SUB = 16;
    private static final int MIN_EXP = -30;
    private static final int MAX_EXP = 40;
    static final int SIZE = 1 + (MAX_EXP - MIN_EXP + 1) * SUB + 1;
    static final int INF = SIZE - 1;

    private Buckets() {
    }

    /** The bucket a finite sample falls in: the one with the smallest upper bound ≥ v. */
    static int index(double v) {
        if (v <= 0) {
            return 0;
        }
        int e = Math.getExponent(v);
        if (e < MIN_EXP) {
            return 1;
        }
        double m = Math.scalb(v, -e);
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
            return INF;
        }
        return 1 + (e - MIN_EXP) * SUB + sub;
    }

    /** The upper bound of a bucket ({@code +Inf} for {@link #INF}). */
    static double upperBound(int index) {
        if (index == 0) {
            return 0;
        }
        if (index == INF) {
            return Double.POSITIVE_INFINITY;
        }
        int i = index - 1;
        int e = MIN_EXP + i / SUB;
        int sub = i % SUB;
        return Math.scalb(1 + (sub + 1) / (double) SUB, e);
    }
}
