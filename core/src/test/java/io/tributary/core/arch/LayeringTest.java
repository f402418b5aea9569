package io.tributary.core.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The layering writer-api ← core, checked on the main classes of both modules (the classes on this module's class
 * path): the writer API knows no engine, driver or writer implementation; the engine knows no driver and no writer
 * implementation. The rules for drivers and writers run where all modules are on the class path
 * ({@code examples}' {@code ArchitectureTest}).
 */
class LayeringTest {
    private static final String[] IMPLEMENTATIONS = {"io.tributary.driver..", "io.tributary.writer.iceberg..",
        "io.tributary.writer.parquet..", "io.tributary.metrics..", "io.tributary.testkit..", "io.tributary.examples.."};

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.tributary");

    @Test
    void writerApiDependsOnNoEngineDriverOrWriterImplementation() {
        noClasses().that().resideInAnyPackage("io.tributary.types..", "io.tributary.writer..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tributary.core..")
                .orShould().dependOnClassesThat().resideInAnyPackage(IMPLEMENTATIONS)
                .check(CLASSES);
    }

    @Test
    void writerApiModelDependsOnNoWriterCode() {
        noClasses().that().resideInAPackage("io.tributary.types..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tributary.writer..")
                .check(CLASSES);
    }

    @Test
    void coreDependsOnNoDriverOrWriterImplementation() {
        noClasses().that().resideInAPackage("io.tributary.core..")
                .should().dependOnClassesThat().resideInAnyPackage(IMPLEMENTATIONS)
                .orShould().dependOnClassesThat().resideInAnyPackage("io.tributary.writer.jsonl..",
                        "io.tributary.writer.memory..")
                .check(CLASSES);
    }

    @Test
    void theRulesSeeBothModules() {
        // a rule checked on no class passes: make sure the import found the main classes of both modules
        org.assertj.core.api.Assertions.assertThat(CLASSES.containPackage("io.tributary.core")).isTrue();
        org.assertj.core.api.Assertions.assertThat(CLASSES.containPackage("io.tributary.writer")).isTrue();
        org.assertj.core.api.Assertions.assertThat(CLASSES.containPackage("io.tributary.types")).isTrue();
    }
}
