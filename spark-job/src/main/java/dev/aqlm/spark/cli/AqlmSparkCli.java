package dev.aqlm.spark.cli;

import dev.aqlm.runtime.cli.BenchCommand;
import dev.aqlm.runtime.cli.GenerateCommand;
import dev.aqlm.runtime.cli.InfoCommand;
import dev.aqlm.runtime.cli.RuntimeCli;
import dev.aqlm.runtime.cli.SynthesizeCommand;
import dev.aqlm.runtime.cli.Version;
import dev.aqlm.spark.generate.BulkGenerateCommand;
import dev.aqlm.spark.session.SparkSessions;
import dev.aqlm.spark.sweep.SweepCommand;
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
        System.exit(RuntimeCli.execute(new AqlmSparkCli(), args, SparkSessions::silenceLogging));
    }
}
