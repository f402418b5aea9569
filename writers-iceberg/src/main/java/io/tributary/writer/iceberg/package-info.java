/**
 * The Apache Iceberg destination ({@code iceberg}): REST, JDBC, Hadoop or Glue catalogs, equality deletes for
 * upserts, one snapshot per commit carrying the metadata state. Depends on the writer API only.
 */
package io.tributary.writer.iceberg;
