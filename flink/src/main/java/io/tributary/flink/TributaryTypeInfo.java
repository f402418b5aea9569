package io.tributary.flink;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.util.function.Supplier;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink type information of one of the runner's types, serialized by the runner's own serializer (never by Kryo):
 * {@link SourceRecord} ({@link SourceRecordSerializer}) and {@link WriteResult} ({@link JavaSerialization.Serializer}).
 */
public final class TributaryTypeInfo<T> extends TypeInformation<T> {
    private static final long serialVersionUID = 1L;

    /** A serializer factory Flink can ship with the type information. */
    public interface SerializerFactory<T> extends Supplier<TypeSerializer<T>>, Serializable {
    }

    private final Class<T> type;
    private final SerializerFactory<T> serializer;

    TributaryTypeInfo(Class<T> type, SerializerFactory<T> serializer) {
        this.type = requireNonNull(type, "type is null");
        this.serializer = requireNonNull(serializer, "serializer is null");
    }

    /** The type information of the source's records. */
    public static TributaryTypeInfo<SourceRecord> sourceRecords() {
        return new TributaryTypeInfo<>(SourceRecord.class, SourceRecordSerializer::new);
    }

    static TributaryTypeInfo<WriteResult> writeResults() {
        return new TributaryTypeInfo<>(WriteResult.class, JavaSerialization.Serializer::new);
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<T> getTypeClass() {
        return type;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return serializer.get();
    }

    @Override
    @Deprecated
    public TypeSerializer<T> createSerializer(ExecutionConfig config) {
        return serializer.get();
    }

    @Override
    public String toString() {
        return type.getSimpleName();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TributaryTypeInfo<?> other && other.type == type;
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof TributaryTypeInfo;
    }
}
