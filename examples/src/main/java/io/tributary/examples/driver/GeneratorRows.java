package io.tributary.examples.driver;

import io.tributary.types.Schema;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What {@link GeneratorDriver} reads: streams of rows with a {@code long} key in column 0, standing in for the
 * database a real driver queries. {@link #generated} makes them up; a test gives one it can write to
 * ({@link GeneratorDriver#over}).
 */
public interface GeneratorRows {
    /** The schema of every stream; column 0 is the {@code id} key. */
    Schema schema();

    /** The names of the streams. */
    List<String> streams();

    /** Keys that start the second, third, … chunk of about {@code chunkSize} rows, ascending; empty for one chunk. */
    List<Long> splitPoints(String stream, long chunkSize);

    /** Hands over the rows whose key is in {@code [from, to)} ({@code null}: unbounded), in key order. */
    void read(String stream, Long from, Long to, Consumer<Object[]> out);

    /** The greatest key, or empty when the stream has no row. */
    Optional<Long> maxKey(String stream);

    /** Rows {@code 0} to {@code rows - 1} of {@link GeneratorDriver#row}, the same in every stream. */
    static GeneratorRows generated(GeneratorConfig config) {
        return new GeneratorRows() {
            @Override
            public Schema schema() {
                return GeneratorDriver.SCHEMA;
            }

            @Override
            public List<String> streams() {
                return config.streams();
            }

            @Override
            public List<Long> splitPoints(String stream, long chunkSize) {
                List<Long> points = new ArrayList<>();
                for (long k = chunkSize; k < config.rows(); k += chunkSize) {
                    points.add(k);
                }
                return points;
            }

            @Override
            public void read(String stream, Long from, Long to, Consumer<Object[]> out) {
                long end = to == null ? config.rows() : Math.min(to, config.rows());
                for (long id = from == null ? 0 : Math.max(0, from); id < end; id++) {
                    out.accept(GeneratorDriver.row(id));
                }
            }

            @Override
            public Optional<Long> maxKey(String stream) {
                return config.rows() == 0 ? Optional.empty() : Optional.of(config.rows() - 1);
            }
        };
    }
}
