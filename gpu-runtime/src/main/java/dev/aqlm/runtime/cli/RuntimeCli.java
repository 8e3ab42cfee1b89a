package dev.aqlm.runtime.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The engine's own command line, without Spark: what the GPU bundle runs. The full {@code aqlm-spark} launcher
 * (dev.aqlm.spark.cli.AqlmSparkCli) offers these commands plus the Spark jobs.
 */
@Command(name = "aqlm-runtime", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Run AQLM language models on the CPU or a CUDA GPU.",
        subcommands = {GenerateCommand.class, BenchCommand.class, GpuBenchCommand.class, SynthesizeCommand.class,
            InfoCommand.class,
            CommandLine.HelpCommand.class})
public final class RuntimeCli {
    /** Exit code of a command that failed: bad input, a missing file, a failed job. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of a command line picocli could not parse (picocli's own convention). */
    public static final int EXIT_USAGE = 2;
    /** Exit code after Ctrl-C (128 + SIGINT, as shells report it). */
    public static final int EXIT_INTERRUPTED = 130;

    private static final String VERBOSE = "--verbose";

    public static void main(String[] args) {
        System.exit(execute(new RuntimeCli(), args));
    }

    /**
     * Runs a picocli command tree with aqlm-spark's error handling: whatever fails, one line that names what is wrong
     * (and a non-zero exit); the stack trace only with {@code --verbose}, which every command accepts.
     */
    public static int execute(Object root, String[] args) {
        return execute(root, args, () -> { });
    }

    /** @param quietOnInterrupt silences the libraries' logging when Ctrl-C stops the command */
    public static int execute(Object root, String[] args, Runnable quietOnInterrupt) {
        CommandLine commandLine = new CommandLine(root);
        addVerboseOption(commandLine);
        Interruption.install(commandLine.getCommandName(), quietOnInterrupt, System.err);
        commandLine.setParameterExceptionHandler((exception, arguments) -> {
            CommandLine cmd = exception.getCommandLine();
            cmd.getErr().println("error: " + exception.getMessage());
            cmd.getErr().println("(see: " + cmd.getCommandSpec().qualifiedName() + " --help)");
            return EXIT_USAGE;
        });
        commandLine.setExecutionExceptionHandler((exception, cmd, parsed) -> {
            if (Interruption.stopping()) {
                return EXIT_INTERRUPTED; // the failure is the stop's consequence; Interruption said so in one line
            }
            cmd.getErr().println("error: " + FailureMessage.of(exception));
            if (verbose(parsed)) {
                exception.printStackTrace(cmd.getErr());
            } else if (!FailureMessage.explained(exception)) {
                cmd.getErr().println("(run again with " + VERBOSE + " for the stack trace)");
            }
            return EXIT_FAILURE;
        });
        return commandLine.execute(args);
    }

    private static void addVerboseOption(CommandLine commandLine) {
        if (!commandLine.getCommandSpec().optionsMap().containsKey(VERBOSE)) {
            commandLine.getCommandSpec().addOption(OptionSpec.builder(VERBOSE)
                    .description("print the stack trace of a failure").build());
        }
        commandLine.getSubcommands().values().forEach(RuntimeCli::addVerboseOption);
    }

    private static boolean verbose(ParseResult parsed) {
        for (ParseResult level = parsed; level != null; level = level.subcommand()) {
            if (level.hasMatchedOption(VERBOSE)) {
                return true;
            }
        }
        return false;
    }
}
