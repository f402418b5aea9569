/**
 * The PostgreSQL driver ({@code postgres}): discovery from the catalog, ctid or key-range chunked backfill, cursor
 * reads, and CDC from a logical replication slot with pgoutput. Depends on the core SPI only (no other driver,
 * no writer implementation).
 */
package io.tributary.driver.postgres;
