package io.tributary.driver.mongodb;

import io.tributary.testkit.conformance.ConformanceFixture;
import io.tributary.testkit.conformance.DriverConformanceTest;
import java.util.Set;
import org.testcontainers.containers.MongoDBContainer;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The MongoDB driver against the conformance kit (with {@code TYPE_FIDELITY}) on a real MongoDB 7 in Docker
 * ({@code mongo:7}; {@link MongoDBContainer} runs it as a single-node replica set, so change streams work): the
 * same fixture and edge-value matrix as {@link MongoConformanceTest} on the in-JVM mongo-java-server, and the only
 * run against a real {@code mongod}, the server a user's CI has. Where Docker is not available the class is skipped,
 * and JUnit reports it skipped.
 *
 * <p>What a real server exercises that mongo-java-server does not (not run on the build machine, which has no
 * Docker): real change-stream resume tokens (opaque {@code _data} strings with the cluster time) and
 * {@code startAtOperationTime}; the source identity read from {@code local.system.replset} (the set's
 * {@code replicaSetId}, where mongo-java-server reports a standalone); a real server's storage of every value. The
 * matrix keeps to the values mongo-java-server stores, so it does not cover symbol, undefined, dbPointer or binary
 * subtypes other than 0, 3 and 4, which a real server keeps ({@code MongoTypesTest} maps them). The fixture and the driver reach the member
 * directly at its mapped port (one host and no {@code replica_set}: the member's advertised name is the container's
 * own host name, which the test JVM cannot resolve).
 */
@Testcontainers(disabledWithoutDocker = true)
class MongoContainerConformanceTest extends DriverConformanceTest {
    @Override
    protected ConformanceFixture createFixture() {
        MongoDBContainer mongo = new MongoDBContainer(DockerImageName.parse("mongo:7"));
        mongo.start();
        return new MongoConformanceTest.Fixture(mongo.getHost() + ":" + mongo.getFirstMappedPort(), mongo::stop);
    }

    @Override
    protected Set<Behavior> behaviors() {
        // the container runs without authentication, as mongo-java-server does: no PASSWORD_AUTHENTICATION
        return MongoConformanceTest.BEHAVIORS;
    }
}
