package io.tributary.writer.memory;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.types.Json;
import org.junit.jupiter.api.Test;

class MemoryDestinationRegistryTest {
    private static ObjectNode config(String name) {
        ObjectNode n = Json.object();
        n.put("name", name);
        return n;
    }

    @Test
    void aNameIsSharedWithWriterConfigsUntilReleased() {
        String name = "registry-" + System.nanoTime();
        MemoryDestination first = MemoryDestination.named(name);
        assertThat(new MemoryWriterFactory().create(config(name))).isSameAs(first);
        assertThat(MemoryDestination.release(name)).isTrue();
        assertThat(MemoryDestination.release(name)).as("released twice").isFalse();
        MemoryDestination second = MemoryDestination.named(name);
        assertThat(second).as("a released name starts a new destination").isNotSameAs(first);
        assertThat(new MemoryWriterFactory().create(config(name))).isSameAs(second);
        MemoryDestination.release(name);
    }
}
