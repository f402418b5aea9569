package io.tributary.flink;

import static java.util.Objects.requireNonNull;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A Tributary driver as a Flink (FLIP-27) source of {@link SourceRecord}s: the enumerator plans backfill chunks with
 * the driver and hands them to readers; after the backfill the driver's change stream(s) run as their own split(s).
 * Bounded when no stream is {@code cdc}/{@code strict_cdc}, unbounded otherwise. Build it with
 * {@link TributaryFlink#source}; write its records with {@link TributaryFlink#icebergSink}.
 */
public final class TributarySource implements Source<SourceRecord, TributarySplit, EnumState>,
        ResultTypeQueryable<SourceRecord> {
    private static final long serialVersionUID = 1L;

    private final SourceSpec spec;

    public TributarySource(SourceSpec spec) {
        this.spec = requireNonNull(spec, "spec is null");
    }

    public SourceSpec spec() {
        return spec;
    }

    @Override
    public Boundedness getBoundedness() {
        return spec.cdcStreams().isEmpty() ? Boundedness.BOUNDED : Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<SourceRecord, TributarySplit> createReader(SourceReaderContext context) {
        return new TributaryReader(context, spec);
    }

    @Override
    public SplitEnumerator<TributarySplit, EnumState> createEnumerator(
            SplitEnumeratorContext<TributarySplit> context) {
        return new TributaryEnumerator(context, spec, getBoundedness() == Boundedness.BOUNDED, EnumState.initial());
    }

    @Override
    public SplitEnumerator<TributarySplit, EnumState> restoreEnumerator(
            SplitEnumeratorContext<TributarySplit> context, EnumState checkpoint) {
        return new TributaryEnumerator(context, spec, getBoundedness() == Boundedness.BOUNDED, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<TributarySplit> getSplitSerializer() {
        return new SplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<EnumState> getEnumeratorCheckpointSerializer() {
        return new EnumStateSerializer();
    }

    @Override
    public TypeInformation<SourceRecord> getProducedType() {
        return TributaryTypeInfo.sourceRecords();
    }
}
