package io.tributary.examples.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The layering writer-api ← core ← drivers / writers, checked on the main classes of every library module (this
 * module has them all on its class path): drivers depend on the core SPI and the writer API only, never on each
 * other or on a writer implementation; writers depend on the writer API only. The core's own rules run in core
 * ({@code io.tributary.core.arch.LayeringTest}) and again here.
 */
class ArchitectureTest {
    private static final String[] WRITER_IMPLEMENTATIONS = {"io.tributary.writer.iceberg..",
        "io.tributary.writer.parquet..", "io.tributary.writer.jsonl..", "io.tributary.writer.memory.."};
    private static final String[] APPLICATIONS = {"io.tributary.metrics..", "io.tributary.testkit..",
        "io.tributary.cli..", "io.tributary.examples..", "io.tributary.bench.."};

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.tributary");

    @Test
    void everyLibraryModuleIsImported() {
        for (String p : new String[] {"io.tributary.types", "io.tributary.writer", "io.tributary.core",
            "io.tributary.driver.postgres", "io.tributary.driver.mysql", "io.tributary.driver.mongodb",
            "io.tributary.writer.iceberg", "io.tributary.writer.parquet"}) {
            assertThat(CLASSES.containPackage(p)).as(p).isTrue();
        }
    }

    @Test
    void writerApiDependsOnNoEngineDriverOrWriterImplementation() {
        noClasses().that().resideInAnyPackage("io.tributary.types..", "io.tributary.writer",
                "io.tributary.writer.jsonl..", "io.tributary.writer.memory..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tributary.core..", "io.tributary.driver..",
                        "io.tributary.writer.iceberg..", "io.tributary.writer.parquet..")
                .orShould().dependOnClassesThat().resideInAnyPackage(APPLICATIONS)
                .check(CLASSES);
    }

    @Test
    void coreDependsOnNoDriverOrWriterImplementation() {
        noClasses().that().resideInAPackage("io.tributary.core..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tributary.driver..")
                .orShould().dependOnClassesThat().resideInAnyPackage(WRITER_IMPLEMENTATIONS)
                .orShould().dependOnClassesThat().resideInAnyPackage(APPLICATIONS)
                .check(CLASSES);
    }

    @Test
    void driversDoNotDependOnEachOther() {
        // drivers-jdbc is the JDBC drivers' shared base, not a driver: the sources may use it, it uses none of them
        slices().matching("io.tributary.driver.(*)..").should().notDependOnEachOther()
                .ignoreDependency(resideInAPackage("io.tributary.driver.."), resideInAPackage("io.tributary.driver.jdbc.."))
                .check(CLASSES);
        noClasses().that().resideInAPackage("io.tributary.driver.jdbc..")
                .should().dependOnClassesThat().resideOutsideOfPackages("io.tributary.driver.jdbc..", "io.tributary.core..",
                        "io.tributary.types..", "java..", "org.slf4j..")
                .check(CLASSES);
    }

    @Test
    void driversDependOnNoWriterImplementation() {
        noClasses().that().resideInAPackage("io.tributary.driver..")
                .should().dependOnClassesThat().resideInAnyPackage(WRITER_IMPLEMENTATIONS)
                .orShould().dependOnClassesThat().resideInAnyPackage(APPLICATIONS)
                .check(CLASSES);
    }

    @Test
    void writersDependOnNoEngineOrDriver() {
        noClasses().that().resideInAnyPackage("io.tributary.writer.iceberg..", "io.tributary.writer.parquet..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tributary.core..", "io.tributary.driver..")
                .orShould().dependOnClassesThat().resideInAnyPackage(APPLICATIONS)
                .check(CLASSES);
    }

    @Test
    void writersDoNotDependOnEachOther() {
        noClasses().that().resideInAPackage("io.tributary.writer.iceberg..")
                .should().dependOnClassesThat().resideInAPackage("io.tributary.writer.parquet..")
                .check(CLASSES);
        noClasses().that().resideInAPackage("io.tributary.writer.parquet..")
                .should().dependOnClassesThat().resideInAPackage("io.tributary.writer.iceberg..")
                .check(CLASSES);
    }
}
