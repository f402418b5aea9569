package io.tributary.examples;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.types.Json;
import java.nio.file.Path;

/** The quickstart's source and destination configs, in the shapes {@code source.json} and the writer take. */
final class QuickstartConfig {
    private QuickstartConfig() {
    }

    static ObjectNode source(int port, String slot, String publication) {
        ObjectNode n = Json.object();
        n.put("host", "localhost");
        n.put("port", port);
        n.put("database", "postgres");
        n.put("username", "postgres");
        n.put("password", "postgres");
        n.putObject("ssl").put("mode", "disable");
        n.put("max_threads", 4);
        n.put("chunk_size", 5_000);
        ObjectNode um = n.putObject("update_method");
        um.put("replication_slot", slot);
        um.put("publication", publication);
        um.put("initial_wait_time", 3);
        um.put("create_if_missing", true);
        return n;
    }

    static ObjectNode iceberg(Path warehouse) {
        ObjectNode n = Json.object();
        n.put("catalog_type", "hadoop");
        n.put("warehouse", warehouse.toAbsolutePath().toString());
        return n;
    }
}
