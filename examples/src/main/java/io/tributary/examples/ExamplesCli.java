package io.tributary.examples;

import io.tributary.cli.TributaryCli;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main class of the examples' runnable jar ({@code examples/target/tributary-examples.jar}): the
 * {@code tributary} command with the {@code quickstart} subcommand added, and the example {@code generator} driver
 * on its classpath (a third-party driver plugs into the CLI by its {@code META-INF/services} entry alone). The
 * distribution ({@code cli}) ships neither.
 *
 * <pre>{@code java -jar examples/target/tributary-examples.jar quickstart}</pre>
 */
public final class ExamplesCli {
    private ExamplesCli() {
    }

    public static void main(String[] args) {
        System.exit(TributaryCli.run(List.of(new QuickstartCommand()), args));
    }

    @Command(name = "quickstart", mixinStandardHelpOptions = true,
            description = "Run the quickstart: embedded PostgreSQL -> local Iceberg tables, backfill then CDC, verified.")
    static final class QuickstartCommand implements Callable<Integer> {
        @Option(names = "--dir", defaultValue = "tributary-quickstart", description = "Working folder (recreated).")
        Path dir;

        @Option(names = "--orders", defaultValue = "40000", description = "Rows of the demo orders table.")
        int orders;

        @Override
        public Integer call() throws Exception {
            return Quickstart.run(dir, orders, System.out) ? 0 : 1;
        }
    }
}
