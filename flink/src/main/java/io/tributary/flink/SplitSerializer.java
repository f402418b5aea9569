package io.tributary.flink;

import io.tributary.types.StreamId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/** Versioned serialized form of {@link TributarySplit}s (version 1). */
public final class SplitSerializer implements SimpleVersionedSerializer<TributarySplit> {
    static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(TributarySplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        write(split, out);
        return out.getCopyOfBuffer();
    }

    @Override
    public TributarySplit deserialize(int version, byte[] bytes) throws IOException {
        if (version != VERSION) {
            throw new IOException("split serialized with version " + version + "; this reads " + VERSION);
        }
        return read(new DataInputDeserializer(bytes));
    }

    static void write(TributarySplit s, DataOutputView out) throws IOException {
        out.writeByte(s.kind().ordinal());
        ValueCodec.writeString(s.splitId(), out);
        if (s.kind() == TributarySplit.Kind.CHUNK) {
            writeStream(s.stream(), out);
            ValueCodec.writeString(s.chunkJson(), out);
            out.writeLong(s.rowsEmitted());
            out.writeBoolean(s.finished());
        } else {
            out.writeInt(s.identifier());
            out.writeInt(s.streams().size());
            for (StreamId id : s.streams()) {
                writeStream(id, out);
            }
            ValueCodec.writeString(s.positionJson(), out);
        }
    }

    static TributarySplit read(DataInputView in) throws IOException {
        TributarySplit.Kind kind = TributarySplit.Kind.values()[in.readUnsignedByte()];
        String id = ValueCodec.readString(in);
        if (kind == TributarySplit.Kind.CHUNK) {
            StreamId stream = readStream(in);
            String chunk = ValueCodec.readString(in);
            long emitted = in.readLong();
            boolean finished = in.readBoolean();
            return TributarySplit.restoredChunk(id, stream, chunk, emitted, finished);
        }
        int identifier = in.readInt();
        int n = in.readInt();
        List<StreamId> streams = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            streams.add(readStream(in));
        }
        return TributarySplit.changes(identifier, streams, ValueCodec.readString(in));
    }

    private static void writeStream(StreamId id, DataOutputView out) throws IOException {
        ValueCodec.writeString(id.namespace(), out);
        ValueCodec.writeString(id.name(), out);
    }

    private static StreamId readStream(DataInputView in) throws IOException {
        return StreamId.of(ValueCodec.readString(in), ValueCodec.readString(in));
    }
}
