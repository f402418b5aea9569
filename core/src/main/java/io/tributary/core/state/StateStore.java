package io.tributary.core.state;

import java.util.Optional;

/** Where a sync's {@code state.json} lives. Implementations make {@link #save} atomic: a reader sees the old or the new. */
public interface StateStore {
    /** The last saved state document, or empty when none was ever saved. */
    Optional<byte[]> load();

    /** Replaces the saved document atomically and durably. */
    void save(byte[] json);

    /** Where the state lives, for error messages (a file path); never a credential. */
    default String describe() {
        return "state";
    }
}
