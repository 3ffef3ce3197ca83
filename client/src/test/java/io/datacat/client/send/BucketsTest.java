package io.datacat.client.send;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class BucketsTest {

    @Test
    void boundsAscendStrictly() {
        for (int i = 1; i < Buckets.SIZE; i++) {
            assertThat(Buckets.upperBound(i)).isGreaterThan(Buckets.upperBound(i - 1));
        }
    }

    @Test
    void eachSampleLandsInTheSmallestBucketThatHoldsIt() {
        Random random = new Random(42);
        for (int k = 0; k < 200_000; k++) {
            double v = Math.exp(random.nextGaussian() * 8);
            int i = Buckets.index(v);
            assertThat(Buckets.upperBound(i)).isGreaterThanOrEqualTo(v);
            if (i > Buckets.ZERO + 1 && i < Buckets.INF) {
                assertThat(Buckets.upperBound(i - 1)).isLessThan(v);
                // 16 buckets per power of two: no bucket is wider than 1/16 of its bound's octave.
                assertThat(Buckets.upperBound(i) / Buckets.upperBound(i - 1)).isLessThanOrEqualTo(1 + 1.0 / 16 + 1e-12);
            }
        }
    }

    @Test
    void edgesAndExactPowersOfTwo() {
        assertThat(Buckets.upperBound(Buckets.index(0))).isZero();
        assertThat(Buckets.upperBound(Buckets.index(-1e-300))).isZero();
        assertThat(Buckets.upperBound(Buckets.index(1.0))).isEqualTo(1.0);
        assertThat(Buckets.upperBound(Buckets.index(16.0))).isEqualTo(16.0);
        assertThat(Buckets.upperBound(Buckets.index(16.5))).isEqualTo(17.0);
        assertThat(Buckets.index(1e300)).isEqualTo(Buckets.INF);
        // The largest bound is itself a power of two: its samples are not +Inf's.
        assertThat(Buckets.upperBound(Buckets.index(0x1p41))).isEqualTo(0x1p41);
        assertThat(Buckets.index(Math.nextUp(0x1p41))).isEqualTo(Buckets.INF);
        assertThat(Buckets.index(1e-300)).isEqualTo(Buckets.ZERO + 1);
        assertThat(Buckets.index(-1e300)).isZero();
    }

    @Test
    void negativeSamplesHaveTheMirroredBuckets() {
        Random random = new Random(7);
        for (int k = 0; k < 200_000; k++) {
            double v = -Math.exp(random.nextGaussian() * 8);
            int i = Buckets.index(v);
            assertThat(Buckets.upperBound(i)).isGreaterThanOrEqualTo(v);
            if (i > 0 && i < Buckets.ZERO) {
                assertThat(Buckets.upperBound(i - 1)).isLessThan(v);
                assertThat(Buckets.upperBound(i - 1) / Buckets.upperBound(i)).isLessThanOrEqualTo(1 + 1.0 / 16 + 1e-12);
            }
        }
        // A bound itself falls in its own bucket, on either side.
        assertThat(Buckets.upperBound(Buckets.index(-16.0))).isEqualTo(-16.0);
        assertThat(Buckets.upperBound(Buckets.index(-16.5))).isEqualTo(-16.0);
        assertThat(Buckets.upperBound(Buckets.index(-17.0))).isEqualTo(-17.0);
    }

    @Test
    void mergedGroupsEndOnStandardBoundsOnBothSides() {
        for (int merge = 2; merge <= Buckets.SUB; merge *= 2) {
            int groups = 0;
            for (int i = 0; i < Buckets.SIZE; i++) {
                if (Buckets.endsGroup(i, merge)) {
                    groups++;
                }
            }
            // Each side's buckets split evenly into groups; zero and +Inf stand alone.
            assertThat(groups).isEqualTo(2 * (Buckets.ZERO / merge) + 2);
        }
    }
}
