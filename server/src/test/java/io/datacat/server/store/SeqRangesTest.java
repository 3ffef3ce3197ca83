package io.datacat.server.store;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SeqRangesTest {
    private static SeqRanges.Range r(long lo, long hi) {
        return new SeqRanges.Range(lo, hi);
    }

    @Test
    void coversExactlyTheSeqsInsideItsRanges() {
        List<SeqRanges.Range> ranges = List.of(r(1, 3), r(7, 7), r(10, 20));
        assertThat(List.of(0L, 1L, 3L, 4L, 6L, 7L, 8L, 9L, 10L, 20L, 21L))
                .map(seq -> SeqRanges.covers(ranges, seq))
                .containsExactly(false, true, true, false, false, true, false, false, true, true, false);
        assertThat(SeqRanges.covers(List.of(), 1)).isFalse();
    }

    @Test
    void anInOrderBatchExtendsTheRangeItTouches() {
        assertThat(SeqRanges.merge(List.of(r(1, 1000)), new long[] {1001, 1002, 1003}, 3))
                .containsExactly(r(1, 1003));
    }

    @Test
    void seqsInAnyOrderFillHolesAndJoinRanges() {
        long[] seqs = {9, 4, 5, 6, 12, 2};
        assertThat(SeqRanges.merge(List.of(r(1, 1), r(7, 8), r(20, 30)), seqs, seqs.length))
                .containsExactly(r(1, 2), r(4, 9), r(12, 12), r(20, 30));
    }

    @Test
    void onlyTheFirstCountSeqsAreAdded() {
        assertThat(SeqRanges.merge(List.of(), new long[] {5, 3, 99}, 2)).containsExactly(r(3, 3), r(5, 5));
    }

    @Test
    void theLargestSeqDoesNotOverflow() {
        assertThat(SeqRanges.merge(List.of(r(Long.MAX_VALUE - 1, Long.MAX_VALUE)), new long[] {1}, 1))
                .containsExactly(r(1, 1), r(Long.MAX_VALUE - 1, Long.MAX_VALUE));
    }
}
