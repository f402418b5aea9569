package io.tributary.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.core.CdcCommit;
import io.tributary.core.Chunk;
import io.tributary.core.RetryEvent;
import io.tributary.core.StreamChanges;
import io.tributary.types.Json;
import io.tributary.types.RetriableException;
import io.tributary.types.StreamId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TributaryMetricsTest {
    private static final StreamId ORDERS = StreamId.of("public", "orders");
    private static final StreamId USERS = StreamId.of("public", "users");

    private static double counter(MeterRegistry r, String name, String... tags) {
        return r.get(name).tags(tags).functionCounter().count();
    }

    private static double gauge(MeterRegistry r, String name, String... tags) {
        return r.get(name).tags(tags).gauge().value();
    }

    @Test
    void changesLagAndCheckpointsPerStreamAndOperation() {
        TributaryMetrics m = new TributaryMetrics("postgres");
        MeterRegistry r = new SimpleMeterRegistry();
        m.bindTo(r);
        Instant t0 = Instant.parse("2026-12-07T10:00:00Z");
        m.cdcCommitted(new CdcCommit(0, Json.object(), List.of(ORDERS, USERS),
                Map.of(ORDERS, new StreamChanges(3, 2, 1, t0, t0.plusMillis(500))), 0, t0.plusMillis(1_750),
                Duration.ofMillis(40)));
        m.cdcCommitted(new CdcCommit(0, Json.object(), List.of(ORDERS, USERS),
                Map.of(ORDERS, new StreamChanges(1, 0, 0, t0.plusSeconds(5), t0.plusSeconds(5)),
                        USERS, new StreamChanges(0, 4, 0, t0.plusSeconds(4), t0.plusSeconds(5))),
                0, t0.plusSeconds(6), Duration.ofMillis(60)));

        assertThat(counter(r, "tributary.cdc.changes", "stream", "public.orders", "op", "insert")).isEqualTo(4);
        assertThat(counter(r, "tributary.cdc.changes", "stream", "public.orders", "op", "update")).isEqualTo(2);
        assertThat(counter(r, "tributary.cdc.changes", "stream", "public.orders", "op", "delete")).isEqualTo(1);
        assertThat(counter(r, "tributary.cdc.changes", "stream", "public.users", "op", "update")).isEqualTo(4);
        Timer lag = r.get("tributary.cdc.lag").tags("stream", "public.orders", "driver", "postgres").timer();
        assertThat(lag.count()).isEqualTo(2);
        assertThat(lag.max(TimeUnit.MILLISECONDS)).isEqualTo(1_250);
        assertThat(lag.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(2_250);
        assertThat(gauge(r, "tributary.cdc.lag.latest", "stream", "public.orders")).isEqualTo(1.0);
        Timer checkpoints = r.get("tributary.cdc.checkpoint").tags("change_stream", "0").timer();
        assertThat(checkpoints.count()).isEqualTo(2);
        assertThat(checkpoints.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(100);
        assertThat(gauge(r, "tributary.cdc.checkpoint.age", "change_stream", "0")).isBetween(0.0, 5.0);

        // an idle checkpoint: the log is drained, so the streams are caught up
        m.cdcCommitted(new CdcCommit(0, Json.object(), List.of(ORDERS, USERS), Map.of(), 0, t0.plusSeconds(30),
                Duration.ofMillis(5)));
        assertThat(gauge(r, "tributary.cdc.lag.latest", "stream", "public.orders")).isZero();
        assertThat(gauge(r, "tributary.cdc.lag.latest", "stream", "public.users")).isZero();
        assertThat(lag.count()).isEqualTo(2);
    }

    @Test
    void backfillPlanRowsAndThroughput() {
        TributaryMetrics m = new TributaryMetrics("mysql");
        MeterRegistry r = new SimpleMeterRegistry();
        m.backfillStarted(ORDERS, 4, 4); // before the registry is bound: kept and registered on bind
        m.bindTo(r);
        assertThat(gauge(r, "tributary.backfill.chunks.planned", "stream", "public.orders")).isEqualTo(4);
        m.chunkCommitted(ORDERS, Chunk.of(0L, 10L), 1_000, Duration.ofMillis(10));
        m.chunkCommitted(ORDERS, Chunk.of(10L, 20L), 1_000, Duration.ofMillis(10));
        assertThat(gauge(r, "tributary.backfill.chunks.remaining", "stream", "public.orders")).isEqualTo(2);
        assertThat(counter(r, "tributary.backfill.rows", "stream", "public.orders")).isEqualTo(2_000);
        assertThat(gauge(r, "tributary.backfill.rows.per.second", "stream", "public.orders")).isPositive();
        m.backfillCompleted(ORDERS);
        assertThat(gauge(r, "tributary.backfill.chunks.remaining", "stream", "public.orders")).isZero();
        m.incrementalCommitted(ORDERS, 7);
        assertThat(counter(r, "tributary.incremental.rows", "stream", "public.orders")).isEqualTo(7);
    }

    @Test
    void retriesAndErrorsByOperationAndException() {
        TributaryMetrics m = new TributaryMetrics("mongodb");
        MeterRegistry r = new SimpleMeterRegistry();
        m.bindTo(r);
        RetryEvent e = new RetryEvent("chunk", "stream a chunk b", 1, 3, new RetriableException("reset"),
                Duration.ofSeconds(1));
        m.retrying(e);
        m.retrying(e);
        m.failed("read", new IllegalStateException("boom"));
        assertThat(counter(r, "tributary.retries", "operation", "chunk", "exception", "RetriableException"))
                .isEqualTo(2);
        assertThat(counter(r, "tributary.errors", "operation", "read", "exception", "IllegalStateException"))
                .isEqualTo(1);
    }

    @Test
    void prometheusNamesAreConventional() {
        TributaryMetrics m = new TributaryMetrics("postgres");
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        m.bindTo(r);
        Instant t0 = Instant.now().minusSeconds(2);
        m.cdcCommitted(new CdcCommit(0, Json.object(), List.of(ORDERS),
                Map.of(ORDERS, new StreamChanges(1, 0, 0, t0, t0)), 0, t0.plusSeconds(2), Duration.ofMillis(3)));
        String text = r.scrape();
        assertThat(text)
                .contains("tributary_cdc_changes_total{driver=\"postgres\",op=\"insert\",stream=\"public.orders\"} 1.0")
                .contains("tributary_cdc_lag_seconds_count{driver=\"postgres\",stream=\"public.orders\"} 1")
                .contains("tributary_cdc_lag_latest_seconds{driver=\"postgres\",stream=\"public.orders\"} 2.0")
                .contains("tributary_cdc_checkpoint_seconds_count{change_stream=\"0\",driver=\"postgres\"} 1");
    }

    @Test
    void jmxRegistryExposesTheMeters() throws Exception {
        TributaryMetrics m = new TributaryMetrics("postgres");
        io.micrometer.jmx.JmxMeterRegistry jmx = new io.micrometer.jmx.JmxMeterRegistry(
                io.micrometer.jmx.JmxConfig.DEFAULT, io.micrometer.core.instrument.Clock.SYSTEM);
        try {
            m.bindTo(jmx);
            m.backfillStarted(ORDERS, 2, 2);
            javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            assertThat(server.queryNames(new javax.management.ObjectName("metrics:name=tributaryBackfillChunks*,*"),
                    null)).isNotEmpty();
        } finally {
            jmx.close();
        }
    }
}
