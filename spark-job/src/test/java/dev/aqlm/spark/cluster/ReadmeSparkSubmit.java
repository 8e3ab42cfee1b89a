package dev.aqlm.spark.cluster;

import dev.aqlm.runtime.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The README's {@code spark-submit} commands, word for word, so that the tests run what users copy. A test gives the
 * master it runs on and its own paths for the options that name the user's files; every other word stays.
 */
final class ReadmeSparkSubmit {
    static final Path README = Fixtures.root().getParent().resolve("README.md");

    private ReadmeSparkSubmit() {
    }

    /** Every spark-submit command of the README (continuation lines joined), without the word spark-submit. */
    static List<List<String>> commands() throws IOException {
        List<List<String>> commands = new ArrayList<>();
        List<String> current = null;
        for (String line : Files.readAllLines(README)) {
            String text = line.strip();
            if (current == null && text.startsWith("spark-submit ")) {
                current = new ArrayList<>();
                text = text.substring("spark-submit ".length());
            }
            if (current != null) {
                boolean continues = text.endsWith("\\");
                current.addAll(Arrays.asList(text.replaceAll("\\\\$", "").strip().split("\\s+")));
                if (!continues) {
                    commands.add(List.copyOf(current));
                    current = null;
                }
            }
        }
        return commands;
    }

    /** The README's command that runs {@code mainClass} ({@code null}: the application jar's own). */
    static List<String> command(String mainClass) throws IOException {
        List<List<String>> matching = commands().stream().filter(c -> {
            int option = c.indexOf("--class");
            return mainClass == null ? option < 0 : option >= 0 && c.get(option + 1).equals(mainClass);
        }).toList();
        if (matching.size() != 1) {
            throw new AssertionError("expected one spark-submit command for " + mainClass + " in " + README + ": " + matching);
        }
        return matching.get(0);
    }

    /**
     * {@code command} on {@code master}, with {@code paths} (option to value) in place of the README's values for
     * those options; each must be in the command.
     */
    static List<String> localized(List<String> command, String master, Map<String, String> paths) {
        List<String> arguments = new ArrayList<>(List.of("--master", master));
        arguments.addAll(command);
        paths.forEach((option, value) -> {
            int at = arguments.indexOf(option);
            if (at < 0 || at + 1 >= arguments.size()) {
                throw new AssertionError("the README's command has no " + option + ": " + command);
            }
            arguments.set(at + 1, value);
        });
        return arguments;
    }
}
