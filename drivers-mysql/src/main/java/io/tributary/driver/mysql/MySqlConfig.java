package io.tributary.driver.mysql;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tributary.core.DriverConfig;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfigKey;
import io.tributary.types.RenamedKeys;
import io.tributary.types.Secret;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The MySQL / MariaDB source config, with OLake's keys:
 * <pre>{@code
 * {"host": "localhost", "port": 3306, "database": "shop", "username": "tributary", "password": "…",
 *  "jdbc_url_params": {}, "ssl": {"mode": "disable"}, "max_threads": 3, "retry_count": 3,
 *  "chunk_size": 100000, "update_method": {"server_id": 5400, "initial_wait_time": 10}}
 * }</pre>
 * {@code update_method} enables binlog CDC; {@code server_id} is this client's replica ID (random when absent,
 * kept in state). The keys {@code max_threads}, {@code retry_count} and {@code ssl.mode} mean the same in every
 * driver; the old names {@code backoff_retry_count} and {@code tls} (with {@code disabled}, {@code preferred},
 * {@code required}) still bind, with a warning.
 */
public record MySqlConfig(String host, int port, String database, String username, Secret password,
        Map<String, String> jdbcUrlParams, SslMode sslMode, int maxThreads, int retryCount, long chunkSize,
        Optional<UpdateMethod> updateMethod) implements DriverConfig {

    /** The name this config's deprecation warnings give it. */
    private static final String WHERE = "mysql source";

    /** Binlog CDC settings. */
    public record UpdateMethod(Long serverId, int initialWaitTime) {
        @JsonCreator
        public static UpdateMethod of(
                @ConfigKey(value = "This client's replica server ID; random when absent, then kept in state.",
                        minimum = 1)
                @JsonProperty("server_id") Long serverId,
                @ConfigKey(value = "Seconds a bounded CDC run waits for a first change before it ends.",
                        defaultValue = "10", minimum = 0)
                @JsonProperty("initial_wait_time") Integer wait) {
            return new UpdateMethod(serverId, wait == null ? 10 : wait);
        }
    }

    /** {@code ssl.mode}, with the names PostgreSQL's {@code sslmode} uses for the same behaviour. */
    public enum SslMode {
        /** No TLS (Connector/J {@code DISABLED}). */
        @JsonProperty("disable") DISABLE("DISABLED"),
        /** TLS when the server offers it (Connector/J {@code PREFERRED}, the default). */
        @JsonProperty("prefer") PREFER("PREFERRED"),
        /** TLS or fail, without verifying the certificate (Connector/J {@code REQUIRED}). */
        @JsonProperty("require") REQUIRE("REQUIRED");

        private final String connectorJ;

        SslMode(String connectorJ) {
            this.connectorJ = connectorJ;
        }

        /** The value of Connector/J's {@code sslMode} property. */
        public String connectorJ() {
            return connectorJ;
        }
    }

    /**
     * TLS settings ({@code ssl}).
     *
     * @param mode absent, {@link SslMode#PREFER}
     */
    public record Ssl(
            @ConfigKey(value = "TLS mode.", defaultValue = "prefer")
            @JsonProperty("mode") SslMode mode) {
    }

    /**
     * The deprecated {@code tls} object ({@code ssl} replaces it).
     *
     * @param mode {@code disabled}, {@code preferred} or {@code required}
     */
    public record Tls(
            @ConfigKey(value = "TLS mode (deprecated: ssl.mode, whose values are disable, prefer and require).",
                    defaultValue = "preferred", allowed = {"disabled", "preferred", "required"})
            @JsonProperty("mode") String mode) {

        SslMode sslMode() {
            if (mode == null) {
                return null;
            }
            return switch (mode) {
                case "disabled" -> SslMode.DISABLE;
                case "preferred" -> SslMode.PREFER;
                case "required" -> SslMode.REQUIRE;
                default -> throw new ConfigException("key 'tls.mode' must be disabled, preferred or required, got "
                        + mode + " (tls is deprecated: use ssl.mode, one of disable, prefer, require)");
            };
        }
    }

    @JsonCreator
    public static MySqlConfig of(
            @ConfigKey(value = "Host name or address of the MySQL or MariaDB server.", required = true)
            @JsonProperty("host") String host,
            @ConfigKey(value = "TCP port of the server.", defaultValue = "3306", minimum = 1, maximum = 65535)
            @JsonProperty("port") Integer port,
            @ConfigKey(value = "The database (schema) to replicate.", required = true)
            @JsonProperty("database") String database,
            @ConfigKey(value = "The user Tributary connects as.", required = true)
            @JsonProperty("username") String username,
            @ConfigKey("The user's password (never printed).")
            @JsonProperty("password") Secret password,
            @ConfigKey("Extra MySQL Connector/J connection properties.")
            @JsonProperty("jdbc_url_params") Map<String, String> params,
            @ConfigKey("TLS settings.")
            @JsonProperty("ssl") Ssl ssl,
            @ConfigKey(value = "Most connections (and chunks read) at once.", defaultValue = "3", minimum = 1,
                    maximum = 256)
            @JsonProperty("max_threads") Integer maxThreads,
            @ConfigKey(value = "How many times a failed chunk or pass is retried (transient failures only).",
                    defaultValue = "3", minimum = 0)
            @JsonProperty("retry_count") Integer retries,
            @ConfigKey(value = "Target number of rows per backfill chunk.", defaultValue = "100000", minimum = 1)
            @JsonProperty("chunk_size") Long chunkSize,
            @ConfigKey("Binlog CDC settings; absent, CDC is off.")
            @JsonProperty("update_method") UpdateMethod updateMethod,
            @ConfigKey(value = "Deprecated old name of ssl.", renamedTo = "ssl")
            @JsonProperty("tls") Tls tls,
            @ConfigKey(value = "Deprecated old name of retry_count.", minimum = 0, renamedTo = "retry_count")
            @JsonProperty("backoff_retry_count") Integer oldRetries) {
        SslMode mode = ssl == null ? null : ssl.mode();
        if (tls != null) {
            if (ssl != null) {
                throw new ConfigException(WHERE + ": keys 'ssl' and 'tls' (its deprecated old name) are both set; "
                        + "keep 'ssl'");
            }
            RenamedKeys.warnOnce(WHERE, "tls", "ssl", "ssl.mode is disable, prefer or require");
            mode = tls.sslMode();
        }
        Integer retryCount = RenamedKeys.resolve(WHERE, "retry_count", retries, "backoff_retry_count", oldRetries);
        return new MySqlConfig(host, port == null ? 3306 : port, database, username,
                password == null ? Secret.of("") : password, params == null ? Map.of() : Map.copyOf(params),
                mode == null ? SslMode.PREFER : mode, maxThreads == null ? 3 : maxThreads,
                retryCount == null ? 3 : retryCount, chunkSize == null ? 100_000 : chunkSize,
                Optional.ofNullable(updateMethod));
    }

    /**
     * A builder for configs made in Java; an unset key takes the same default as in {@code source.json} ({@link #of}
     * does both), and {@link Builder#build} validates as binding does.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link MySqlConfig}; {@link #build} validates it. */
    public static final class Builder {
        private String host;
        private Integer port;
        private String database;
        private String username;
        private Secret password;
        private Map<String, String> jdbcUrlParams;
        private SslMode sslMode;
        private Integer maxThreads;
        private Integer retryCount;
        private Long chunkSize;
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

        public Builder updateMethod(UpdateMethod updateMethod) {
            this.updateMethod = updateMethod;
            return this;
        }

        /** {@code ssl.mode}: {@link SslMode#PREFER} by default. */
        public Builder sslMode(SslMode mode) {
            this.sslMode = mode;
            return this;
        }

        /** Turns binlog CDC on with a random server ID (kept in state) and the default wait. */
        public Builder cdc() {
            this.updateMethod = UpdateMethod.of(null, null);
            return this;
        }

        public MySqlConfig build() {
            MySqlConfig c = of(host, port, database, username, password, jdbcUrlParams,
                    sslMode == null ? null : new Ssl(sslMode), maxThreads, retryCount, chunkSize, updateMethod, null,
                    null);
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
        if (sslMode == null) {
            throw new ConfigException("key 'ssl.mode' is null; one of " + List.of(SslMode.values()));
        }
    }

    @Override
    public String toString() {
        return "MySqlConfig[" + username + "@" + host + ":" + port + "/" + database + "]";
    }
}
