package io.datacat.client.send;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which record a daemon's refusal names, read from its error body. */
class RefusalBodyTest {

    @Test
    void readsTheRecordTheFieldNames() {
        assertThat(Pipeline.refusedRecord("{\"error\":\"records[12].name must not be empty\","
                + "\"field\":\"records[12].name\"}", 100)).isEqualTo(12);
        assertThat(Pipeline.refusedRecord("{\"error\":\"x\",\"field\":\"records[0]\"}", 1)).isZero();
    }

    @Test
    void namesNoRecordWhenTheBodyDoesNotSayOrSaysNonsense() {
        assertThat(Pipeline.refusedRecord(null, 10)).isEqualTo(-1);
        assertThat(Pipeline.refusedRecord("{\"error\":\"a batch holds at most 4096 records\"}", 10)).isEqualTo(-1);
        assertThat(Pipeline.refusedRecord("{\"error\":\"records[3] is bad\"}", 10)).as("no field").isEqualTo(-1);
        assertThat(Pipeline.refusedRecord("{\"field\":\"records[10].name\"}", 10)).as("outside the batch")
                .isEqualTo(-1);
        assertThat(Pipeline.refusedRecord("{\"field\":\"records[].name\"}", 10)).isEqualTo(-1);
        assertThat(Pipeline.refusedRecord("{\"field\":\"records[99999999999].name\"}", 10)).isEqualTo(-1);
        assertThat(Pipeline.refusedRecord("{\"field\":\"records[1x]\"}", 10)).isEqualTo(-1);
        assertThat(Pipeline.refusedRecord("{\"field\":\"sessions\"}", 10)).isEqualTo(-1);
    }
}
