package io.datacat.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
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
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(Limits.MAX_JSON_DEPTH)
                        .maxStringLength((int) Limits.DEFAULT_MAX_BODY_BYTES)
                        .maxNumberLength(64)
                        .build())
                .build();
        factory.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        ObjectMapper mapper = new ObjectMapper(factory);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        return mapper;
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
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase();
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
