/**
 * The MongoDB driver ({@code mongodb}): collections as streams with a schema inferred from sampled documents,
 * {@code _id}-range chunked backfill, and CDC from change streams. Depends on the core SPI only (no other driver,
 * no writer implementation).
 */
package io.tributary.driver.mongodb;
