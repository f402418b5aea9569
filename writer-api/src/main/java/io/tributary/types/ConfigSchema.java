package io.tributary.types;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Generates the JSON Schema (draft 2020-12) of a config record from what binds it: the parameters of its
 * {@code @JsonCreator} (a static factory or constructor), or else its record components, each named by its
 * {@code @JsonProperty} and documented by {@link ConfigKey}. Objects are closed ({@code additionalProperties: false},
 * as binding rejects unknown keys); Java enums become {@code enum}s of their JSON values; a {@link Secret} is a
 * {@code writeOnly} string; {@code Map<String, V>} an object of {@code V}; collections arrays.
 *
 * <p>Generated from the binding itself rather than from the records' fields (as field-based generators do),
 * because the keys, their nesting and their defaults are the creator's, not the record's ({@code ssl.mode} binds
 * to a {@code sslMode} component of the MySQL config). A key's deprecated old name ({@link ConfigKey#renamedTo}) is
 * listed with {@code deprecated: true}.
 */
public final class ConfigSchema {
    public static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";

    private ConfigSchema() {
    }

    /** The schema of {@code configType}, with {@code $schema} and {@code title}. */
    public static ObjectNode of(Class<?> configType) {
        requireNonNull(configType, "configType is null");
        ObjectNode root = Json.object();
        root.put("$schema", DIALECT);
        root.put("title", configType.getSimpleName());
        root.setAll(object(configType, new HashSet<>()));
        return root;
    }

    private static ObjectNode object(Class<?> type, Set<Class<?>> seen) {
        if (!seen.add(type)) {
            throw new IllegalArgumentException("config type " + type.getName() + " refers to itself");
        }
        ObjectNode schema = Json.object();
        schema.put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        List<String> required = new ArrayList<>();
        for (Key key : keys(type)) {
            ObjectNode p = of(key.type(), seen);
            ConfigKey doc = key.doc();
            if (doc != null) {
                p.put("description", doc.value());
                if (doc.allowed().length > 0) {
                    ArrayNode values = p.putArray("enum");
                    for (String v : doc.allowed()) {
                        values.add(v);
                    }
                }
                if (doc.minimum() != Long.MIN_VALUE) {
                    p.put("minimum", doc.minimum());
                }
                if (doc.maximum() != Long.MAX_VALUE) {
                    p.put("maximum", doc.maximum());
                }
                if (!doc.defaultValue().isEmpty()) {
                    p.set("default", defaultValue(doc.defaultValue(), p));
                }
                if (doc.required()) {
                    required.add(key.name());
                }
                if (!doc.renamedTo().isEmpty()) {
                    p.put("deprecated", true);
                }
            }
            properties.set(key.name(), p);
        }
        if (!required.isEmpty()) {
            ArrayNode r = schema.putArray("required");
            required.forEach(r::add);
        }
        schema.put("additionalProperties", false);
        seen.remove(type);
        return schema;
    }

    private static JsonNode defaultValue(String text, ObjectNode property) {
        if ("string".equals(property.path("type").asText())) {
            return Json.mapper().getNodeFactory().textNode(text);
        }
        try {
            return Json.mapper().readTree(text);
        } catch (java.io.IOException e) {
            return Json.mapper().getNodeFactory().textNode(text);
        }
    }

    private static ObjectNode of(Type type, Set<Class<?>> seen) {
        ObjectNode s = Json.object();
        if (type instanceof ParameterizedType pt) {
            Class<?> raw = (Class<?>) pt.getRawType();
            Type[] args = pt.getActualTypeArguments();
            if (raw == Optional.class) {
                return of(args[0], seen);
            }
            if (Map.class.isAssignableFrom(raw)) {
                s.put("type", "object");
                s.set("additionalProperties", of(args[1], seen));
                return s;
            }
            if (Collection.class.isAssignableFrom(raw)) {
                s.put("type", "array");
                s.set("items", of(args[0], seen));
                if (Set.class.isAssignableFrom(raw)) {
                    s.put("uniqueItems", true);
                }
                return s;
            }
            return of(raw, seen);
        }
        Class<?> c = (Class<?>) type;
        if (c == String.class || c == char.class || c == Character.class) {
            s.put("type", "string");
        } else if (c == Secret.class) {
            s.put("type", "string");
            s.put("writeOnly", true);
        } else if (c == boolean.class || c == Boolean.class) {
            s.put("type", "boolean");
        } else if (c == int.class || c == Integer.class || c == long.class || c == Long.class || c == short.class
                || c == Short.class) {
            s.put("type", "integer");
        } else if (c == double.class || c == Double.class || c == float.class || c == Float.class
                || Number.class.isAssignableFrom(c)) {
            s.put("type", "number");
        } else if (c.isEnum()) {
            s.put("type", "string");
            ArrayNode values = s.putArray("enum");
            for (Object constant : c.getEnumConstants()) {
                values.add(Json.mapper().valueToTree(constant).asText());
            }
        } else if (JsonNode.class.isAssignableFrom(c) || c == Object.class) {
            return s; // any JSON
        } else if (c.isArray()) {
            s.put("type", "array");
            s.set("items", of(c.getComponentType(), seen));
        } else {
            return object(c, seen);
        }
        return s;
    }

    private record Key(String name, Type type, ConfigKey doc) {
    }

    /** The keys that bind {@code type}, in declaration order. */
    private static List<Key> keys(Class<?> type) {
        Executable creator = creator(type);
        List<Key> keys = new ArrayList<>();
        if (creator != null) {
            Parameter[] params = creator.getParameters();
            Type[] types = creator.getGenericParameterTypes();
            // an inner class's constructor may have a synthetic outer parameter: align from the end
            int offset = types.length - params.length;
            for (int i = 0; i < params.length; i++) {
                JsonProperty jp = params[i].getAnnotation(JsonProperty.class);
                if (jp == null) {
                    throw new IllegalArgumentException(type.getName() + ": creator parameter " + params[i].getName()
                            + " has no @JsonProperty");
                }
                keys.add(new Key(jp.value(), types[i + Math.max(0, offset)], params[i].getAnnotation(ConfigKey.class)));
            }
            return keys;
        }
        if (type.isRecord()) {
            // @JsonProperty does not target record components: it lands on the canonical constructor's parameters
            RecordComponent[] components = type.getRecordComponents();
            Parameter[] params;
            try {
                params = type.getDeclaredConstructor(java.util.Arrays.stream(components)
                        .map(RecordComponent::getType).toArray(Class<?>[]::new)).getParameters();
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("record " + type.getName() + " has no canonical constructor", e);
            }
            for (int i = 0; i < components.length; i++) {
                RecordComponent rc = components[i];
                JsonProperty jp = params[i].getAnnotation(JsonProperty.class);
                String name = jp == null || jp.value().isEmpty() ? rc.getName() : jp.value();
                keys.add(new Key(name, rc.getGenericType(), rc.getAnnotation(ConfigKey.class)));
            }
            return keys;
        }
        throw new IllegalArgumentException(type.getName() + " is neither a record nor has a @JsonCreator");
    }

    private static Executable creator(Class<?> type) {
        for (Method m : type.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers()) && m.isAnnotationPresent(JsonCreator.class)
                    && m.getParameterCount() > 0 && m.getParameters()[0].isAnnotationPresent(JsonProperty.class)) {
                return m;
            }
        }
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (c.isAnnotationPresent(JsonCreator.class)) {
                return c;
            }
        }
        return null;
    }
}
