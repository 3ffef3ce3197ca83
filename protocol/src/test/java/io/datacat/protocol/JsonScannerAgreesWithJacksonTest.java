package io.datacat.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scanner accepts exactly the documents a standard JSON parser (Jackson's, with the
 * project's limits) accepts, and reads the same tokens from them: thousands of random
 * documents, each also damaged one byte at a time.
 */
class JsonScannerAgreesWithJacksonTest {
    private static final JsonFactory JACKSON = Json.streamingFactory(10_000);
    private static final String ASCII_AND_MORE = "abc XYZ09_-.:/\\\"\t\n\u0001é日😀";
    private static final String JSON_BYTES = "{}[]\",:0123456789-+.eEtrufalsn \\u/x";

    @Test
    void randomDocumentsAndTheirDamagedCopies() {
        Random random = new Random(20261128);
        int damagedAccepted = 0;
        int damagedRefused = 0;
        for (int doc = 0; doc < 3_000; doc++) {
            String json = value(random, 0);
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            assertThat(scanner(bytes)).as(json).isEqualTo(jackson(bytes)).isNotNull();
            for (int k = 0; k < 4; k++) {
                byte[] damaged = damage(random, bytes);
                List<String> expected = jackson(damaged);
                assertThat(scanner(damaged)).as(new String(damaged, StandardCharsets.UTF_8)).isEqualTo(expected);
                if (expected == null) {
                    damagedRefused++;
                } else {
                    damagedAccepted++;
                }
            }
        }
        assertThat(damagedRefused).as("most damage breaks a document").isGreaterThan(5_000);
        assertThat(damagedAccepted).as("some damage leaves valid JSON, which both accept").isGreaterThan(200);
    }

    /** The document's tokens, or null when the scanner refuses it. */
    private static List<String> scanner(byte[] json) {
        try {
            JsonScanner s = JsonScanner.of(json, 10_000);
            List<String> out = new ArrayList<>();
            JsonToken t;
            while ((t = s.nextToken()) != null) {
                out.add(describe(t, t == JsonToken.FIELD_NAME ? s.currentName() : t == JsonToken.VALUE_STRING ? s.text() : null,
                        t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT ? s.doubleValue() : 0));
            }
            return out.isEmpty() ? null : out;
        } catch (InvalidInputException e) {
            return null;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The document's tokens, or null when Jackson refuses it or finds more than one document. */
    private static List<String> jackson(byte[] json) {
        try (JsonParser p = JACKSON.createParser(json)) {
            List<String> out = new ArrayList<>();
            int depth = 0;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (depth == 0 && !out.isEmpty()) {
                    return null; // a second document after the first: not one JSON text
                }
                depth += t.isStructStart() ? 1 : t.isStructEnd() ? -1 : 0;
                out.add(describe(t, t == JsonToken.FIELD_NAME ? p.currentName() : t == JsonToken.VALUE_STRING ? p.getText() : null,
                        t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT ? p.getDoubleValue() : 0));
            }
            return out.isEmpty() ? null : out;
        } catch (IOException e) {
            return null;
        }
    }

    private static String describe(JsonToken t, String text, double number) {
        if (text != null) {
            return t + ":" + text;
        }
        return t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT ? "number:" + number : t.toString();
    }

    private static byte[] damage(Random random, byte[] bytes) {
        int at = random.nextInt(bytes.length + 1);
        byte b = (byte) JSON_BYTES.charAt(random.nextInt(JSON_BYTES.length()));
        return switch (random.nextInt(3)) {
            case 0 -> at == bytes.length ? bytes : splice(bytes, at, 1, new byte[0]);
            case 1 -> splice(bytes, at, 0, new byte[] {b});
            default -> at == bytes.length ? bytes : splice(bytes, at, 1, new byte[] {b});
        };
    }

    private static byte[] splice(byte[] bytes, int at, int remove, byte[] insert) {
        byte[] out = new byte[bytes.length - remove + insert.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(bytes, at + remove, out, at + insert.length, bytes.length - at - remove);
        return out;
    }

    private static String value(Random random, int depth) {
        int kind = random.nextInt(depth > 4 ? 5 : 7);
        String space = random.nextInt(4) == 0 ? " \n\t\r".substring(random.nextInt(4)) : "";
        return space + switch (kind) {
            case 0 -> string(random);
            case 1 -> number(random);
            case 2 -> "true";
            case 3 -> "false";
            case 4 -> "null";
            case 5 -> {
                StringBuilder sb = new StringBuilder("[");
                for (int i = random.nextInt(4); i > 0; i--) {
                    sb.append(value(random, depth + 1)).append(i > 1 ? "," : "");
                }
                yield sb.append(']').toString();
            }
            default -> {
                StringBuilder sb = new StringBuilder("{");
                for (int i = random.nextInt(4); i > 0; i--) {
                    sb.append(string(random)).append(space).append(':').append(value(random, depth + 1)).append(i > 1 ? "," : "");
                }
                yield sb.append('}').toString();
            }
        } + space;
    }

    private static String string(Random random) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = random.nextInt(8); i > 0; i--) {
            int cp = ASCII_AND_MORE.codePointAt(ASCII_AND_MORE.offsetByCodePoints(0,
                    random.nextInt(ASCII_AND_MORE.codePointCount(0, ASCII_AND_MORE.length()))));
            switch (cp) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append(random.nextBoolean() ? "\\n" : "\\u000A");
                case 1 -> sb.append("\\u0001");
                default -> sb.appendCodePoint(cp);
            }
        }
        return sb.append('"').toString();
    }

    private static String number(Random random) {
        StringBuilder sb = new StringBuilder(random.nextBoolean() ? "-" : "");
        sb.append(random.nextInt(5) == 0 ? "0" : Long.toString(1 + (random.nextLong() >>> (1 + random.nextInt(63)))));
        if (random.nextBoolean()) {
            sb.append('.').append(random.nextInt(1_000_000));
        }
        if (random.nextInt(4) == 0) {
            sb.append(random.nextBoolean() ? 'e' : 'E').append(random.nextBoolean() ? "-" : "").append(random.nextInt(400));
        }
        return sb.toString();
    }
}
