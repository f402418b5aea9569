package io.tributary.flink;

import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.types.StreamId;
import io.tributary.writer.Record;
import io.tributary.writer.WriteMode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializer of {@link SourceRecord}s, used when records cross a network or are copied between operators.
 * Records are immutable, so a copy is the record itself. Deserialized schemas are interned, so the writer sees the
 * same {@link Schema} instance for a run of records of one schema, as in the embedded engine (its writers bind a
 * schema once per instance).
 */
public final class SourceRecordSerializer extends TypeSerializer<SourceRecord> {
    private static final long serialVersionUID = 1L;
    private static final int VERSION = 1;
    private static final int MAX_INTERNED = 1024;

    private static final Map<String, DataType> TYPES = new HashMap<>();

    static {
        for (DataType t : DataType.values()) {
            TYPES.put(t.jsonName(), t);
        }
    }

    private transient Map<Schema, Schema> interned;
    /** The schema of the last record read: a run of records shares one. */
    private transient Schema last;

    private static DataType type(String jsonName) {
        DataType t = TYPES.get(jsonName);
        return t != null ? t : DataType.fromJson(jsonName);
    }

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public TypeSerializer<SourceRecord> duplicate() {
        return new SourceRecordSerializer(); // the intern map is per instance: one per thread
    }

    @Override
    public SourceRecord createInstance() {
        return null;
    }

    @Override
    public SourceRecord copy(SourceRecord from) {
        return from;
    }

    @Override
    public SourceRecord copy(SourceRecord from, SourceRecord reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(SourceRecord r, DataOutputView out) throws IOException {
        out.writeByte(VERSION);
        ValueCodec.writeString(r.stream().namespace(), out);
        ValueCodec.writeString(r.stream().name(), out);
        out.writeByte(r.mode().ordinal());
        Record rec = r.record();
        Schema schema = rec.schema();
        out.writeInt(schema.size());
        for (Field f : schema.fields()) {
            ValueCodec.writeString(f.name(), out);
            ValueCodec.writeString(f.type().jsonName(), out);
            out.writeBoolean(f.nullable());
            out.writeInt(f.precision());
            out.writeInt(f.scale());
        }
        for (Object v : rec.values()) {
            ValueCodec.write(v, out);
        }
        ValueCodec.writeString(rec.olakeId(), out);
        ValueCodec.writeString(rec.op().code(), out);
        ValueCodec.write(rec.olakeTimestamp(), out);
        ValueCodec.write(rec.cdcTimestamp(), out);
    }

    @Override
    public SourceRecord deserialize(DataInputView in) throws IOException {
        int version = in.readUnsignedByte();
        if (version != VERSION) {
            throw new IOException("SourceRecord serialized with version " + version + "; this reads " + VERSION);
        }
        StreamId stream = StreamId.of(ValueCodec.readString(in), ValueCodec.readString(in));
        WriteMode mode = WriteMode.values()[in.readUnsignedByte()];
        int n = in.readInt();
        List<Field> fields = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            fields.add(new Field(ValueCodec.readString(in), type(ValueCodec.readString(in)), in.readBoolean(),
                    in.readInt(), in.readInt()));
        }
        Schema schema = last != null && last.fields().equals(fields) ? last : intern(new Schema(fields));
        last = schema;
        Object[] values = new Object[n];
        for (int i = 0; i < n; i++) {
            values[i] = ValueCodec.read(in);
        }
        String id = ValueCodec.readString(in);
        OpType op = OpType.fromCode(ValueCodec.readString(in));
        Instant ts = (Instant) ValueCodec.read(in);
        Instant cdcTs = (Instant) ValueCodec.read(in);
        return new SourceRecord(stream, mode, new Record(schema, values, id, op, ts, cdcTs));
    }

    private Schema intern(Schema s) {
        if (interned == null) {
            interned = new HashMap<>();
        }
        Schema known = interned.get(s);
        if (known != null) {
            return known;
        }
        if (interned.size() >= MAX_INTERNED) {
            interned.clear();
        }
        interned.put(s, s);
        return s;
    }

    @Override
    public SourceRecord deserialize(SourceRecord reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SourceRecordSerializer;
    }

    @Override
    public int hashCode() {
        return SourceRecordSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<SourceRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer's snapshot: it has no configuration. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SourceRecord> {
        public Snapshot() {
            super(SourceRecordSerializer::new);
        }
    }
}
