package io.tributary.flink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/** Versioned serialized form of {@link EnumState} (version 1; splits in {@link SplitSerializer}'s form). */
public final class EnumStateSerializer implements SimpleVersionedSerializer<EnumState> {
    static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(EnumState s) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(1024);
        out.writeInt(SplitSerializer.VERSION);
        out.writeBoolean(s.planned());
        out.writeInt(s.totalChunks());
        out.writeInt(s.chunks().size());
        for (TributarySplit c : s.chunks()) {
            SplitSerializer.write(c, out);
        }
        out.writeInt(s.finished().size());
        for (String id : s.finished()) {
            ValueCodec.writeString(id, out);
        }
        out.writeInt(s.changes().size());
        for (TributarySplit c : s.changes()) {
            SplitSerializer.write(c, out);
        }
        out.writeBoolean(s.released());
        return out.getCopyOfBuffer();
    }

    @Override
    public EnumState deserialize(int version, byte[] bytes) throws IOException {
        if (version != VERSION) {
            throw new IOException("enumerator state serialized with version " + version + "; this reads " + VERSION);
        }
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        int splitVersion = in.readInt();
        if (splitVersion != SplitSerializer.VERSION) {
            throw new IOException("enumerator state holds splits of version " + splitVersion + "; this reads "
                    + SplitSerializer.VERSION);
        }
        boolean planned = in.readBoolean();
        int total = in.readInt();
        int n = in.readInt();
        List<TributarySplit> chunks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            chunks.add(SplitSerializer.read(in));
        }
        int f = in.readInt();
        Set<String> finished = new HashSet<>();
        for (int i = 0; i < f; i++) {
            finished.add(ValueCodec.readString(in));
        }
        int c = in.readInt();
        List<TributarySplit> changes = new ArrayList<>(c);
        for (int i = 0; i < c; i++) {
            changes.add(SplitSerializer.read(in));
        }
        return new EnumState(planned, total, chunks, finished, changes, in.readBoolean());
    }
}
