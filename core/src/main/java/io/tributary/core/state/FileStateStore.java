package io.tributary.core.state;

import static java.util.Objects.requireNonNull;

import io.tributary.types.NonRetriableException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * {@code state.json} on the local file system, saved atomically: write a temp file beside it, fsync, rename over
 * the old file, fsync the folder. A crash at any point leaves either the old or the new file, never a torn one.
 */
public final class FileStateStore implements StateStore {
    private final Path path;

    public FileStateStore(Path path) {
        this.path = requireNonNull(path, "path is null").toAbsolutePath();
    }

    public Path path() {
        return path;
    }

    @Override
    public String describe() {
        return "state file " + path;
    }

    @Override
    public Optional<byte[]> load() {
        try {
            return Optional.of(Files.readAllBytes(path));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new NonRetriableException("cannot read state file " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void save(byte[] json) {
        Path dir = path.getParent();
        Path tmp = dir.resolve("." + path.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(json);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException ignored) {
                // not every platform can fsync a directory
            }
        } catch (IOException e) {
            throw new NonRetriableException("cannot save state file " + path + ": " + e.getMessage(), e);
        }
    }
}
