package io.tributary.flink;

import org.apache.flink.api.connector.source.SourceEvent;

/**
 * Enumerator to readers: a completed checkpoint holds every chunk's rows and the change streams run now; readers can
 * forget the finished chunks they kept in their state.
 */
record BackfillReleased() implements SourceEvent {
    private static final long serialVersionUID = 1L;
}
