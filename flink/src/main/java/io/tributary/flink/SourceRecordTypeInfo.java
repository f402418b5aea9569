package io.tributary.flink;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink type information of {@link SourceRecord}: serialized by {@link SourceRecordSerializer}, never by Kryo. */
public final class SourceRecordTypeInfo extends TypeInformation<SourceRecord> {
    private static final long serialVersionUID = 1L;

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
    public Class<SourceRecord> getTypeClass() {
        return SourceRecord.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<SourceRecord> createSerializer(SerializerConfig config) {
        return new SourceRecordSerializer();
    }

    @Override
    @Deprecated
    public TypeSerializer<SourceRecord> createSerializer(ExecutionConfig config) {
        return new SourceRecordSerializer();
    }

    @Override
    public String toString() {
        return "SourceRecord";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SourceRecordTypeInfo;
    }

    @Override
    public int hashCode() {
        return SourceRecordTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof SourceRecordTypeInfo;
    }
}
