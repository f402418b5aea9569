/**
 * What the JDBC drivers (PostgreSQL, MySQL/MariaDB) share, so that each mechanism exists once: the SQL dialect
 * ({@link io.tributary.driver.jdbc.SqlDialect}: identifier quoting, how filter values and parameters reach the
 * server, fetch size, {@code LIMIT/OFFSET}), the read query of a chunk or an incremental pass
 * ({@link io.tributary.driver.jdbc.SelectQuery}: key-range, cursor and filter predicates, ordering), integer and
 * probed key-range chunking ({@link io.tributary.driver.jdbc.KeyRangeChunker}) and the row loop of a backfill read
 * ({@link io.tributary.driver.jdbc.JdbcReads}, which decodes values through the driver's own type table, a
 * {@link io.tributary.driver.jdbc.RowDecoder}), which columns may be incremental cursors
 * ({@link io.tributary.driver.jdbc.CursorColumns}) and helpers of SQL error translation
 * ({@link io.tributary.driver.jdbc.JdbcErrors}).
 *
 * <p>Everything here is internal to the drivers: no embedder or third-party driver API. Database clients stay in
 * the driver modules; this module uses {@code java.sql} only.
 */
package io.tributary.driver.jdbc;
