package dev.aqlm.runtime.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.checkpoint.Checkpoint;
import dev.aqlm.runtime.checkpoint.DType;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.FinishReason;
import dev.aqlm.runtime.engine.GenerationResult;
import dev.aqlm.runtime.engine.GenerationSettings;
import dev.aqlm.runtime.model.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SyntheticModelWriterTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"none", "2x8", "1x16", "1x16g16"})
    void writtenCheckpointLoadsAndGenerates(String quantization) throws Exception {
        Path model = dir.resolve(quantization);
        new SyntheticModelWriter(SyntheticShape.TINY, DType.F16,
                quantization.equals("none") ? null : SyntheticModelWriter.scheme(quantization), 5).write(model);
        try (LanguageModel languageModel = LanguageModel.load(model, EngineOptions.cpu().withContextLength(64))) {
            ModelConfig config = languageModel.config();
            assertEquals(!quantization.equals("none"), config.isQuantized());
            assertEquals(SyntheticShape.TINY.hidden(), config.hiddenSize());
            GenerationResult result = languageModel.generate("hello synthetic world",
                    GenerationSettings.greedy(16).withStopAtEos(false));
            assertEquals(FinishReason.LENGTH, result.finishReason());
            assertEquals(16, result.completionTokens().length);
            for (float[] row : languageModel.logits(languageModel.tokenizer().encode("check the numbers"))) {
                for (float logit : row) {
                    assertThat(Float.isFinite(logit)).isTrue();
                }
            }
        }
        try (Checkpoint checkpoint = Checkpoint.open(model)) {
            if (!quantization.equals("none")) {
                assertThat(checkpoint.tensor("model.layers.1.mlp.down_proj.codes").shape())
                        .containsExactly(SyntheticShape.TINY.hidden(),
                                SyntheticShape.TINY.intermediate() / SyntheticModelWriter.scheme(quantization).inGroupSize(),
                                SyntheticModelWriter.scheme(quantization).codebookCount());
            }
        }
        assertThat(Files.readString(model.resolve("config.json"))).contains("meaningless");
    }

    @org.junit.jupiter.api.Test
    void sameSeedWritesTheSameBytes() throws Exception {
        for (String name : new String[] {"a", "b"}) {
            new SyntheticModelWriter(SyntheticShape.TINY, DType.BF16, SyntheticModelWriter.scheme("2x8"), 9)
                    .write(dir.resolve(name));
        }
        assertEquals(-1L, Files.mismatch(dir.resolve("a/model.safetensors"), dir.resolve("b/model.safetensors")));
    }
}
