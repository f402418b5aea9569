/**
 * The writer API: what a destination implements ({@link io.tributary.writer.Destination},
 * {@link io.tributary.writer.WriterFactory}, {@link io.tributary.writer.DestinationWriter}) and the
 * {@link io.tributary.writer.WriterPool} through which the engine writes records with back-pressure and commits
 * them with a metadata state. Depends only on {@link io.tributary.types}; knows no engine and no driver.
 */
package io.tributary.writer;
