package dev.aqlm.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.KvCacheFormat;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The engine options as every command parses them: KV cache format and {@code --slots auto}. */
class EngineOptionsMixinTest {
    @Command(name = "any")
    static final class AnyCommand {
        @Mixin EngineOptionsMixin engine;
    }

    private static EngineOptions parse(String... args) {
        AnyCommand command = new AnyCommand();
        new CommandLine(command).parseArgs(args);
        return command.engine.toEngineOptions();
    }

    @Test
    void defaultsAreTheSixteenBitCacheAndEightSlots() {
        EngineOptions options = parse();
        assertEquals(KvCacheFormat.FULL_PRECISION, options.kvCache());
        assertEquals(8, options.slots());
    }

    @Test
    void kvCacheOptionsAndAutoSlotsReachTheEngineOptions() {
        EngineOptions options = parse("--kv-cache-bits", "4", "--kv-group-size", "32", "--kv-residual-length", "64",
                "--slots", "auto");
        assertEquals(new KvCacheFormat(4, 32, 64), options.kvCache());
        assertTrue(options.autoSlots());
    }

    @Test
    void badValuesNameTheOption() {
        assertTrue(assertThrows(AqlmException.class, () -> parse("--kv-cache-bits", "3")).getMessage()
                .contains("--kv-cache-bits must be 16, 8, 4 or 2, got 3"));
        assertTrue(assertThrows(AqlmException.class, () -> parse("--slots", "many")).getMessage()
                .contains("--slots must be a count of 1 or more, or auto, got 'many'"));
        assertTrue(assertThrows(AqlmException.class, () -> parse("--slots", "0")).getMessage()
                .contains("--slots must be 1 or more, got 0"));
    }
}
