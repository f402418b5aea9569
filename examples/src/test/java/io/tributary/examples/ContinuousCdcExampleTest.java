package io.tributary.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.writer.Record;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContinuousCdcExampleTest {
    @Test
    void everyInsertOfEveryRoundReachesTheCustomDestination() throws Exception {
        List<Record> got = new ArrayList<>();
        ContinuousCdcExample.run(3, got::add);
        assertThat(got.stream().map(Record::olakeId).distinct()).hasSize(30);
        assertThat(got.stream().map(r -> (String) r.value("note")).distinct()).contains("round 2 #10");
    }
}
