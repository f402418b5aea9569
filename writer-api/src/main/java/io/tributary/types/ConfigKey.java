package io.tributary.types;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Documents one key of a config record for its JSON Schema ({@link ConfigSchema}): put it beside the
 * {@code @JsonProperty} of the {@code @JsonCreator} parameter (or record component) that binds the key.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.RECORD_COMPONENT})
public @interface ConfigKey {
    /** What the key means, for the schema's {@code description}. */
    String value();

    /** The value used when the key is absent, as JSON text ({@code 5432}, {@code true}) or a plain string. */
    String defaultValue() default "";

    /** Whether the config is invalid without the key. */
    boolean required() default false;

    /** The only values a string key accepts (its {@code enum}); Java enums need not repeat theirs. */
    String[] allowed() default {};

    /** The smallest value a number key accepts. */
    long minimum() default Long.MIN_VALUE;

    /** The largest value a number key accepts. */
    long maximum() default Long.MAX_VALUE;

    /**
     * For a deprecated old name of a key, the key's current name: the schema marks the old one {@code deprecated}, and
     * binding it logs a warning ({@link RenamedKeys}).
     */
    String renamedTo() default "";
}
