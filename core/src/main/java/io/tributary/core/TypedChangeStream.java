package io.tributary.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.state.State;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.NonRetriableException;
import io.tributary.types.StreamId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's side of a {@link CdcSource}: records where each change stream starts when the state has no position,
 * hands the driver the saved position decoded, and at each checkpoint commits the writers, saves the position, then
 * asks the driver to acknowledge it (in that order: a position is never saved or acknowledged before the writers
 * committed every change before it; a crash after the save and before the acknowledgement leaves the source's own
 * position behind the saved one, which a restart reads past).
 */
final class TypedChangeStream<P> {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractDriver.class);

    private final CdcSource<P> source;
    private final SavedPositions<P> positions;
    private final ChangeStreamMode mode;

    private TypedChangeStream(CdcSource<P> source, State state, ChangeStreamMode mode) {
        this.source = source;
        this.positions = new SavedPositions<>(state, source.positionCodec());
        this.mode = mode;
    }

    static TypedChangeStream<?> of(CdcSource<?> source, State state, ChangeStreamMode mode) {
        return create(source, state, mode);
    }

    private static <P> TypedChangeStream<P> create(CdcSource<P> source, State state, ChangeStreamMode mode) {
        return new TypedChangeStream<>(source, state, mode);
    }

    /** Where change stream {@code streams} keeps its position: the global state, or its only stream's. */
    private Optional<StreamId> where(List<ConfiguredStream> streams) {
        return mode == ChangeStreamMode.SEQUENTIAL || streams.size() != 1 ? Optional.empty()
                : Optional.of(streams.get(0).id());
    }

    /** Before any backfill: the source's current position for every change stream whose state has none. */
    void recordStartPositions(Map<Integer, List<ConfiguredStream>> changeStreams) {
        for (Map.Entry<Integer, List<ConfiguredStream>> e : changeStreams.entrySet()) {
            Optional<StreamId> where = where(e.getValue());
            if (positions.load(where).isPresent()) {
                continue;
            }
            P start = source.startPosition(e.getKey(), e.getValue());
            positions.save(where, positions.encode(start));
            LOG.info("change stream {}: CDC of {} starts at {}", e.getKey(),
                    e.getValue().stream().map(ConfiguredStream::id).toList(), start);
        }
    }

    /** One run of change stream {@code identifier} from its saved position, into {@code session}. */
    void stream(int identifier, List<ConfiguredStream> streams, CdcSession session) {
        Optional<StreamId> where = where(streams);
        P from = positions.load(where).orElseThrow(() -> new NonRetriableException("change stream " + identifier
                + " of " + streams.stream().map(ConfiguredStream::id).toList() + " has no saved position"));
        source.streamChanges(identifier, from, new ChangeSink<P>() {
            @Override
            public void accept(CdcChange change) {
                session.accept(change);
            }

            @Override
            public void checkpoint(P position) {
                ObjectNode saved = positions.encode(position);
                session.commit(saved, () -> {
                    positions.save(where, saved);
                    source.acknowledge(identifier, position);
                });
            }

            @Override
            public void watermark(String watermark) {
                session.watermark(watermark);
            }

            @Override
            public boolean keepStreaming() {
                return session.keepStreaming();
            }

            @Override
            public boolean checkpointWanted() {
                return session.checkpointWanted();
            }
        });
    }
}
