/**
 * The example Flink job: {@link io.tributary.flink.job.FlinkSyncJob} runs {@code TributaryFlink}'s pipeline from the
 * same {@code source.json}, {@code streams.json} and {@code destination.json} the CLI reads.
 */
package io.tributary.flink.job;
