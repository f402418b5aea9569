/**
 * The MySQL and MariaDB driver ({@code mysql}): discovery, key-range chunked backfill, cursor reads, and CDC from
 * the row-based binlog. Depends on the core SPI only (no other driver, no writer implementation).
 */
package io.tributary.driver.mysql;
