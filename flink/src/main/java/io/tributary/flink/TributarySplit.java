package io.tributary.flink;

import static java.util.Objects.requireNonNull;

import io.tributary.types.StreamId;
import java.util.List;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * A unit of work of the source: a backfill chunk of one stream, or a change stream of one or more streams.
 *
 * <p>A chunk split carries the chunk's bounds (its JSON form), how many rows a reader had emitted when its state was
 * taken, and whether it finished (a finished chunk stays in the reader's state until the enumerator knows it, so a
 * restore cannot lose the news). A chunk read again after a restore with rows already emitted is written as upserts,
 * so its rows are not duplicated. A change-stream split carries the change stream's identifier, its streams and the
 * position (the driver's {@code PositionCodec} JSON) up to which every change was emitted.
 */
public final class TributarySplit implements SourceSplit {
    /** What a split reads. */
    public enum Kind {
        CHUNK,
        CHANGES
    }

    private final Kind kind;
    private final String id;
    private final StreamId stream;
    private final String chunk;
    private final long rowsEmitted;
    private final boolean finished;
    private final int identifier;
    private final List<StreamId> streams;
    private final String position;

    private TributarySplit(Kind kind, String id, StreamId stream, String chunk, long rowsEmitted, boolean finished,
            int identifier, List<StreamId> streams, String position) {
        this.kind = kind;
        this.id = requireNonNull(id, "id is null");
        this.stream = stream;
        this.chunk = chunk;
        this.rowsEmitted = rowsEmitted;
        this.finished = finished;
        this.identifier = identifier;
        this.streams = List.copyOf(streams);
        this.position = position;
    }

    /** Chunk {@code ordinal} of {@code stream}, its bounds as JSON. */
    public static TributarySplit chunk(StreamId stream, int ordinal, String chunkJson) {
        return new TributarySplit(Kind.CHUNK, "chunk-" + stream.id() + "-" + ordinal, stream, chunkJson, 0, false,
                -1, List.of(), null);
    }

    static TributarySplit restoredChunk(String id, StreamId stream, String chunkJson, long rowsEmitted,
            boolean finished) {
        return new TributarySplit(Kind.CHUNK, id, stream, chunkJson, rowsEmitted, finished, -1, List.of(), null);
    }

    /** Change stream {@code identifier} of {@code streams}, at {@code positionJson}. */
    public static TributarySplit changes(int identifier, List<StreamId> streams, String positionJson) {
        return new TributarySplit(Kind.CHANGES, "changes-" + identifier, null, null, 0, false, identifier, streams,
                requireNonNull(positionJson, "positionJson is null"));
    }

    @Override
    public String splitId() {
        return id;
    }

    public Kind kind() {
        return kind;
    }

    public StreamId stream() {
        return stream;
    }

    public String chunkJson() {
        return chunk;
    }

    public long rowsEmitted() {
        return rowsEmitted;
    }

    public boolean finished() {
        return finished;
    }

    public int identifier() {
        return identifier;
    }

    public List<StreamId> streams() {
        return streams;
    }

    public String positionJson() {
        return position;
    }

    TributarySplit withProgress(long emitted, boolean done) {
        return new TributarySplit(kind, id, stream, chunk, emitted, done, identifier, streams, position);
    }

    TributarySplit withPosition(String positionJson) {
        return new TributarySplit(kind, id, stream, chunk, rowsEmitted, finished, identifier, streams,
                requireNonNull(positionJson, "positionJson is null"));
    }

    @Override
    public String toString() {
        return kind == Kind.CHUNK ? id + chunk + (rowsEmitted > 0 ? " after " + rowsEmitted + " rows" : "")
                + (finished ? " (finished)" : "") : id + " " + streams + " at " + position;
    }
}
