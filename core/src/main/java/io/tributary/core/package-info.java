/**
 * The engine and the driver SPI. Public: {@link io.tributary.core.DriverInterface} (what a database driver
 * implements), {@link io.tributary.core.AbstractDriver} (the façade an embedder drives: discover, read, full
 * refresh, incremental, CDC), the values crossing the SPI (chunks, cursor values, changes, callbacks), and the
 * change-stream loop every driver's CDC runs in ({@link io.tributary.core.ChangeStreamLoop} over a driver's
 * {@link io.tributary.core.ChangePoller}: the run's bound, checkpoint cadence and cancellation are the engine's).
 * Package-private: the runners behind the façade (backfill, full refresh, incremental, change-stream
 * coordination, the watermark backfill, the CDC session). Depends on the writer API, never on a driver or a
 * writer implementation.
 */
package io.tributary.core;
