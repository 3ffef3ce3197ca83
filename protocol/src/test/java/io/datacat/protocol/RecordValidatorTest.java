package io.datacat.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordValidatorTest {

    private static WireRecord record(String json) {
        return RecordValidator.validate(Json.parse(json.replace('\'', '"').getBytes()), "records[0]");
    }

    private static final String BASE = "'sid':'s-1','seq':1,'ts':1764294000000000,";

    @Test
    void eventGetsDefaultsFilledIn() {
        WireRecord r = record("{" + BASE + "'kind':'event','name':'player_died'}");
        assertThat(r.kind()).isEqualTo(RecordKind.EVENT);
        assertThat(r.src()).isEqualTo(Source.APP);
        assertThat(r.text("level")).isEqualTo("info");
        assertThat(r.name()).isEqualTo("player_died");
    }

    @Test
    void exceptionDefaultsToNameExceptionAndLevelError() {
        WireRecord r = record("{" + BASE + "'kind':'exception','exception_type':'java.lang.IllegalStateException',"
                + "'stacktrace':['a','b'],'source_line':12}");
        assertThat(r.name()).isEqualTo("exception");
        assertThat(r.text("level")).isEqualTo("error");
    }

    @Test
    void histogramAggregateWithInfBucketIsNormalised() {
        WireRecord r = record("{" + BASE + "'kind':'metric','name':'frame','type':'histogram','value':0.5,"
                + "'count':3,'sum':1.5,'min':0.1,'max':1,'buckets':[{'le':0.5,'count':2},{'le':'Infinity','count':1}]}");
        assertThat(r.body().get("buckets").get(1).get("le").asText()).isEqualTo("+Inf");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{'seq':1,'ts':1,'kind':'event','name':'x'}                        | records[0].sid",
            "{'sid':'bad id!','seq':1,'ts':1,'kind':'event','name':'x'}          | records[0].sid",
            "{'sid':'s','seq':0,'ts':1,'kind':'event','name':'x'}                | records[0].seq",
            "{'sid':'s','seq':'1','ts':1,'kind':'event','name':'x'}              | records[0].seq",
            "{'sid':'s','seq':1.5,'ts':1,'kind':'event','name':'x'}              | records[0].seq",
            "{'sid':'s','seq':1,'ts':1,'kind':'nope'}                            | records[0].kind",
            "{'sid':'s','seq':1,'ts':-5,'kind':'end'}                            | records[0].ts",
            "{'sid':'s','seq':1,'ts':1,'kind':'event','name':''}                 | records[0].name",
            "{'sid':'s','seq':1,'ts':1,'kind':'event','name':'x','level':'loud'} | records[0].level",
            "{'sid':'s','seq':1,'ts':1,'kind':'event','name':'x','data':[1]}     | records[0].data",
            "{'sid':'s','seq':1,'ts':1,'kind':'event','name':'x','labels':[1]}   | records[0].labels[0]",
            "{'sid':'s','seq':1,'ts':1,'kind':'metric','name':'m'}               | records[0].value",
            "{'sid':'s','seq':1,'ts':1,'kind':'metric','name':'m','value':'1'}   | records[0].value",
            "{'sid':'s','seq':1,'ts':1,'kind':'metric','name':'m','value':1e999} | records[0].value",
            "{'sid':'s','seq':1,'ts':1,'kind':'metric','name':'m','value':1,'type':'meter'} | records[0].type",
            "{'sid':'s','seq':1,'ts':1,'kind':'metric','name':'m','value':1,'type':'histogram','buckets':[{'le':2,'count':1},{'le':1,'count':1}]} | records[0].buckets[1].le",
            "{'sid':'s','seq':1,'ts':1,'kind':'state','patch':5}                 | records[0].patch",
            "{'sid':'s','seq':1,'ts':1,'kind':'state'}                           | records[0].patch",
            "{'sid':'s','seq':1,'ts':1,'kind':'session_start','product':'','version':'1'} | records[0].product",
            "{'sid':'s','seq':1,'ts':1,'kind':'session_start','product':'p'}     | records[0].version",
            "{'sid':'s','seq':1,'ts':1,'kind':'crash'}                           | records[0].reason",
            "{'sid':'s','seq':1,'ts':1,'kind':'event','name':'x','data':{'v':1e999}} | records[0]",
    })
    void badRecordsAreRejectedNamingTheField(String json, String field) {
        assertThatThrownBy(() -> record(json))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo(field));
    }

    @Test
    void overlongNameIsRejected() {
        String name = "n".repeat(Limits.MAX_NAME_CHARS + 1);
        assertThatThrownBy(() -> record("{" + BASE + "'kind':'event','name':'" + name + "'}"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("the limit is 256");
    }

    @Test
    void batchRejectsWholeWhenOneRecordIsBad() {
        String body = ("{'records':[{" + BASE + "'kind':'end'},{'sid':'s','seq':2,'ts':1,'kind':'event'}]}")
                .replace('\'', '"');
        assertThatThrownBy(() -> Batch.parse(body.getBytes()))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("records[1].name"));
    }

    @Test
    void batchRoundTripsThroughJson() {
        String body = ("{'records':[{" + BASE + "'kind':'end'}],'sessions':{'s-1':{'client_dropped':3}}}")
                .replace('\'', '"');
        Batch b = Batch.parse(body.getBytes());
        Batch again = Batch.parse(b.toJson());
        assertThat(again.records()).hasSize(1);
        assertThat(again.sessions().get("s-1").clientDropped()).isEqualTo(3);
    }
}
