package io.datacat.protocol;

import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonScannerTest {

    /** Every token of {@code json} as text: the token, and its key, string or number. */
    private static List<String> tokens(JsonScanner s) throws IOException {
        List<String> out = new ArrayList<>();
        JsonToken t;
        while ((t = s.nextToken()) != null) {
            switch (t) {
                case FIELD_NAME -> out.add("key:" + s.currentName());
                case VALUE_STRING -> out.add("str:" + s.text());
                case VALUE_NUMBER_INT -> out.add(s.isLong() ? "int:" + s.longValue() : "big:" + s.doubleValue());
                case VALUE_NUMBER_FLOAT -> out.add("float:" + s.doubleValue());
                default -> out.add(t.name());
            }
        }
        return out;
    }

    private static JsonScanner scanner(String json) {
        return JsonScanner.of(json.getBytes(StandardCharsets.UTF_8), 1000);
    }

    /** A stream that hands out one byte per read, so every token crosses buffer refills. */
    private static JsonScanner trickling(byte[] json) {
        InputStream in = new ByteArrayInputStream(json) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        };
        return JsonScanner.of(in, 100_000);
    }

    private static final String DOCUMENT = "{\"a\":[1,-2,3.25,-0.5e1,true,false,null,{}],\"b\":{\"c\":\"x\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"},"
            + "\"é\":\"日本 😀\",\"big\":123456789012345678901234,\"min\":-9223372036854775808,\"max\":9223372036854775807, \n\t\r\"e\":[]}";

    @Test
    void readsEveryKindOfToken() throws IOException {
        assertThat(tokens(scanner(DOCUMENT))).containsExactly("START_OBJECT", "key:a", "START_ARRAY", "int:1", "int:-2",
                "float:3.25", "float:-5.0", "VALUE_TRUE", "VALUE_FALSE", "VALUE_NULL", "START_OBJECT", "END_OBJECT",
                "END_ARRAY", "key:b", "START_OBJECT", "key:c", "str:x\"\\/\b\f\n\r\té", "END_OBJECT", "key:é",
                "str:日本 😀", "key:big", "big:" + Double.parseDouble("123456789012345678901234"), "key:min", "int:-9223372036854775808", "key:max",
                "int:9223372036854775807", "key:e", "START_ARRAY", "END_ARRAY", "END_OBJECT");
    }

    @Test
    void aStreamGivesTheSameTokensAsAnArrayAndKeepsTheBytesAskedFor() throws IOException {
        StringBuilder big = new StringBuilder("{\"records\":[");
        for (int i = 0; i < 300; i++) {
            big.append(i == 0 ? "" : ",").append("{\"k\":\"").append("v".repeat(i)).append("é\",\"n\":").append(i).append('}');
        }
        byte[] json = big.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        assertThat(tokens(trickling(json))).isEqualTo(tokens(JsonScanner.of(json, 100_000)));

        JsonScanner s = trickling(json);
        int strings = 0;
        JsonToken t;
        while ((t = s.nextToken()) != null) {
            if (t == JsonToken.START_OBJECT) {
                s.keepFrom(s.tokenStart());
            } else if (t == JsonToken.VALUE_STRING) {
                Bytes copy = new Bytes(16);
                s.copy(s.tokenStart(), s.tokenEnd(), copy);
                assertThat(copy.toString()).isEqualTo("\"" + s.text() + "\"");
                strings++;
            }
        }
        assertThat(strings).isEqualTo(300);
    }

    @Test
    void aKeyThatRecursIsTheSameString() throws IOException {
        JsonScanner s = scanner("[{\"name\":1},{\"name\":2}]");
        List<String> keys = new ArrayList<>();
        JsonToken t;
        while ((t = s.nextToken()) != null) {
            if (t == JsonToken.FIELD_NAME) {
                keys.add(s.currentName());
            }
        }
        assertThat(keys).hasSize(2);
        assertThat(keys.get(0)).isSameAs(keys.get(1));
    }

    @Test
    void keysAreReadRightWhenTheirOrderChanges() throws IOException {
        String json = "[{\"ab\":1,\"b\":2},{\"ab\":1,\"b\":2},{\"b\":1,\"ab\":2},{\"a\\u0062\":1,\"abc\":2,\"a\":3},"
                + "{\"ab\":{\"ab\":1}}]";
        assertThat(tokens(scanner(json))).filteredOn(t -> t.startsWith("key:")).containsExactly("key:ab", "key:b", "key:ab",
                "key:b", "key:b", "key:ab", "key:ab", "key:abc", "key:a", "key:ab", "key:ab");
        assertThat(tokens(trickling(json.getBytes(StandardCharsets.UTF_8)))).isEqualTo(tokens(scanner(json)));
    }

    @Test
    void stringsAreComparedAndMeasuredWithoutBeingChanged() throws IOException {
        JsonScanner s = scanner("[\"info\",\"\\u0069nfo\",\"  \",\" \\t\",\"é\",\"😀\"]");
        s.nextToken();
        s.nextToken();
        assertThat(s.textIs("info".getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(s.textIs("inf".getBytes(StandardCharsets.US_ASCII))).isFalse();
        s.nextToken();
        assertThat(s.textIs("info".getBytes(StandardCharsets.US_ASCII))).as("an escaped spelling is the same text").isTrue();
        s.nextToken();
        assertThat(s.textIsBlank()).isTrue();
        s.nextToken();
        assertThat(s.textIsBlank()).isTrue();
        s.nextToken();
        assertThat(s.textLength()).as("é: two bytes, one character").isEqualTo(1);
        s.nextToken();
        assertThat(s.textLength()).as("a surrogate pair: four bytes, two characters").isEqualTo(2);
    }

    @Test
    void decimalsRoundAsJavaRoundsThem() throws IOException {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder number = new StringBuilder(random.nextBoolean() ? "-" : "").append(random.nextInt(100_000)).append('.');
            for (int d = random.nextInt(12); d >= 0; d--) {
                number.append((char) ('0' + random.nextInt(10)));
            }
            JsonScanner s = scanner(number.toString());
            assertThat(s.nextToken()).isEqualTo(JsonToken.VALUE_NUMBER_FLOAT);
            assertThat(s.doubleValue()).as(number.toString()).isEqualTo(Double.parseDouble(number.toString()));
        }
        for (String number : new String[] {"0.1", "-0.0", "1e5", "1.5E-3", "123456789012345678.5", "0.0000000000000000000000001",
                "4.9e-324", "1.7976931348623157e308", "1e999"}) {
            JsonScanner s = scanner(number);
            s.nextToken();
            assertThat(s.doubleValue()).as(number).isEqualTo(Double.parseDouble(number));
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"a\":1,}                 | expected a key in double quotes",
            "{\"a\" 1}                  | expected ':' after a key",
            "[1 2]                      | expected ',' or ']'",
            "{'a':1}                    | expected a key in double quotes",
            "{\"a\":tru}                | expected 'true'",
            "{\"a\":nul                 | unexpected end of input",
            "{\"a\":01}                 | must not start with 0",
            "{\"a\":1.}                 | a digit after '.'",
            "{\"a\":-}                  | a digit after '-'",
            "{\"a\":1e+}                | a digit in its exponent",
            "{\"a\":+1}                 | unexpected character '+'",
            "{\"a\":\"\\x\"}            | unrecognised escape",
            "{\"a\":\"\\u12G4\"}        | four hex digits",
            "{\"a\":\"open              | unexpected end of input in a string",
            "{\"a\":1} x                | more data after the end of the document",
            "{\"a\":1}}                 | more data after the end of the document",
            "{\"a\":[1}                 | expected ',' or ']'",
            "{\"a\":1                   | unexpected end of input; expected ',' or '}'",
    })
    void malformedJsonIsRefusedSayingWhere(String json, String message) {
        assertThatThrownBy(() -> tokens(scanner(json))).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("malformed JSON at line 1, column ").hasMessageContaining(message);
        assertThatThrownBy(() -> tokens(trickling(json.getBytes(StandardCharsets.UTF_8))))
                .as("the same from a stream").hasMessageContaining(message);
    }

    @Test
    void theLineAndColumnAreThoseOfTheFault() {
        assertThatThrownBy(() -> tokens(scanner("{\n  \"a\": x}"))).hasMessageStartingWith("malformed JSON at line 2, column 8:");
    }

    @Test
    void anEmptyDocumentHasNoToken() throws IOException {
        assertThat(scanner(" \n").nextToken()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"C0 80", "C1 BF", "E0 80 80", "ED A0 80", "F0 80 80 80", "F4 90 80 80", "F5 80 80 80", "80", "C3",
            "E6 97", "FF"})
    void invalidUtf8InAStringIsRefused(String hex) {
        String[] parts = hex.split(" ");
        byte[] json = new byte[parts.length + 4];
        json[0] = '[';
        json[1] = '"';
        for (int i = 0; i < parts.length; i++) {
            json[2 + i] = (byte) Integer.parseInt(parts[i], 16);
        }
        json[json.length - 2] = '"';
        json[json.length - 1] = ']';
        assertThatThrownBy(() -> tokens(JsonScanner.of(json, 100))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("UTF-8");
    }

    @Test
    void aControlCharacterMustBeEscaped() {
        assertThatThrownBy(() -> tokens(scanner("[\"a\tb\"]"))).hasMessageContaining("control character");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[NaN]", "[Infinity]", "[-Infinity]", "{\"a\":NaN}"})
    void nanAndInfinityAreNotNumbers(String json) {
        assertThatThrownBy(() -> tokens(scanner(json)))
                .hasMessage("malformed JSON: NaN and Infinity are not valid JSON numbers");
    }

    @Test
    void limitsAreKept() throws IOException {
        String deepest = "[".repeat(Limits.MAX_JSON_DEPTH) + "]".repeat(Limits.MAX_JSON_DEPTH);
        assertThat(tokens(scanner(deepest))).hasSize(2 * Limits.MAX_JSON_DEPTH);
        String deeper = "[".repeat(Limits.MAX_JSON_DEPTH + 1) + "]".repeat(Limits.MAX_JSON_DEPTH + 1);
        assertThatThrownBy(() -> tokens(scanner(deeper))).hasMessage("JSON is nested deeper than " + Limits.MAX_JSON_DEPTH
                + " levels");

        assertThat(tokens(scanner("[\"" + "é".repeat(1000) + "\"]"))).hasSize(3);
        assertThatThrownBy(() -> tokens(scanner("[\"" + "x".repeat(1001) + "\"]")))
                .hasMessageStartingWith("JSON exceeds a size limit").hasMessageContaining("exceeds the maximum allowed (1000)");
        assertThatThrownBy(() -> tokens(trickling(("[\"" + "x".repeat(200_000)).getBytes(StandardCharsets.UTF_8))))
                .as("a stream is refused once the string passes the bound, before its end")
                .hasMessageContaining("exceeds the maximum allowed (100000)");

        assertThat(tokens(scanner("[" + "1".repeat(JsonScanner.MAX_NUMBER_CHARS) + "]"))).hasSize(3);
        assertThatThrownBy(() -> tokens(scanner("[" + "1".repeat(JsonScanner.MAX_NUMBER_CHARS + 1) + "]")))
                .hasMessageStartingWith("JSON exceeds a size limit: Number value length");
    }

    @Test
    void aByteOrderMarkIsPassedAndUtf16IsRefused() throws IOException {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '[', ']'};
        assertThat(tokens(JsonScanner.of(bom, 10))).containsExactly("START_ARRAY", "END_ARRAY");
        byte[] utf16 = "[]".getBytes(StandardCharsets.UTF_16);
        assertThatThrownBy(() -> tokens(JsonScanner.of(utf16, 10))).hasMessage("request body must be JSON in UTF-8");
    }
}
