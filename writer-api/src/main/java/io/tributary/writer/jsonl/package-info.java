/**
 * The JSON-lines destination ({@code jsonl}): the reference writer, one file per stream and commit; used by the
 * examples and tests. Depends only on the writer API.
 */
package io.tributary.writer.jsonl;
