package io.tributary.driver.mongodb;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tributary.core.DriverConfig;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfigKey;
import io.tributary.types.RenamedKeys;
import io.tributary.types.Secret;
import java.util.List;
import java.util.Optional;

/**
 * The MongoDB source config, with OLake's keys:
 * <pre>{@code
 * {"hosts": ["localhost:27017"], "username": "u", "password": "…", "authdb": "admin", "replica_set": "rs0",
 *  "read_preference": "secondaryPreferred", "srv": false, "database": "shop", "max_threads": 3,
 *  "retry_count": 3, "chunking_strategy": "key_scan", "partition_size": 100000, "sample_size": 10000,
 *  "initial_wait_time": 5, "server_selection_timeout_ms": 10000}
 * }</pre>
 * {@code partition_size} is the number of documents per backfill chunk; {@code sample_size} the documents read to
 * infer a collection's schema. CDC (change streams) is on when the deployment supports it
 * ({@code update_method}-less, as in OLake). The keys {@code max_threads} and {@code retry_count} mean the same in
 * every driver; the old name {@code backoff_retry_count} still binds, with a warning.
 */
public record MongoConfig(List<String> hosts, Optional<String> username, Secret password, String authdb,
        Optional<String> replicaSet, ReadPreferenceMode readPreference, boolean srv, String database, int maxThreads,
        int retryCount, ChunkingStrategy chunkingStrategy, long partitionSize, int sampleSize, int initialWaitTime,
        int serverSelectionTimeoutMs) implements DriverConfig {

    /** The name this config's deprecation warnings give it. */
    private static final String WHERE = "mongodb source";

    /** {@code read_preference}: which members reads go to, named as MongoDB names its read preference modes. */
    public enum ReadPreferenceMode {
        @JsonProperty("primary") PRIMARY("primary"),
        @JsonProperty("primaryPreferred") PRIMARY_PREFERRED("primaryPreferred"),
        @JsonProperty("secondary") SECONDARY("secondary"),
        @JsonProperty("secondaryPreferred") SECONDARY_PREFERRED("secondaryPreferred"),
        @JsonProperty("nearest") NEAREST("nearest");

        private final String mongoName;

        ReadPreferenceMode(String mongoName) {
            this.mongoName = mongoName;
        }

        /** The mode's name for {@code com.mongodb.ReadPreference.valueOf}. */
        public String mongoName() {
            return mongoName;
        }
    }

    /** {@code chunking_strategy}: how a collection's backfill is split. */
    public enum ChunkingStrategy {
        /** {@code _id} ranges found by scanning the {@code _id} index (the default). */
        @JsonProperty("key_scan") KEY_SCAN,
        /** The whole collection as one chunk. */
        @JsonProperty("single") SINGLE
    }

    @JsonCreator
    public static MongoConfig of(
            @ConfigKey(value = "The servers, each host[:port] (a replica set's seed list, or mongos).", required = true)
            @JsonProperty("hosts") List<String> hosts,
            @ConfigKey("The user Tributary authenticates as; absent, no authentication.")
            @JsonProperty("username") String username,
            @ConfigKey("The user's password (never printed).")
            @JsonProperty("password") Secret password,
            @ConfigKey(value = "The database the user is defined in.", defaultValue = "admin")
            @JsonProperty("authdb") String authdb,
            @ConfigKey("The replica set's name; when given, only its members are used.")
            @JsonProperty("replica_set") String replicaSet,
            @ConfigKey(value = "Which members reads go to (MongoDB read preference).",
                    defaultValue = "primaryPreferred")
            @JsonProperty("read_preference") ReadPreferenceMode readPreference,
            @ConfigKey(value = "Whether hosts is a mongodb+srv DNS name.", defaultValue = "false")
            @JsonProperty("srv") Boolean srv,
            @ConfigKey(value = "The database to replicate.", required = true)
            @JsonProperty("database") String database,
            @ConfigKey(value = "Most connections (and chunks read) at once.", defaultValue = "3", minimum = 1,
                    maximum = 256)
            @JsonProperty("max_threads") Integer maxThreads,
            @ConfigKey(value = "How many times a failed chunk or pass is retried (transient failures only).",
                    defaultValue = "3", minimum = 0)
            @JsonProperty("retry_count") Integer retries,
            @ConfigKey(value = "How a collection's backfill is split: key_scan (by _id ranges) or single (one chunk).",
                    defaultValue = "key_scan")
            @JsonProperty("chunking_strategy") ChunkingStrategy chunking,
            @ConfigKey(value = "Documents per backfill chunk.", defaultValue = "100000", minimum = 1)
            @JsonProperty("partition_size") Long partitionSize,
            @ConfigKey(value = "Documents read to infer a collection's schema.", defaultValue = "10000", minimum = 1)
            @JsonProperty("sample_size") Integer sampleSize,
            @ConfigKey(value = "Seconds a bounded CDC run waits for a first change before it ends.", defaultValue = "5",
                    minimum = 0)
            @JsonProperty("initial_wait_time") Integer initialWaitTime,
            @ConfigKey(value = "Milliseconds to wait for a suitable server (and to connect) before the attempt fails.",
                    defaultValue = "10000", minimum = 1)
            @JsonProperty("server_selection_timeout_ms") Integer timeout,
            @ConfigKey(value = "Deprecated old name of retry_count.", minimum = 0, renamedTo = "retry_count")
            @JsonProperty("backoff_retry_count") Integer oldRetries) {
        Integer retryCount = RenamedKeys.resolve(WHERE, "retry_count", retries, "backoff_retry_count", oldRetries);
        return new MongoConfig(hosts == null ? List.of() : List.copyOf(hosts), Optional.ofNullable(username),
                password == null ? Secret.of("") : password, authdb == null ? "admin" : authdb,
                Optional.ofNullable(replicaSet),
                readPreference == null ? ReadPreferenceMode.PRIMARY_PREFERRED : readPreference, srv != null && srv,
                database, maxThreads == null ? 3 : maxThreads, retryCount == null ? 3 : retryCount,
                chunking == null ? ChunkingStrategy.KEY_SCAN : chunking, partitionSize == null ? 100_000 : partitionSize,
                sampleSize == null ? 10_000 : sampleSize, initialWaitTime == null ? 5 : initialWaitTime,
                timeout == null ? 10_000 : timeout);
    }

    /**
     * A builder for configs made in Java; an unset key takes the same default as in {@code source.json} ({@link #of}
     * does both), and {@link Builder#build} validates as binding does.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link MongoConfig}; {@link #build} validates it. */
    public static final class Builder {
        private List<String> hosts;
        private String username;
        private Secret password;
        private String authdb;
        private String replicaSet;
        private ReadPreferenceMode readPreference;
        private Boolean srv;
        private String database;
        private Integer maxThreads;
        private Integer retryCount;
        private ChunkingStrategy chunkingStrategy;
        private Long partitionSize;
        private Integer sampleSize;
        private Integer initialWaitTime;
        private Integer serverSelectionTimeoutMs;

        private Builder() {
        }

        public Builder hosts(List<String> hosts) {
            this.hosts = hosts;
            return this;
        }

        public Builder username(String username) {
            this.username = username;
            return this;
        }

        public Builder password(Secret password) {
            this.password = password;
            return this;
        }

        public Builder authdb(String authdb) {
            this.authdb = authdb;
            return this;
        }

        public Builder replicaSet(String replicaSet) {
            this.replicaSet = replicaSet;
            return this;
        }

        public Builder readPreference(ReadPreferenceMode readPreference) {
            this.readPreference = readPreference;
            return this;
        }

        public Builder srv(boolean srv) {
            this.srv = srv;
            return this;
        }

        public Builder database(String database) {
            this.database = database;
            return this;
        }

        public Builder maxThreads(int maxThreads) {
            this.maxThreads = maxThreads;
            return this;
        }

        public Builder retryCount(int retryCount) {
            this.retryCount = retryCount;
            return this;
        }

        public Builder chunkingStrategy(ChunkingStrategy chunkingStrategy) {
            this.chunkingStrategy = chunkingStrategy;
            return this;
        }

        public Builder partitionSize(long partitionSize) {
            this.partitionSize = partitionSize;
            return this;
        }

        public Builder sampleSize(int sampleSize) {
            this.sampleSize = sampleSize;
            return this;
        }

        public Builder initialWaitTime(int initialWaitTime) {
            this.initialWaitTime = initialWaitTime;
            return this;
        }

        public Builder serverSelectionTimeoutMs(int serverSelectionTimeoutMs) {
            this.serverSelectionTimeoutMs = serverSelectionTimeoutMs;
            return this;
        }

        public MongoConfig build() {
            MongoConfig c = of(hosts, username, password, authdb, replicaSet, readPreference, srv, database, maxThreads,
                    retryCount, chunkingStrategy, partitionSize, sampleSize, initialWaitTime, serverSelectionTimeoutMs,
                    null);
            c.validate();
            return c;
        }
    }

    @Override
    public void validate() {
        if (hosts.isEmpty() || hosts.stream().anyMatch(h -> h == null || h.isBlank())) {
            throw new ConfigException("key 'hosts' needs at least one host[:port]");
        }
        if (database == null || database.isBlank()) {
            throw new ConfigException("key 'database' is required");
        }
        if (maxThreads < 1 || maxThreads > 256) {
            throw new ConfigException("key 'max_threads' must be 1..256, got " + maxThreads);
        }
        if (retryCount < 0) {
            throw new ConfigException("key 'retry_count' must be >= 0, got " + retryCount);
        }
        if (readPreference == null || chunkingStrategy == null) {
            throw new ConfigException("keys 'read_preference' and 'chunking_strategy' must not be null");
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
