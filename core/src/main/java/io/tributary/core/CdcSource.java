package io.tributary.core;

import io.tributary.types.ConfiguredStream;
import java.util.List;

/**
 * CDC with positions the engine owns: the driver reads and decodes the log; the engine saves positions in state,
 * decides when a checkpoint is due and when a run ends, and tells the driver what to acknowledge. A driver offers it
 * through {@link DriverInterface#cdcSource()}; {@link DriverInterface#preCDC} is called first (to create a
 * publication, a slot). The driver never reads or writes positions in the state.
 *
 * <p>{@code identifier} is 0 in {@link ChangeStreamMode#SEQUENTIAL} mode (one change stream for every CDC stream) and
 * the stream's index in the CDC stream list otherwise.
 *
 * @param <P> the driver's position type (an immutable record)
 * @since 0.2 (experimental: may change before 1.0)
 */
public interface CdcSource<P> {
    /** How positions are saved in the state and read back. */
    PositionCodec<P> positionCodec();

    /**
     * The source's current position, where change stream {@code identifier} of {@code streams} starts when the state
     * holds none; called before the backfill of any of them, so that changes made during the backfill are captured.
     * May create server-side resources (a slot with an exported snapshot). The engine saves the result.
     */
    P startPosition(int identifier, List<ConfiguredStream> streams);

    /**
     * Streams changes from {@code from} (the saved position, decoded): hands changes and watermarks to {@code sink},
     * and {@link ChangeSink#checkpoint} at transaction boundaries, always once before returning. A bounded run returns
     * once it read the log up to its end as of its start (after waiting up to the configured initial wait for a first
     * change) and {@link ChangeSink#keepStreaming()} is false. A driver need not apply that bound itself: it can
     * hand {@link ChangeStreamLoop#run} a {@link ChangePoller} that reads and decodes, and the loop applies the bound,
     * the checkpoint cadence and cancellation.
     */
    void streamChanges(int identifier, P from, ChangeSink<P> sink);

    /**
     * Called after the writers committed everything up to {@code position} and the engine saved it: confirms it to the
     * source where the source keeps a position of its own (PostgreSQL: the slot's flush LSN, so the server may
     * recycle the log before it). The default does nothing (a binlog or an oplog keeps no reader position).
     */
    default void acknowledge(int identifier, P position) {
    }
}
