/**
 * The Parquet destination ({@code parquet}): files on a local path or an object store, one set of files per
 * commit with the metadata state beside them. Depends on the writer API only.
 */
package io.tributary.writer.parquet;
