package io.tributary.flink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Java serialization of {@link WriteResult}s and the committer's state (Iceberg's data and delete file descriptions
 * are {@link Serializable}; they cross from writers to the committer once per checkpoint, so the cost does not
 * matter). Deserialization resolves classes with the thread's context class loader (Flink's user code class
 * loader in a task).
 */
final class JavaSerialization {
    private JavaSerialization() {
    }

    static byte[] toBytes(Serializable value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    static Object fromBytes(byte[] bytes) throws IOException {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                try {
                    return Class.forName(desc.getName(), false, loader);
                } catch (ClassNotFoundException e) {
                    return super.resolveClass(desc);
                }
            }
        }) {
            return in.readObject();
        } catch (ClassNotFoundException e) {
            throw new IOException("cannot deserialize: " + e.getMessage(), e);
        }
    }

    /** Java serialization of a {@link WriteResult}, length-prefixed. */
    public static final class Serializer extends TypeSerializer<WriteResult> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean isImmutableType() {
            return true;
        }

        @Override
        public TypeSerializer<WriteResult> duplicate() {
            return this;
        }

        @Override
        public WriteResult createInstance() {
            return null;
        }

        @Override
        public WriteResult copy(WriteResult from) {
            return from;
        }

        @Override
        public WriteResult copy(WriteResult from, WriteResult reuse) {
            return from;
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public void serialize(WriteResult record, DataOutputView out) throws IOException {
            ValueCodec.writeBytes(toBytes(record), out);
        }

        @Override
        public WriteResult deserialize(DataInputView in) throws IOException {
            return (WriteResult) fromBytes(ValueCodec.readBytes(in));
        }

        @Override
        public WriteResult deserialize(WriteResult reuse, DataInputView in) throws IOException {
            return deserialize(in);
        }

        @Override
        public void copy(DataInputView in, DataOutputView out) throws IOException {
            ValueCodec.writeBytes(ValueCodec.readBytes(in), out);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Serializer;
        }

        @Override
        public int hashCode() {
            return Serializer.class.hashCode();
        }

        @Override
        public TypeSerializerSnapshot<WriteResult> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    /** The serializer's snapshot: no configuration. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<WriteResult> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
