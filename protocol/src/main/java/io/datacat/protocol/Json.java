package io.datacat.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;

/**
 * The one JSON configuration for everything DataCat receives: bounded nesting, duplicate
 * keys and trailing garbage rejected, no {@code NaN}/{@code Infinity} tokens. Parse errors
 * come out as {@link InvalidInputException} with a message fit for an HTTP 400.
 */
public final class Json {
    private static final ObjectMapper MAPPER = newMapper();

    private Json() {
    }

    /** The shared mapper. Thread-safe; do not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static ObjectMapper newMapper() {
        JsonFactory factory = streamingFactory((int) Limits.DEFAULT_MAX_BODY_BYTES);
        factory.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        ObjectMapper mapper = new ObjectMapper(factory);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        return mapper;
    }

    /**
     * Parsers with the limits of {@link #mapper()} (nesting, number length), strings bounded to
     * {@code maxStringChars}, and without Jackson's duplicate-key detection, which keeps a hash
     * set per object: {@link RecordReader} finds duplicates itself, for less.
     */
    static JsonFactory streamingFactory(int maxStringChars) {
        return JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(Limits.MAX_JSON_DEPTH)
                        .maxStringLength(maxStringChars)
                        .maxNumberLength(64)
                        .build())
                .build();
    }

    /** Parses a JSON document whose top level must be an object. */
    public static ObjectNode parseObject(byte[] body) {
        return requireObject(parse(body));
    }

    /** Parses a JSON document whose top level must be an object. */
    public static ObjectNode parseObject(InputStream body) {
        return requireObject(parse(body));
    }

    /** Parses any JSON document (an empty body is an error). */
    public static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw new InvalidInputException("request body is empty; send a JSON object");
        }
        try {
            return checkPresent(MAPPER.readTree(body));
        } catch (IOException e) {
            throw parseFailure(e);
        }
    }

    /** Parses any JSON document (an empty body is an error). */
    public static JsonNode parse(InputStream body) {
        try {
            return checkPresent(MAPPER.readTree(body));
        } catch (IOException e) {
            throw parseFailure(e);
        }
    }

    private static JsonNode checkPresent(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            throw new InvalidInputException("request body is empty; send a JSON object");
        }
        return node;
    }

    private static ObjectNode requireObject(JsonNode node) {
        if (!node.isObject()) {
            throw new InvalidInputException("request body must be a JSON object, got " + describe(node));
        }
        return (ObjectNode) node;
    }

    /** A short human name of a JSON value's type, for error messages. */
    public static String describe(JsonNode node) {
        return describe(node == null ? null : node.asToken());
    }

    /** A short human name of the type of the value a token starts, for error messages. */
    public static String describe(JsonToken token) {
        if (token == null || token == JsonToken.NOT_AVAILABLE) {
            return "nothing";
        }
        return switch (token) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.name().toLowerCase();
        };
    }

    /**
     * A parser failure (from {@link #mapper()} or a streaming parser of the same factory) as
     * an {@link InvalidInputException} worded for an HTTP 400.
     */
    public static InvalidInputException parseFailure(IOException e) {
        if (e instanceof StreamConstraintsException sce) {
            // The original message leaves out Jackson's "[Source: …]" location text.
            String msg = sce.getOriginalMessage() == null ? "" : sce.getOriginalMessage();
            if (msg.contains("nesting depth")) {
                return new InvalidInputException("JSON is nested deeper than " + Limits.MAX_JSON_DEPTH + " levels");
            }
            return new InvalidInputException("JSON exceeds a size limit: " + firstLine(msg));
        }
        if (e instanceof JsonProcessingException jpe) {
            String msg = jpe.getOriginalMessage();
            if (msg != null && msg.contains("Non-standard token")) {
                return new InvalidInputException("malformed JSON: NaN and Infinity are not valid JSON numbers");
            }
            String where = jpe.getLocation() == null ? ""
                    : " at line " + jpe.getLocation().getLineNr() + ", column " + jpe.getLocation().getColumnNr();
            return new InvalidInputException("malformed JSON" + where + ": " + firstLine(msg));
        }
        return new InvalidInputException("could not read the request body: " + firstLine(e.getMessage()));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
