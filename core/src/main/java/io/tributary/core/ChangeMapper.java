package io.tributary.core;

import io.tributary.core.filter.Filter;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.types.StreamId;
import io.tributary.writer.Record;
import io.tributary.writer.WriteMode;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's rules from what a driver reads to what a destination writes: a backfill row becomes a
 * {@link OpType#READ} record; a change of a selected stream follows the stream's schema changes and filter (an update
 * that takes a row out of the filter becomes a delete; an insert or delete outside it is dropped), and an insert of a
 * stream backfilled in the same run becomes {@link OpType#INSERT_OVERLAP}. Changes of unselected streams are ignored.
 * The embedded engine's change sessions use it, and so do runners outside it (the Flink runner). Not thread-safe: one
 * per change stream or reader.
 */
@Experimental
public final class ChangeMapper {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeMapper.class);

    private final Map<StreamId, ConfiguredStream> streams = new LinkedHashMap<>();
    private final Set<StreamId> overlap;
    private final Map<StreamId, Map<Schema, RecordMaker>> makers = new HashMap<>();
    private final Map<StreamId, Optional<Filter>> filters = new HashMap<>();
    private final Set<StreamId> ignored = new HashSet<>();

    /**
     * @param streams the selected streams
     * @param overlap streams whose inserts may repeat rows a backfill of this run already wrote
     */
    public ChangeMapper(Collection<ConfiguredStream> streams, Set<StreamId> overlap) {
        streams.forEach(s -> this.streams.put(s.id(), s));
        this.overlap = new HashSet<>(overlap);
    }

    /** A change mapped to the record to write, and the stream as it is now (its schema may have grown). */
    public record Mapped(ConfiguredStream stream, Record record) {
    }

    /**
     * How a stream's records are written: backfills append; so do append-mode streams and streams without a primary
     * key, whose {@code _olake_id} (a hash of the row) is shared by identical rows: an upsert or delete by it would
     * touch every copy.
     */
    public static WriteMode writeMode(ConfiguredStream s, boolean backfill) {
        return backfill || s.appendMode() || s.primaryKey().isEmpty() ? WriteMode.APPEND : WriteMode.UPSERT;
    }

    /** The stream as it is now, or null when it is not selected. */
    public ConfiguredStream stream(StreamId id) {
        return streams.get(id);
    }

    /** The selected streams' ids. */
    public Set<StreamId> streamIds() {
        return streams.keySet();
    }

    /** The stream's changes committed after its backfill: its inserts no longer overlap backfill rows. */
    public void overlapCommitted(StreamId id) {
        overlap.remove(id);
    }

    /**
     * The backfill rows of {@code s} (values in the order of {@code schema}) as {@link OpType#READ} records stamped
     * {@code now}: one function per chunk, applied to each row.
     */
    public Function<Object[], Record> backfillRows(ConfiguredStream s, Schema schema, Instant now) {
        RecordMaker maker = maker(s, schema);
        return values -> maker.make(values, OpType.READ, now, null);
    }

    /** The record to write for {@code change}, or null when it is dropped (unselected stream, outside the filter). */
    public Mapped map(CdcChange change, Instant now) {
        ConfiguredStream s = streams.get(change.stream());
        if (s == null) {
            if (ignored.add(change.stream())) {
                LOG.debug("ignoring changes of unselected stream {}", change.stream());
            }
            return null;
        }
        if (change.schema() != s.schema() && !change.schema().equals(s.schema())) {
            Schema merged = s.schema().merge(change.schema());
            if (merged != s.schema()) {
                LOG.info("stream {}: schema changed to {}", s.id(), merged);
                s = s.withStream(s.stream().withSchema(merged));
                streams.put(s.id(), s);
            }
        }
        ConfiguredStream cs = s;
        OpType op = change.kind();
        Optional<Filter> filter = filters.computeIfAbsent(s.id(), k -> cs.filter().map(Filter::parse));
        if (filter.isPresent() && !filter.get().test(change.schema(), change.values(), op == OpType.DELETE)) {
            // the row is outside the stream's filter: an update took it out (delivered as a delete, so the
            // destination keeps no row the filter excludes); an insert or a delete of such a row is dropped
            if (op != OpType.UPDATE) {
                return null;
            }
            op = OpType.DELETE;
        }
        if (op == OpType.CREATE && overlap.contains(s.id())) {
            op = OpType.INSERT_OVERLAP;
        }
        return new Mapped(cs, maker(cs, change.schema()).make(change.values(), op, now, change.timestamp()));
    }

    private RecordMaker maker(ConfiguredStream s, Schema schema) {
        return makers.computeIfAbsent(s.id(), k -> new IdentityHashMap<>())
                .computeIfAbsent(schema, sc -> new RecordMaker(s, sc));
    }
}
