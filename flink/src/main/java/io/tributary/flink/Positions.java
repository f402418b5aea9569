package io.tributary.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.PositionCodec;
import io.tributary.types.Json;
import io.tributary.types.NonRetriableException;

/** A change-stream position in its saved form: the driver's codec's JSON with the codec's format version. */
final class Positions {
    private Positions() {
    }

    static <P> ObjectNode encode(PositionCodec<P> codec, P position) {
        ObjectNode n = codec.encode(position).deepCopy();
        n.put(PositionCodec.VERSION_FIELD, codec.version());
        return n;
    }

    static <P> P decode(PositionCodec<P> codec, String json) {
        JsonNode node = Json.parse(json);
        int version = node.path(PositionCodec.VERSION_FIELD).asInt(0);
        if (version > codec.version()) {
            throw new NonRetriableException("the change-stream position " + json + " has format version " + version
                    + ", newer than this release reads (" + codec.version() + ")");
        }
        return codec.decode(node, version);
    }
}
