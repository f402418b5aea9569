package io.tributary.driver.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.CdcChange;
import io.tributary.driver.mysql.MySqlCdc.Position;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.types.StreamId;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Transaction boundaries, savepoints and XA transactions as the binlog shows them, without a server. */
class MySqlTransactionsTest {
    private static final Instant T1 = Instant.parse("2026-01-02T03:04:05Z");
    private static final Instant T2 = Instant.parse("2026-01-02T03:04:09Z");
    private static final Schema SCHEMA = new Schema(List.of(Field.of("id", DataType.INT64, false)));

    private static Position at(long pos) {
        return new Position("binlog.000007", pos);
    }

    private static CdcChange row(long id) {
        return new CdcChange(StreamId.of("shop", "orders"), OpType.CREATE, T1, SCHEMA, new Object[] {id});
    }

    private final MySqlTransactions tx = new MySqlTransactions(at(4));

    @Test
    void beginAndCommitBoundTheTransactionAndSavepointsStayInside() {
        assertThat(tx.inTransaction()).isFalse();
        assertThat(tx.query("BEGIN", at(100), T1)).isEqualTo(MySqlTransactions.Outcome.NONE);
        assertThat(tx.inTransaction()).isTrue();
        assertThat(tx.time()).isEqualTo(T1);
        assertThat(tx.held()).as("an ordinary transaction's rows are emitted at once").isNull();
        tx.query("SAVEPOINT s1", at(150), T2);
        tx.query("ROLLBACK TO SAVEPOINT s1", at(160), T2);
        tx.query("RELEASE SAVEPOINT s1", at(170), T2);
        assertThat(tx.inTransaction()).as("a savepoint is no boundary").isTrue();
        assertThat(tx.time()).as("the commit time is the transaction's first event's").isEqualTo(T1);
        tx.query("COMMIT", at(200), T2);
        assertThat(tx.inTransaction()).isFalse();

        tx.gtid(at(300), T2, 0);
        assertThat(tx.inTransaction()).isTrue();
        tx.xid();
        assertThat(tx.inTransaction()).isFalse();
        assertThat(tx.checkpointAt(at(400))).isEqualTo(at(400));
    }

    @Test
    void ddlIsAnImplicitCommit() {
        tx.query("BEGIN", at(100), T1);
        MySqlTransactions.Outcome o = tx.query("  alter table orders add column note text", at(120), T1);
        assertThat(o.ddl()).isTrue();
        assertThat(o.committed()).isEmpty();
        assertThat(tx.inTransaction()).isFalse();
    }

    @Test
    void aPreparedXaTransactionIsHeldAndPinsTheCheckpointUntilItsCommit() {
        tx.query("XA START 'a'", at(100), T1);
        assertThat(tx.inTransaction()).isTrue();
        tx.held().add(row(1));
        tx.held().add(row(2));
        tx.query("XA END 'a'", at(180), T1);
        assertThat(tx.xaPrepare(null, false)).as("held, not emitted").isEmpty();
        assertThat(tx.inTransaction()).isFalse();
        assertThat(tx.held()).isNull();
        assertThat(tx.checkpointAt(at(500))).as("a restart must read the prepare again").isEqualTo(at(100));

        // other transactions meanwhile do not move the checkpoint past it
        tx.query("BEGIN", at(500), T1);
        tx.query("COMMIT", at(600), T1);
        assertThat(tx.checkpointAt(at(700))).isEqualTo(at(100));

        MySqlTransactions.Outcome o = tx.query("XA COMMIT X'61',X'',1", at(700), T2);
        assertThat(o.ddl()).isFalse();
        assertThat(o.committed()).extracting(c -> c.values()[0]).containsExactly(1L, 2L);
        assertThat(tx.checkpointAt(at(800))).isEqualTo(at(800));
    }

    @Test
    void aRolledBackXaTransactionIsDroppedAndReleasesTheCheckpoint() {
        tx.query("XA START 'b'", at(100), T1);
        tx.held().add(row(3));
        tx.query("XA END 'b'", at(150), T1);
        tx.xaPrepare(null, false);
        assertThat(tx.checkpointAt(at(300))).isEqualTo(at(100));
        assertThat(tx.query("XA ROLLBACK 'b'", at(300), T2).committed()).isEmpty();
        assertThat(tx.checkpointAt(at(400))).isEqualTo(at(400));
        // a later commit of the same xid finds nothing to emit
        assertThat(tx.query("XA COMMIT 'b'", at(400), T2).committed()).isEmpty();
    }

    @Test
    void mysqlOnePhaseCommitEmitsAtItsXaPrepareEvent() {
        tx.gtid(at(100), T1, 0);
        tx.query("XA START X'63',X'',1", at(120), T1);
        tx.held().add(row(4));
        tx.query("XA END X'63',X'',1", at(150), T1);
        assertThat(tx.xaPrepare(null, true)).extracting(c -> c.values()[0]).containsExactly(4L);
        assertThat(tx.inTransaction()).isFalse();
        assertThat(tx.checkpointAt(at(200))).isEqualTo(at(200));
    }

    @Test
    void mariadbNamesThePreparedTransactionInItsXaPrepareEvent() {
        tx.gtid(at(100), T1, MySqlTransactions.MARIADB_PREPARED_XA);
        assertThat(tx.held()).as("MariaDB logs no XA START: the GTID flag opens it").isNotNull();
        tx.held().add(row(5));
        String xid = MySqlCdc.Xa.xid(new byte[] {'x', 'q'}, 1, 1, 9);
        tx.xaPrepare(xid, false);
        assertThat(tx.checkpointAt(at(300))).isEqualTo(at(100));
        // committed later from another session, spelled differently
        MySqlTransactions.Outcome o = tx.query("XA COMMIT 'x','q',9", at(300), T2);
        assertThat(o.committed()).extracting(c -> c.values()[0]).containsExactly(5L);
        assertThat(tx.checkpointAt(at(400))).isEqualTo(at(400));
    }

    @Test
    void aOnePhaseXaCommitStatementEmitsTheOpenTransaction() {
        tx.query("XA BEGIN 'c'", at(100), T1);
        tx.held().add(row(6));
        tx.query("XA END 'c'", at(130), T1);
        MySqlTransactions.Outcome o = tx.query("XA COMMIT 'c' ONE PHASE", at(140), T2);
        assertThat(o.committed()).extracting(c -> c.values()[0]).containsExactly(6L);
        assertThat(tx.inTransaction()).isFalse();
        assertThat(tx.held()).isNull();
    }

    @Test
    void theEarliestOfSeveralPreparedTransactionsPinsTheCheckpoint() {
        tx.query("XA START 'd'", at(100), T1);
        tx.query("XA END 'd'", at(110), T1);
        tx.xaPrepare(null, false);
        tx.query("XA START 'e'", at(200), T1);
        tx.query("XA END 'e'", at(210), T1);
        tx.xaPrepare(null, false);
        assertThat(tx.checkpointAt(at(300))).isEqualTo(at(100));
        tx.query("XA COMMIT 'd'", at(300), T2);
        assertThat(tx.checkpointAt(at(400))).isEqualTo(at(200));
    }
}
