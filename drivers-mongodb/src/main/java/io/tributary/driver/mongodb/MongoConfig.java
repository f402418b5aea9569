package io.tributary.driver.mongodb;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tributary.core.DriverConfig;
import io.tributary.types.ConfigException;
import io.tributary.types.Secret;
import java.util.List;
import java.util.Optional;

/**
 * The MongoDB source config, with OLake's keys:
 * <pre>{@code
 * {"hosts": ["localhost:27017"], "username": "u", "password": "…", "authdb": "admin", "replica_set": "rs0",
 *  "read_preference": "secondaryPreferred", "srv": false, "database": "shop", "max_threads": 3,
 *  "backoff_retry_count": 3, "chunking_strategy": "key_scan", "partition_size": 100000, "sample_size": 10000,
 *  "initial_wait_time": 5, "server_selection_timeout_ms": 10000}
 * }</pre>
 * {@code partition_size} is the number of documents per backfill chunk; {@code sample_size} the documents read to
 * infer a collection's schema. CDC (change streams) is on when the deployment supports it
 * ({@code update_method}-less, as in OLake).
 */
public record MongoConfig(List<String> hosts, Optional<String> username, Secret password, String authdb,
        Optional<String> replicaSet, String readPreference, boolean srv, String database, int maxThreads,
        int retryCount, String chunkingStrategy, long partitionSize, int sampleSize, int initialWaitTime,
        int serverSelectionTimeoutMs) implements DriverConfig {

    @JsonCreator
    public static MongoConfig of(@JsonProperty("hosts") List<String> hosts,
            @JsonProperty("username") String username,
            @JsonProperty("password") Secret password,
            @JsonProperty("authdb") String authdb,
            @JsonProperty("replica_set") String replicaSet,
            @JsonProperty("read_preference") String readPreference,
            @JsonProperty("srv") Boolean srv,
            @JsonProperty("database") String database,
            @JsonProperty("max_threads") Integer maxThreads,
            @JsonProperty("backoff_retry_count") Integer retries,
            @JsonProperty("chunking_strategy") String chunking,
            @JsonProperty("partition_size") Long partitionSize,
            @JsonProperty("sample_size") Integer sampleSize,
            @JsonProperty("initial_wait_time") Integer initialWaitTime,
            @JsonProperty("server_selection_timeout_ms") Integer timeout) {
        return new MongoConfig(hosts == null ? List.of() : List.copyOf(hosts), Optional.ofNullable(username),
                password == null ? Secret.of("") : password, authdb == null ? "admin" : authdb,
                Optional.ofNullable(replicaSet), readPreference == null ? "primaryPreferred" : readPreference,
                srv != null && srv, database, maxThreads == null ? 3 : maxThreads, retries == null ? 3 : retries,
                chunking == null ? "key_scan" : chunking, partitionSize == null ? 100_000 : partitionSize,
                sampleSize == null ? 10_000 : sampleSize, initialWaitTime == null ? 5 : initialWaitTime,
                timeout == null ? 10_000 : timeout);
    }

    @Override
    public void validate() {
        if (hosts.isEmpty() || hosts.stream().anyMatch(h -> h == null || h.isBlank())) {
            throw new ConfigException("key 'hosts' needs at least one host[:port]");
        }
        if (database == null || database.isBlank()) {
            throw new ConfigException("key 'database' is required");
        }
        if (maxThreads < 1) {
            throw new ConfigException("key 'max_threads' must be >= 1, got " + maxThreads);
        }
        if (retryCount < 0) {
            throw new ConfigException("key 'backoff_retry_count' must be >= 0, got " + retryCount);
        }
        if (!List.of("key_scan", "single").contains(chunkingStrategy)) {
            throw new ConfigException("key 'chunking_strategy' must be 'key_scan' or 'single', got " + chunkingStrategy);
        }
        if (partitionSize < 1 || sampleSize < 1 || initialWaitTime < 0 || serverSelectionTimeoutMs < 1) {
            throw new ConfigException("keys 'partition_size', 'sample_size' and 'server_selection_timeout_ms' must be"
                    + " >= 1 and 'initial_wait_time' >= 0");
        }
    }

    @Override
    public String toString() {
        return "MongoConfig[" + hosts + "/" + database + ", user=" + username.orElse("-") + "]";
    }
}
