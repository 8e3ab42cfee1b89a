package dev.aqlm.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aqlm.runtime.engine.GenerationOption;
import dev.aqlm.runtime.engine.GenerationOptions;
import dev.aqlm.runtime.engine.GenerationSettings;
import dev.aqlm.runtime.engine.InvalidRequestException;
import dev.aqlm.runtime.engine.SamplingParams;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class SamplingOptionsMixinTest {
    @Command(name = "probe")
    static final class Probe implements Runnable {
        @Mixin SamplingOptionsMixin sampling;

        @Override
        public void run() {
        }
    }

    private static SamplingOptionsMixin parse(String... args) {
        Probe probe = new Probe();
        new CommandLine(probe).parseArgs(args);
        return probe.sampling;
    }

    @Test
    void everyTableOptionIsAFlag() {
        CommandLine cli = new CommandLine(new Probe());
        for (GenerationOption<?> option : GenerationOptions.ALL) {
            assertThat(cli.getCommandSpec().findOption(option.flag())).as(option.flag()).isNotNull();
        }
    }

    @Test
    void noFlagsMeanGreedyWithTheTableDefaults() {
        GenerationSettings settings = parse().toSettings();
        assertThat(settings.sampling()).isEqualTo(SamplingParams.GREEDY);
        assertThat(settings.maxNewTokens()).isEqualTo(GenerationOptions.MAX_NEW_TOKENS.defaultValue());
        assertThat(settings.stopAtEos()).isTrue();
        assertThat(settings.truncatePrompts()).isFalse();
    }

    @Test
    void flagsReachTheSettings() {
        GenerationSettings settings = parse("--top-k", "40", "--min-p", "0.05", "--seed", "7", "--stop", "a",
                "--stop", "b", "--ignore-eos", "--truncate-prompts", "--max-new-tokens", "9").toSettings();
        assertThat(settings.sampling()).isEqualTo(new SamplingParams(1.0, 40, 1.0, 0.05, 7));
        assertThat(settings.stopStrings()).isEqualTo(List.of("a", "b"));
        assertThat(settings.stopAtEos()).isFalse();
        assertThat(settings.truncatePrompts()).isTrue();
        assertThat(settings.maxNewTokens()).isEqualTo(9);
    }

    @Test
    void outOfRangeValuesAreRefusedNamingTheFlag() {
        assertThatThrownBy(() -> parse("--min-p", "1.5")).hasMessageContaining("--min-p must be in [0, 1]");
        assertThatThrownBy(() -> parse("--top-p", "0")).hasMessageContaining("--top-p must be in (0, 1]");
        assertThatThrownBy(() -> parse("--max-new-tokens", "x")).hasMessageContaining("'x' is not an integer");
        assertThatThrownBy(() -> parse("--stop", "").toSettings()).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("--stop must not be empty");
    }
}
