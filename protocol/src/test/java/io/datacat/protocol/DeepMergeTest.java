package io.datacat.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DeepMergeTest {

    private static ObjectNode json(String s) {
        return Json.parseObject(s.replace('\'', '"').getBytes());
    }

    private static ObjectNode merged(String state, String... patches) {
        ObjectNode target = json(state);
        for (String p : patches) {
            DeepMerge.apply(target, json(p));
        }
        return target;
    }

    @Test
    void nestedObjectsMergeKeyByKey() {
        assertThat(merged("{'player':{'x':1,'y':2,'inv':{'gold':5}}}", "{'player':{'x':9,'inv':{'gems':1}}}"))
                .isEqualTo(json("{'player':{'x':9,'y':2,'inv':{'gold':5,'gems':1}}}"));
    }

    @Test
    void arraysAreReplacedNotMerged() {
        assertThat(merged("{'items':[1,2,3],'keep':true}", "{'items':[4]}"))
                .isEqualTo(json("{'items':[4],'keep':true}"));
    }

    @Test
    void nullDeletesAtDepthOne() {
        assertThat(merged("{'a':1,'b':2}", "{'a':null}")).isEqualTo(json("{'b':2}"));
    }

    @Test
    void nullDeletesAtDepthThree() {
        assertThat(merged("{'a':{'b':{'c':1,'d':2}}}", "{'a':{'b':{'c':null}}}"))
                .isEqualTo(json("{'a':{'b':{'d':2}}}"));
    }

    @Test
    void nullForAMissingKeyChangesNothing() {
        assertThat(merged("{'a':1}", "{'zzz':null,'q':{'r':null}}")).isEqualTo(json("{'a':1,'q':{}}"));
    }

    @Test
    void scalarIsReplacedByObjectAndNullsInsideAreNotStored() {
        assertThat(merged("{'level':3}", "{'level':{'id':4,'gone':null}}"))
                .isEqualTo(json("{'level':{'id':4}}"));
    }

    @Test
    void objectIsReplacedByScalar() {
        assertThat(merged("{'level':{'id':4}}", "{'level':'boss'}")).isEqualTo(json("{'level':'boss'}"));
    }

    @Test
    void patchIsNotAliasedIntoTarget() {
        ObjectNode target = json("{}");
        ObjectNode patch = json("{'list':[1],'obj':{'k':1}}");
        DeepMerge.apply(target, patch);
        ((ObjectNode) patch.get("obj")).put("k", 2);
        patch.withArray("list").add(2);
        assertThat(target).isEqualTo(json("{'list':[1],'obj':{'k':1}}"));
    }

    @Test
    void patchesAppliedInOrderGiveTheLastWord() {
        assertThat(merged("{}", "{'hp':100}", "{'hp':50,'pos':{'x':1}}", "{'pos':{'y':2}}", "{'hp':null}"))
                .isEqualTo(json("{'pos':{'x':1,'y':2}}"));
    }
}
