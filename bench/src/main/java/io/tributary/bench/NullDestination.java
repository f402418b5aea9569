package io.tributary.bench;

import io.tributary.types.ConfiguredStream;
import io.tributary.types.StreamId;
import io.tributary.writer.Destination;
import io.tributary.writer.DestinationWriter;
import io.tributary.writer.MetadataState;
import io.tributary.writer.Record;
import io.tributary.writer.WriterOptions;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/** A destination that only counts records: the cost of reading and of the orchestrator, without a writer. */
final class NullDestination implements Destination {
    final LongAdder records = new LongAdder();

    @Override
    public void check() {
    }

    @Override
    public Optional<MetadataState> committedState(StreamId stream, String threadId) {
        return Optional.empty();
    }

    @Override
    public DestinationWriter open(ConfiguredStream stream, WriterOptions options) {
        return new DestinationWriter() {
            @Override
            public void write(List<Record> batch) {
                records.add(batch.size());
            }

            @Override
            public void commit(MetadataState state) {
            }

            @Override
            public void abort() {
            }
        };
    }

    @Override
    public void dropStreams(Collection<StreamId> streams) {
    }

    @Override
    public void close() {
    }
}
