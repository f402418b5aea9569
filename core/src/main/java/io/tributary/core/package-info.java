/**
 * The engine and the driver SPI. Public: {@link io.tributary.core.DriverInterface} (what a database driver
 * implements), {@link io.tributary.core.AbstractDriver} (the façade an embedder drives: discover, read, full
 * refresh, incremental, CDC), and the values crossing the SPI (chunks, cursor values, changes, callbacks).
 * Package-private: the runners behind the façade (backfill, full refresh, incremental, change-stream
 * coordination, the watermark backfill, the CDC session). Depends on the writer API, never on a driver or a
 * writer implementation.
 */
package io.tributary.core;
