/**
 * The in-memory destination ({@code memory}) for tests and embedders' experiments: keeps committed records and
 * metadata states in the JVM. Depends only on the writer API.
 */
package io.tributary.writer.memory;
