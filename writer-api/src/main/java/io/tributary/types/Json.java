package io.tributary.types;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.stream.Collectors;

/**
 * The one Jackson configuration Tributary uses: unknown keys are errors, nulls are not silently turned into
 * primitives. Values that must survive a round trip unchanged ({@link io.tributary.types.DataType} values in
 * state, chunk bounds) are normalized by their own types (a chunk widens every integer to {@code Long}).
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    public static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException("malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] writeBytes(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Binds a config object to its record type. Every failure becomes a {@link ConfigException} that names
     * {@code source} (a file name or "source config"), the key and what was expected, without echoing values
     * (which may be secrets).
     */
    public static <T> T bind(JsonNode node, Class<T> type, String source) {
        try {
            return MAPPER.treeToValue(node, type);
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(String::valueOf).sorted().collect(Collectors.joining(", "));
            throw new ConfigException(source + ": unknown key '" + e.getPropertyName() + "'; known keys: " + known);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ConfigException ce) {
                throw new ConfigException(source + ": " + ce.getMessage(), ce);
            }
            throw new ConfigException(source + ": invalid value at '" + path(e) + "': "
                    + (cause == null ? e.getOriginalMessage() : cause.getMessage()), e);
        } catch (InvalidFormatException e) {
            Class<?> target = e.getTargetType();
            if (target != null && target.isEnum()) {
                String allowed = java.util.Arrays.stream(target.getEnumConstants())
                        .map(c -> MAPPER.valueToTree(c).asText()).collect(Collectors.joining(", "));
                throw new ConfigException(source + ": key '" + path(e) + "' must be one of " + allowed, e);
            }
            throw new ConfigException(source + ": key '" + path(e) + "' expects "
                    + (target == null ? "another type" : target.getSimpleName()) + " but got a value of the wrong form",
                    e);
        } catch (MismatchedInputException e) {
            String target = e.getTargetType() == null ? "another type" : e.getTargetType().getSimpleName();
            throw new ConfigException(source + ": key '" + path(e) + "' expects " + target, e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": " + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": " + e.getMessage(), e);
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }
}
