package io.tributary.core.state;

import java.util.Optional;

/** A state store in memory, for tests and embedders that persist state themselves. */
public final class InMemoryStateStore implements StateStore {
    private volatile byte[] saved;
    private volatile int saves;

    @Override
    public Optional<byte[]> load() {
        byte[] s = saved;
        return s == null ? Optional.empty() : Optional.of(s.clone());
    }

    @Override
    public synchronized void save(byte[] json) {
        saved = json.clone();
        saves++;
    }

    /** How many times the state was saved. */
    public int saves() {
        return saves;
    }
}
