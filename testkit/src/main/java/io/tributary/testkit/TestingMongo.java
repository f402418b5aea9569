package io.tributary.testkit;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;

/**
 * An in-JVM MongoDB wire-protocol server (mongo-java-server, memory backend) with its oplog enabled, so change
 * streams work. No real mongod exists on the build machines; the same tests run against a real replica set where
 * one is available.
 */
public final class TestingMongo implements AutoCloseable {
    private final MongoServer server;
    private final InetSocketAddress address;

    public TestingMongo() {
        MemoryBackend backend = new MemoryBackend();
        backend.enableOplog();
        server = new MongoServer(backend);
        address = server.bind();
    }

    public String host() {
        return address.getHostString() + ":" + address.getPort();
    }

    public String connectionString() {
        return "mongodb://" + host();
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
