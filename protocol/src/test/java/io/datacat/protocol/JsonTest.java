package io.datacat.protocol;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {

    @Test
    void deepNestingIsRejectedWithAClearMessage() {
        String deep = "{\"a\":".repeat(Limits.MAX_JSON_DEPTH + 1) + "1" + "}".repeat(Limits.MAX_JSON_DEPTH + 1);
        assertThatThrownBy(() -> Json.parse(deep.getBytes()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("nested deeper than 64");
    }

    @Test
    void nanAndInfinityTokensAreRejected() {
        assertThatThrownBy(() -> Json.parse("{\"v\":NaN}".getBytes()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> Json.parse("{\"v\":Infinity}".getBytes()))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void malformedAndTrailingAndDuplicateAreRejected() {
        assertThatThrownBy(() -> Json.parse("{\"a\":".getBytes())).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("malformed JSON");
        assertThatThrownBy(() -> Json.parse("{} {}".getBytes())).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Json.parse("{\"a\":1,\"a\":2}".getBytes())).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Json.parse(new byte[0])).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> Json.parseObject("[1]".getBytes())).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("must be a JSON object");
    }

    @Test
    void bodyOverTheLimitIsTooLargeEvenWhenGzipped() throws IOException {
        byte[] zeros = new byte[1_000_000];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(zeros);
        }
        byte[] bomb = out.toByteArray();
        assertThat(bomb.length).isLessThan(10_000);
        assertThatThrownBy(() -> BoundedInputStream.readAll(new ByteArrayInputStream(bomb), "gzip", 100_000))
                .isInstanceOf(PayloadTooLargeException.class);
        assertThatThrownBy(() -> BoundedInputStream.readAll(new ByteArrayInputStream(zeros), null, 100_000))
                .isInstanceOf(PayloadTooLargeException.class);
    }

    @Test
    void gzipBodyWithinTheLimitInflates() throws IOException {
        byte[] json = "{\"records\":[]}".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(json);
        }
        assertThat(BoundedInputStream.readAll(new ByteArrayInputStream(out.toByteArray()), "gzip", 1000))
                .isEqualTo(json);
        assertThatThrownBy(() -> BoundedInputStream.readAll(new ByteArrayInputStream(json), "gzip", 1000))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("gzip");
        assertThatThrownBy(() -> BoundedInputStream.readAll(new ByteArrayInputStream(json), "br", 1000))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("Content-Encoding");
    }
}
