package dev.aqlm.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.checkpoint.CheckpointException;
import dev.aqlm.runtime.checkpoint.DType;
import org.junit.jupiter.api.Test;

class ModelConfigReaderTest {
    private static ModelConfig parse(String json) throws Exception {
        return ModelConfigReader.parse(new ObjectMapper().readTree(json), "config.json");
    }

    private static final String LLAMA = "{\"model_type\":\"llama\",\"hidden_size\":64,\"intermediate_size\":128,"
            + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"vocab_size\":100";

    @Test
    void fixtureConfigsAreReadWithGqaAndHeadDim() {
        ModelConfig tiny = ModelConfigReader.read(Fixtures.model("llama-tiny-aqlm-2x8"));
        assertEquals(4, tiny.headCount());
        assertEquals(2, tiny.kvHeadCount());
        assertEquals(32, tiny.headDim());
        assertEquals(DType.F16, tiny.dtype());
        assertEquals("2x8", tiny.quantization().shortName());
        ModelConfig mixtral = ModelConfigReader.read(Fixtures.model("mixtral-tiny-aqlm-2x8"));
        assertEquals(Architecture.MIXTRAL, mixtral.architecture());
        assertEquals(4, mixtral.expertCount());
        assertEquals(2, mixtral.expertsPerToken());
        assertEquals(32, mixtral.headDim()); // "head_dim": null falls back to hidden / heads
        ModelConfig llama3 = ModelConfigReader.read(Fixtures.model("llama-tiny-bf16-llama3rope"));
        assertEquals(RopeConfig.Scaling.LLAMA3, llama3.rope().scaling());
        assertEquals(500000.0, llama3.rope().theta());
        assertEquals(DType.BF16, llama3.dtype());
        assertThat(llama3.tieWordEmbeddings()).isTrue();
    }

    @Test
    void newerRopeParametersAndDtypeKeysAreRead() throws Exception {
        ModelConfig config = parse(LLAMA + ",\"dtype\":\"bfloat16\",\"rope_parameters\":{\"rope_type\":\"llama3\","
                + "\"rope_theta\":500000.0,\"factor\":8.0,\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,"
                + "\"original_max_position_embeddings\":8192}}");
        assertEquals(DType.BF16, config.dtype());
        assertEquals(RopeConfig.llama3(500000.0, 8.0, 1.0, 4.0, 8192), config.rope());
        assertEquals(RopeConfig.unscaled(10000.0),
                parse(LLAMA + ",\"rope_parameters\":{\"rope_type\":\"default\",\"rope_theta\":10000.0}}").rope());
    }

    @Test
    void legacyTopLevelAqlmBlockIsReadWithoutTrustingDefaults() throws Exception {
        ModelConfig config = parse(LLAMA.replace("\"llama\"", "\"llama_aqlm\"") + ",\"aqlm\":{\"num_codebooks\":1,"
                + "\"nbits_per_codebook\":16,\"in_group_size\":8,\"out_group_size\":1}}");
        assertEquals(Architecture.LLAMA, config.architecture());
        assertEquals("1x16", config.quantization().shortName());
        CheckpointException missing = assertThrows(CheckpointException.class,
                () -> parse(LLAMA + ",\"aqlm\":{\"num_codebooks\":1,\"nbits_per_codebook\":16}}"));
        assertThat(missing.getMessage()).contains("in_group_size");
    }

    @Test
    void slidingWindowAppliesToMistralButNotLlama() throws Exception {
        String mistral = LLAMA.replace("\"llama\"", "\"mistral\"") + ",\"sliding_window\":4096}";
        assertEquals(4096, parse(mistral).slidingWindow());
        assertEquals(0, parse(LLAMA + ",\"sliding_window\":4096}").slidingWindow());
        assertEquals(0, parse(LLAMA.replace("\"llama\"", "\"mistral\"") + ",\"sliding_window\":null}").slidingWindow());
    }

    @Test
    void unsupportedSettingsAreRejectedByName() {
        assertThat(assertThrows(CheckpointException.class, () -> parse(LLAMA.replace("llama", "gpt2") + "}"))
                .getMessage()).contains("model_type \"gpt2\"");
        assertThat(assertThrows(CheckpointException.class, () -> parse(LLAMA + ",\"hidden_act\":\"gelu\"}"))
                .getMessage()).contains("hidden_act \"gelu\"");
        assertThat(assertThrows(CheckpointException.class,
                () -> parse(LLAMA + ",\"rope_scaling\":{\"type\":\"yarn\",\"factor\":4}}")).getMessage())
                .contains("rope type \"yarn\"");
        assertThat(assertThrows(CheckpointException.class, () -> parse(LLAMA + ",\"num_key_value_heads\":3}"))
                .getMessage()).contains("not a multiple");
    }

    @Test
    void denseCheckpointHasNoQuantization() throws Exception {
        assertNull(parse(LLAMA + "}").quantization());
    }

    @Test
    void llama3FrequenciesFollowTheThreeBands() {
        RopeConfig rope = RopeConfig.llama3(500000.0, 8.0, 1.0, 4.0, 8192);
        double[] scaled = rope.inverseFrequencies(128);
        double[] plain = RopeConfig.unscaled(500000.0).inverseFrequencies(128);
        assertEquals(plain[0], scaled[0], 0.0); // wavelength 2π: far shorter than 8192/4, kept
        assertEquals(plain[63] / 8.0, scaled[63], 1e-18); // longest wavelength: slowed by the factor
        for (int i = 0; i < 64; i++) {
            assertThat(scaled[i]).isBetween(plain[i] / 8.0 - 1e-18, plain[i] + 1e-18);
        }
    }
}
