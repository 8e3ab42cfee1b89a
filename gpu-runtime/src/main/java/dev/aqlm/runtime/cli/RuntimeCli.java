package dev.aqlm.runtime.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The engine's own command line, without Spark: what the GPU bundle runs. The full {@code aqlm-spark} launcher
 * (dev.aqlm.spark.cli.AqlmSparkCli) offers these commands plus the Spark jobs.
 */
@Command(name = "aqlm-runtime", mixinStandardHelpOptions = true,
        description = "Run AQLM language models on the CPU or a CUDA GPU.",
        subcommands = {GenerateCommand.class, BenchCommand.class, GpuBenchCommand.class, SynthesizeCommand.class,
            InfoCommand.class,
            CommandLine.HelpCommand.class})
public final class RuntimeCli {
    public static void main(String[] args) {
        System.exit(execute(new RuntimeCli(), args));
    }

    /** Runs a picocli command tree with aqlm-spark's error handling: a one-line message for our own errors. */
    public static int execute(Object root, String[] args) {
        CommandLine commandLine = new CommandLine(root);
        commandLine.setExecutionExceptionHandler((exception, cmd, parsed) -> {
            if (exception instanceof dev.aqlm.runtime.AqlmException) {
                cmd.getErr().println("error: " + exception.getMessage());
                return 1;
            }
            throw exception;
        });
        return commandLine.execute(args);
    }
}
