package dev.aqlm.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.checkpoint.Checkpoint;
import dev.aqlm.runtime.engine.ChunkOutput;
import dev.aqlm.runtime.engine.SequenceChunk;
import dev.aqlm.runtime.model.ModelConfig;
import dev.aqlm.runtime.model.ModelConfigReader;
import dev.aqlm.runtime.model.WeightsLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

class CpuBackendSmokeTest {
    @Test
    void logitsOfEveryFixture() {
        for (String name : Fixtures.modelNames()) {
            ModelConfig config = ModelConfigReader.read(Fixtures.model(name));
            try (Checkpoint checkpoint = Checkpoint.open(Fixtures.model(name));
                 CpuBackend backend = new CpuBackend(WeightsLoader.load(checkpoint, config), 2, 64, 2)) {
                for (Fixtures.GoldenPrompt prompt : Fixtures.goldenPrompts(name)) {
                    float[][] logits = backend.forward(List.of(new SequenceChunk(0, 0, prompt.inputIds(),
                            ChunkOutput.ALL_LOGITS))).get(0).logits();
                    double error = Fixtures.relativeMaxError(logits, prompt.logits());
                    System.out.printf("%s prompt %d: %.3g%n", name, prompt.index(), error);
                    assertTrue(error < 1e-4, name);
                }
            }
        }
    }
}
