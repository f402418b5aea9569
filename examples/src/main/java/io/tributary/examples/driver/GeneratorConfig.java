package io.tributary.examples.driver;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tributary.core.DriverConfig;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfigKey;
import java.util.List;

/**
 * Config of the example {@code generator} driver: {@code {"streams": ["a", "b"], "rows": 1000, "chunk_size": 100}}.
 */
public record GeneratorConfig(
        @ConfigKey(value = "Names of the generated streams.", required = true)
        @JsonProperty("streams") List<String> streams,
        @ConfigKey(value = "Rows per stream.", required = true, minimum = 0)
        @JsonProperty("rows") long rows,
        @ConfigKey(value = "Rows per backfill chunk.", required = true, minimum = 1)
        @JsonProperty("chunk_size") long chunkSize,
        @ConfigKey(value = "Chunks generated at once.", required = true, minimum = 1)
        @JsonProperty("max_threads") int maxThreads) implements DriverConfig {

    @Override
    public void validate() {
        if (streams == null || streams.isEmpty()) {
            throw new ConfigException("generator: key 'streams' needs at least one stream name");
        }
        if (rows < 0) {
            throw new ConfigException("generator: key 'rows' must be >= 0, got " + rows);
        }
        if (chunkSize < 1) {
            throw new ConfigException("generator: key 'chunk_size' must be >= 1, got " + chunkSize);
        }
        if (maxThreads < 1) {
            throw new ConfigException("generator: key 'max_threads' must be >= 1, got " + maxThreads);
        }
    }
}
