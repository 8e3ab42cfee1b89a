package dev.aqlm.spark.cli;

import dev.aqlm.runtime.cli.BenchCommand;
import dev.aqlm.runtime.cli.GenerateCommand;
import dev.aqlm.runtime.cli.InfoCommand;
import dev.aqlm.runtime.cli.RuntimeCli;
import dev.aqlm.runtime.cli.SynthesizeCommand;
import dev.aqlm.runtime.cli.Version;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code aqlm-spark}: the launcher's command line. Engine commands run in this JVM; job commands run Spark. */
@Command(name = "aqlm-spark", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Run 2-bit AQLM language models on GPUs and at cluster scale on Apache Spark.",
        subcommands = {DemoCommand.class, BulkGenerateCommand.class, GenerateCommand.class, EvalCommand.class,
                SweepCommand.class,
                BenchCommand.class, SynthesizeCommand.class, InfoCommand.class, CommandLine.HelpCommand.class})
public final class AqlmSparkCli {
    public static void main(String[] args) {
        System.exit(RuntimeCli.execute(new AqlmSparkCli(), args, AqlmSparkCli::silenceLogging));
    }

    /** On Ctrl-C: Spark logs every job the shutdown aborts with a stack trace; one line has said it all. */
    public static void silenceLogging() {
        Configurator.setAllLevels(LogManager.ROOT_LOGGER_NAME, Level.OFF);
    }
}
