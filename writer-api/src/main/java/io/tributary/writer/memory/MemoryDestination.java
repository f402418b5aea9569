package io.tributary.writer.memory;

import io.tributary.types.ConfiguredStream;
import io.tributary.types.OpType;
import io.tributary.types.StreamId;
import io.tributary.writer.Destination;
import io.tributary.writer.DestinationWriter;
import io.tributary.writer.MetadataState;
import io.tributary.writer.Record;
import io.tributary.writer.WriterOptions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A destination in memory, for tests and embedders that consume records themselves. Keeps every committed
 * record in commit order ({@link #records}) and the table a reader would see ({@link #table}: the latest record
 * per {@code _olake_id}, deletes removed). Nothing uncommitted is ever visible. Create one with
 * {@code new MemoryDestination()}; {@link #named} shares one by name with writer configs until it is
 * {@link #release}d.
 */
public final class MemoryDestination implements Destination {
    private static final Map<String, MemoryDestination> NAMED = new ConcurrentHashMap<>();

    private final Map<StreamId, List<Record>> committed = new HashMap<>();
    private final Map<StreamId, Map<String, MetadataState>> states = new HashMap<>();
    private volatile Consumer<MetadataState> beforeCommit = s -> { };

    /**
     * A destination of its own, in no registry: what a test or an embedder that hands the destination to a
     * {@link io.tributary.writer.WriterPool} itself should use. It is garbage once no one holds it.
     */
    public MemoryDestination() {
    }

    /**
     * The shared instance of a name: what the {@code memory} writer type with {@code {"name": …}} writes to (a
     * writer config can only name a destination). It stays registered until {@link #release} of that name.
     */
    public static MemoryDestination named(String name) {
        return NAMED.computeIfAbsent(name, n -> new MemoryDestination());
    }

    /**
     * Forgets the shared instance of {@code name}: a later {@link #named} of that name starts empty, and the records
     * can be collected once no one holds the instance. Returns whether there was one.
     */
    public static boolean release(String name) {
        return NAMED.remove(name) != null;
    }

    /** Runs before each commit becomes visible; a test throws from it to simulate a failed commit. */
    public void beforeCommit(Consumer<MetadataState> hook) {
        this.beforeCommit = hook;
    }

    @Override
    public void check() {
    }

    @Override
    public synchronized Optional<MetadataState> committedState(StreamId stream, String threadId) {
        return Optional.ofNullable(states.getOrDefault(stream, Map.of()).get(threadId));
    }

    /** Every state committed for a stream, by thread ID. */
    public synchronized Map<String, MetadataState> committedStates(StreamId stream) {
        return Map.copyOf(states.getOrDefault(stream, Map.of()));
    }

    @Override
    public DestinationWriter open(ConfiguredStream stream, WriterOptions options) {
        StreamId id = stream.id();
        return new DestinationWriter() {
            private final List<Record> pending = new ArrayList<>();

            @Override
            public void write(List<Record> batch) {
                pending.addAll(batch);
            }

            @Override
            public void commit(MetadataState state) {
                beforeCommit.accept(state);
                synchronized (MemoryDestination.this) {
                    committed.computeIfAbsent(id, k -> new ArrayList<>()).addAll(pending);
                    states.computeIfAbsent(id, k -> new HashMap<>()).put(state.threadId(), state);
                }
                pending.clear();
            }

            @Override
            public void abort() {
                pending.clear();
            }
        };
    }

    /** Every committed record of a stream in commit order (duplicates included). */
    public synchronized List<Record> records(StreamId stream) {
        return List.copyOf(committed.getOrDefault(stream, List.of()));
    }

    /** What a reader of an upserting table sees: the latest record per {@code _olake_id}, deleted keys removed. */
    public synchronized Map<String, Record> table(StreamId stream) {
        Map<String, Record> t = new LinkedHashMap<>();
        for (Record r : committed.getOrDefault(stream, List.of())) {
            if (r.op() == OpType.DELETE) {
                t.remove(r.olakeId());
            } else {
                t.put(r.olakeId(), r);
            }
        }
        return t;
    }

    /** Streams that received at least one commit. */
    public synchronized Collection<StreamId> streams() {
        return List.copyOf(states.keySet());
    }

    @Override
    public synchronized void dropStreams(Collection<StreamId> streams) {
        for (StreamId s : streams) {
            committed.remove(s);
            states.remove(s);
        }
    }

    @Override
    public void close() {
    }

}
