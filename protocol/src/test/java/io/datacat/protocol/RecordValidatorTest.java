package io.datacat.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every case runs through both ways of validating: a tree ({@link RecordValidator}) and a
 * request body read as tokens ({@link BatchReader}); they must agree on the normalised record
 * and on the error (message and field).
 */
class RecordValidatorTest {

    static WireRecord record(String json) {
        String text = json.replace('\'', '"');
        WireRecord fromTree = null;
        InvalidInputException treeError = null;
        try {
            fromTree = RecordValidator.validate(Json.parse(text.getBytes(StandardCharsets.UTF_8)), "records[0]");
        } catch (InvalidInputException e) {
            treeError = e;
        }
        WireRecord streamed = null;
        InvalidInputException streamError = null;
        try {
            streamed = streamed(text);
        } catch (InvalidInputException e) {
            streamError = e;
        }
        if (treeError != null) {
            assertThat(streamError).as("the streaming path refuses what the tree path refuses").isNotNull();
            assertThat(streamError.getMessage()).isEqualTo(treeError.getMessage());
            assertThat(streamError.field()).isEqualTo(treeError.field());
            throw treeError;
        }
        assertThat(streamError).as("the streaming path accepts what the tree path accepts").isNull();
        assertThat(streamed.identity()).isEqualTo(fromTree.identity());
        assertThat(streamed.kind()).isEqualTo(fromTree.kind());
        assertThat(streamed.ts()).isEqualTo(fromTree.ts());
        assertThat(streamed.body()).isEqualTo(fromTree.body());
        assertThat(streamed.body().toString()).as("same fields in the same order").isEqualTo(fromTree.body().toString());
        return fromTree;
    }

    /** The record as the daemon reads it: the only record of a batch body, through a stream. */
    static WireRecord streamed(String json) {
        byte[] body = ("{\"records\":[" + json + "]}").getBytes(StandardCharsets.UTF_8);
        List<WireRecord> out = new ArrayList<>();
        new BatchReader(Integer.MAX_VALUE).read(new ByteArrayInputStream(body), r -> out.add(r.toWireRecord()));
        return out.get(0);
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

    /** Both paths agree on these, valid or not (agreement is asserted inside {@link #record}). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{'kind':'event','name':'x','sid':'s','seq':1,'ts':1}",
            "{'sid':'s','seq':1,'ts':1,'kind':'event','name':'x','level':'WARN','src':null}",
            "{'sid':'s','seq':1,'ts':1,'kind':'event','name':'x','level':null}",
            "{'sid':'s','seq':1,'ts':1,'kind':'exception','name':null,'level':'fatal'}",
            "{'sid':'s','seq':1,'ts':1,'kind':'metric','name':'m','value':1,'type':null}",
            "{'sid':'s','seq':1,'ts':1,'kind':'metric','name':'m','value':2.5e-7,'buckets':'not checked for a gauge'}",
            "{'buckets':[{'count':1,'le':'inf'},{'le':'+Inf','count':0}],'type':'timer','sid':'s','seq':1,'ts':1,'kind':'metric','name':'m','value':1}",
            "{'sid':'s','seq':1,'ts':1,'kind':'metric','name':'m','value':1,'type':'histogram','buckets':[{'le':1,'count':1},{'le':'Infinity','count':2,'x':[1]}]}",
            "{'sid':'s','seq':1,'ts':1,'kind':'metric','name':'m','value':1,'type':'histogram','buckets':[{'le':1e999,'count':1}]}",
            "{'sid':'s','seq':1,'ts':1,'kind':'metric','name':'m','value':1,'type':'histogram','buckets':[{'le':1},{'le':2,'count':-1}]}",
            "{'sid':'s','seq':1,'ts':1,'kind':'metric','name':'m','value':1,'count':0}",
            "{'sid':'s','seq':1,'ts':1,'kind':'metric','name':'m','value':1,'sum':1e999}",
            "{'sid':'s','seq':1,'ts':1,'kind':'event','name':'x','value':1e999}",
            "{'sid':'s','seq':1,'ts':1,'kind':'event','name':'','level':'loud','data':5}",
            "{'sid':'bad id','seq':0,'ts':-1,'kind':'nope'}",
            "{'sid':'s','seq':1.0,'ts':1,'kind':'end','reason':5}",
            "{'sid':'s','seq':99999999999999999999,'ts':1,'kind':'end'}",
            "{'sid':'s','seq':1,'ts':95617584000000001,'kind':'end'}",
            "{'sid':'s','src':'daemon','seq':1,'ts':1,'kind':'crash','reason':'killed','detail':{'pid':4}}",
            "{'sid':'s','src':'nope','seq':1,'ts':1,'kind':'end'}",
            "{'sid':'s','seq':1,'ts':1,'kind':'state','patch':null}",
            "{'sid':'s','seq':1,'ts':1,'kind':'state','patch':{'a':{'b':null},'c':[1,2]}}",
            "{'sid':'s','seq':1,'ts':1,'kind':'hang','thread':'main','stack':['a',1],'detected_by':'me'}",
            "{'sid':'s','seq':1,'ts':1,'kind':'hang','detected_by':'daemon','timeout_ms':'5'}",
            "{'sid':'s','seq':1,'ts':1,'kind':'recovered','duration_ms':12}",
            "{'sid':'s','seq':1,'ts':1,'kind':'session_start','product':' ','version':'1'}",
            "{'sid':'s','seq':1,'ts':1,'kind':'session_start','product':'p','version':'1','pid':7,'attrs':{'hs_err_path':'/tmp'},'extra':{'n':[1.5]}}",
            "{'sid':'s','seq':1,'ts':1,'kind':'exception','labels':['a','b'],'stacktrace':[],'source_line':'12'}",
            "{'sid':'s','seq':1,'ts':1,'kind':'event','name':'x','labels':5}",
            "{'sid':5,'seq':1,'ts':1,'kind':'event','name':'x'}",
            "{'sid':'','seq':1,'ts':1,'kind':'event','name':'x'}",
            "{'sid':null,'seq':null,'ts':1,'kind':'event','name':'x'}",
            "{'sid':'s','seq':1,'ts':1,'kind':[],'name':'x'}",
            "{'sid':'s','seq':1,'ts':1,'kind':'metric','name':'m','value':true}",
            "{'sid':'s','seq':1,'ts':1,'kind':'metric','name':'m','value':1,'type':'histogram','buckets':{}}",
    })
    void bothPathsAgree(String json) {
        try {
            record(json);
        } catch (InvalidInputException e) {
            // agreement on the error was asserted before it was thrown
        }
    }

    @Test
    void theFirstErrorInTableOrderWinsWhateverTheFieldOrder() {
        assertThatThrownBy(() -> record("{'name':'','level':'loud','kind':'event','ts':1,'seq':0,'sid':'s'}"))
                .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("records[0].seq"));
        assertThatThrownBy(() -> record("{'level':'loud','name':'','kind':'event','ts':1,'seq':1,'sid':'s'}"))
                .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("records[0].name"));
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
