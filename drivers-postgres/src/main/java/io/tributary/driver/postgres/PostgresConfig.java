package io.tributary.driver.postgres;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tributary.core.DriverConfig;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfigKey;
import io.tributary.types.Secret;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The PostgreSQL source config, with OLake's {@code source.json} keys:
 * <pre>{@code
 * {"host": "localhost", "port": 5432, "database": "shop", "username": "tributary", "password": "…",
 *  "jdbc_url_params": {"connectTimeout": "10"}, "ssl": {"mode": "require"}, "schemas": ["public"],
 *  "max_threads": 3, "retry_count": 3, "chunk_size": 500000, "backfill_read": "binary_copy",
 *  "update_method": {"replication_slot": "tributary", "publication": "tributary", "initial_wait_time": 10,
 *                    "create_if_missing": false}}
 * }</pre>
 * {@code chunk_size} is the target number of rows per backfill chunk. {@code backfill_read} is how chunks are read
 * ({@link BackfillRead}). {@code update_method} enables CDC. The keys {@code max_threads}, {@code retry_count} and
 * {@code ssl.mode} mean the same in every driver.
 */
public record PostgresConfig(
        String host,
        int port,
        String database,
        String username,
        Secret password,
        Map<String, String> jdbcUrlParams,
        Ssl ssl,
        List<String> schemas,
        int maxThreads,
        int retryCount,
        long chunkSize,
        BackfillRead backfillRead,
        Optional<UpdateMethod> updateMethod) implements DriverConfig {

    /** How backfill chunks are read ({@code backfill_read}). */
    public enum BackfillRead {
        /** {@code COPY (SELECT …) TO STDOUT (FORMAT binary)}, decoded by Tributary (the default). */
        @JsonProperty("binary_copy") BINARY_COPY,
        /** A JDBC cursor over {@code SELECT}, for proxies that do not pass {@code COPY} through. */
        @JsonProperty("select") SELECT
    }

    /** {@code ssl.mode}: pgjdbc's (and libpq's) {@code sslmode}. */
    public enum SslMode {
        @JsonProperty("disable") DISABLE("disable"),
        @JsonProperty("allow") ALLOW("allow"),
        @JsonProperty("prefer") PREFER("prefer"),
        @JsonProperty("require") REQUIRE("require"),
        @JsonProperty("verify-ca") VERIFY_CA("verify-ca"),
        @JsonProperty("verify-full") VERIFY_FULL("verify-full");

        private final String sslmode;

        SslMode(String sslmode) {
            this.sslmode = sslmode;
        }

        /** The value of pgjdbc's {@code sslmode} property. */
        public String sslmode() {
            return sslmode;
        }
    }

    /**
     * TLS settings.
     *
     * @param mode pgjdbc's {@code sslmode}; absent, {@link SslMode#PREFER} (pgjdbc's default)
     * @param rootCert the CA certificate (PEM file) {@code verify-ca} and {@code verify-full} check the server against
     */
    public record Ssl(
            @ConfigKey(value = "pgjdbc's sslmode.", defaultValue = "prefer")
            @JsonProperty("mode") SslMode mode,
            @ConfigKey("Path of the CA certificate (PEM) verify-ca and verify-full check the server against.")
            @JsonProperty("root_cert") String rootCert) {
        public Ssl {
            mode = mode == null ? SslMode.PREFER : mode;
        }
    }

    /**
     * CDC settings.
     *
     * @param replicationSlot logical replication slot (plugin pgoutput)
     * @param publication publication naming the tables to capture
     * @param initialWaitTime seconds a bounded CDC run waits for a first change before it ends
     * @param createIfMissing create the slot and publication (for all tables) when they do not exist
     * @param consistentSnapshot when the slot is created by Tributary, create it with an exported snapshot and read
     *     every backfill chunk in that snapshot, so backfill and CDC meet at exactly one point (no overlap)
     */
    public record UpdateMethod(String replicationSlot, String publication, int initialWaitTime,
            boolean createIfMissing, boolean consistentSnapshot) {
        @JsonCreator
        public static UpdateMethod of(
                @ConfigKey(value = "The logical replication slot (plugin pgoutput) CDC reads.", required = true)
                @JsonProperty("replication_slot") String slot,
                @ConfigKey(value = "The publication naming the tables to capture.", required = true)
                @JsonProperty("publication") String publication,
                @ConfigKey(value = "Seconds a bounded CDC run waits for a first change before it ends.",
                        defaultValue = "10", minimum = 0)
                @JsonProperty("initial_wait_time") Integer wait,
                @ConfigKey(value = "Create the slot and the publication (for the CDC tables) when a CDC sync starts "
                        + "and they do not exist.", defaultValue = "false")
                @JsonProperty("create_if_missing") Boolean create,
                @ConfigKey(value = "When Tributary creates the slot, create it with an exported snapshot and read "
                        + "every backfill chunk in it, so backfill and CDC meet at one point.", defaultValue = "false")
                @JsonProperty("consistent_snapshot") Boolean consistent) {
            if (slot == null || slot.isBlank()) {
                throw new ConfigException("update_method.replication_slot is required for CDC");
            }
            if (publication == null || publication.isBlank()) {
                throw new ConfigException("update_method.publication is required for CDC");
            }
            if (wait != null && wait < 0) {
                throw new ConfigException("update_method.initial_wait_time must be >= 0 seconds, got " + wait);
            }
            return new UpdateMethod(slot, publication, wait == null ? 10 : wait, create != null && create,
                    consistent != null && consistent);
        }
    }

    @JsonCreator
    public static PostgresConfig of(
            @ConfigKey(value = "Host name or address of the PostgreSQL server.", required = true)
            @JsonProperty("host") String host,
            @ConfigKey(value = "TCP port of the server.", defaultValue = "5432", minimum = 1, maximum = 65535)
            @JsonProperty("port") Integer port,
            @ConfigKey(value = "The database to replicate.", required = true)
            @JsonProperty("database") String database,
            @ConfigKey(value = "The role Tributary connects as.", required = true)
            @JsonProperty("username") String username,
            @ConfigKey("The role's password (never printed).")
            @JsonProperty("password") Secret password,
            @ConfigKey("Extra pgjdbc connection properties, e.g. {\"connectTimeout\": \"10\"}.")
            @JsonProperty("jdbc_url_params") Map<String, String> jdbcUrlParams,
            @ConfigKey("TLS settings.")
            @JsonProperty("ssl") Ssl ssl,
            @ConfigKey(value = "The schemas whose tables are discovered.", defaultValue = "[\"public\"]")
            @JsonProperty("schemas") List<String> schemas,
            @ConfigKey(value = "Most connections (and chunks read) at once.", defaultValue = "3", minimum = 1,
                    maximum = 256)
            @JsonProperty("max_threads") Integer maxThreads,
            @ConfigKey(value = "How many times a failed chunk or pass is retried (transient failures only).",
                    defaultValue = "3", minimum = 0)
            @JsonProperty("retry_count") Integer retryCount,
            @ConfigKey(value = "Target number of rows per backfill chunk.", defaultValue = "500000", minimum = 1)
            @JsonProperty("chunk_size") Long chunkSize,
            @ConfigKey(value = "How chunks are read: binary_copy (COPY ... TO STDOUT (FORMAT binary)) or select (a "
                    + "JDBC cursor, for proxies that do not pass COPY through).", defaultValue = "binary_copy")
            @JsonProperty("backfill_read") BackfillRead backfillRead,
            @ConfigKey("Logical replication (CDC) settings; absent, CDC is off.")
            @JsonProperty("update_method") UpdateMethod updateMethod) {
        return new PostgresConfig(host, port == null ? 5432 : port, database, username,
                password == null ? Secret.of("") : password,
                jdbcUrlParams == null ? Map.of() : Map.copyOf(jdbcUrlParams),
                ssl == null ? new Ssl(SslMode.PREFER, null) : ssl,
                schemas == null || schemas.isEmpty() ? List.of("public") : List.copyOf(schemas),
                maxThreads == null ? 3 : maxThreads, retryCount == null ? 3 : retryCount,
                chunkSize == null ? 500_000 : chunkSize, backfillRead == null ? BackfillRead.BINARY_COPY : backfillRead,
                Optional.ofNullable(updateMethod));
    }

    /**
     * A builder for configs made in Java: every key optional except {@code host}, {@code database} and
     * {@code username}; an unset key takes the same default as in {@code source.json} ({@link #of} does both).
     * <pre>{@code
     * PostgresConfig c = PostgresConfig.builder().host("db").database("shop").username("tributary")
     *         .password(Secret.of(pw)).cdc("tributary", "tributary").build();
     * DriverInterface driver = Drivers.configured(c);
     * }</pre>
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link PostgresConfig}; {@link #build} validates it. */
    public static final class Builder {
        private String host;
        private Integer port;
        private String database;
        private String username;
        private Secret password;
        private Map<String, String> jdbcUrlParams;
        private Ssl ssl;
        private List<String> schemas;
        private Integer maxThreads;
        private Integer retryCount;
        private Long chunkSize;
        private BackfillRead backfillRead;
        private UpdateMethod updateMethod;

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder database(String database) {
            this.database = database;
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

        public Builder jdbcUrlParams(Map<String, String> jdbcUrlParams) {
            this.jdbcUrlParams = jdbcUrlParams;
            return this;
        }

        /** pgjdbc's {@code sslmode} and an optional CA certificate (a PEM file). */
        public Builder ssl(SslMode mode, String rootCert) {
            this.ssl = new Ssl(mode, rootCert);
            return this;
        }

        public Builder schemas(List<String> schemas) {
            this.schemas = schemas;
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

        public Builder chunkSize(long chunkSize) {
            this.chunkSize = chunkSize;
            return this;
        }

        /** {@link BackfillRead#BINARY_COPY} (default) or {@link BackfillRead#SELECT}. */
        public Builder backfillRead(BackfillRead backfillRead) {
            this.backfillRead = backfillRead;
            return this;
        }

        /** Turns CDC on with this slot and publication (other CDC settings at their defaults). */
        public Builder cdc(String replicationSlot, String publication) {
            this.updateMethod = UpdateMethod.of(replicationSlot, publication, null, null, null);
            return this;
        }

        /** Turns CDC on with every CDC setting ({@link UpdateMethod#of}). */
        public Builder updateMethod(UpdateMethod updateMethod) {
            this.updateMethod = updateMethod;
            return this;
        }

        public PostgresConfig build() {
            PostgresConfig c = of(host, port, database, username, password, jdbcUrlParams, ssl, schemas, maxThreads,
                    retryCount, chunkSize, backfillRead, updateMethod);
            c.validate();
            return c;
        }
    }

    @Override
    public void validate() {
        if (host == null || host.isBlank()) {
            throw new ConfigException("key 'host' is required");
        }
        if (port < 1 || port > 65535) {
            throw new ConfigException("key 'port' must be 1..65535, got " + port);
        }
        if (database == null || database.isBlank()) {
            throw new ConfigException("key 'database' is required");
        }
        if (username == null || username.isBlank()) {
            throw new ConfigException("key 'username' is required");
        }
        if (maxThreads < 1 || maxThreads > 256) {
            throw new ConfigException("key 'max_threads' must be 1..256, got " + maxThreads);
        }
        if (retryCount < 0) {
            throw new ConfigException("key 'retry_count' must be >= 0, got " + retryCount);
        }
        if (chunkSize < 1) {
            throw new ConfigException("key 'chunk_size' must be >= 1 (rows per chunk), got " + chunkSize);
        }
        if (backfillRead == null) {
            throw new ConfigException("key 'backfill_read' is null");
        }
        if (ssl == null) {
            throw new ConfigException("key 'ssl' is null");
        }
    }

    @Override
    public String toString() {
        return "PostgresConfig[" + username + "@" + host + ":" + port + "/" + database + ", schemas=" + schemas
                + ", max_threads=" + maxThreads + ", cdc=" + updateMethod.isPresent() + "]";
    }
}
