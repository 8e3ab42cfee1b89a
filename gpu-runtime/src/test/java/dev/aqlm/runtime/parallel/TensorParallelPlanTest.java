package dev.aqlm.runtime.parallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.checkpoint.Checkpoint;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.model.AqlmLinearWeights;
import dev.aqlm.runtime.model.CodebookIndices;
import dev.aqlm.runtime.model.DenseLinearWeights;
import dev.aqlm.runtime.model.LayerWeights;
import dev.aqlm.runtime.model.ModelConfig;
import dev.aqlm.runtime.model.ModelConfigReader;
import dev.aqlm.runtime.model.ModelWeights;
import dev.aqlm.runtime.model.WeightsLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which shard counts a model allows, the error for the others, and the shapes and contents of the shard views. */
class TensorParallelPlanTest {

    private static ModelConfig config(String model) {
        return ModelConfigReader.read(Fixtures.model(model));
    }

    @Test
    void fixtureModelsSplitOneTwoAndFourWays() {
        for (String model : Fixtures.modelNames()) {
            assertEquals(List.of(1, 2, 4), TensorParallelPlan.validSizes(config(model)), model);
        }
    }

    @Test
    void aShardCountThatDoesNotDivideTheHeadsIsRefusedWithTheValidCounts() {
        TensorParallelException error = assertThrows(TensorParallelException.class,
                () -> TensorParallelPlan.of(config("llama-tiny-aqlm-2x8"), 3));
        assertTrue(error.getMessage().contains("--tensor-parallel 3"), error.getMessage());
        assertTrue(error.getMessage().contains("4 attention heads do not divide by 3"), error.getMessage());
        assertTrue(error.getMessage().endsWith("valid --tensor-parallel values for this model: 1, 2, 4"),
                error.getMessage());
    }

    @Test
    void anAqlmInputGroupCutByTheSplitIsRefused() {
        ModelConfig c = config("llama-tiny-aqlm-2x8");
        // 4 heads of 32 dims with 32-wide input groups: o_proj's 128 inputs give each of 4 shards 32, of 8 shards 16.
        ModelConfig wideGroups = new ModelConfig(c.architecture(), c.vocabSize(), c.hiddenSize(), 1024, c.layerCount(),
                8, 8, 16, c.rmsNormEps(), c.rope(), c.maxPositionEmbeddings(), c.slidingWindow(),
                c.tieWordEmbeddings(), c.dtype(), c.bosTokenId(), c.eosTokenIds(), 0, 0,
                new dev.aqlm.runtime.model.AqlmConfig(2, 8, 32, 1, List.of()));
        assertEquals(List.of(1, 2, 4), TensorParallelPlan.validSizes(wideGroups));
        TensorParallelException error = assertThrows(TensorParallelException.class,
                () -> TensorParallelPlan.of(wideGroups, 8));
        assertTrue(error.getMessage().contains("o_proj's input 128 / 8 is not a multiple of the AQLM input group 32"),
                error.getMessage());
    }

    @Test
    void moreShardsThanKeyValueHeadsReplicateEachHead() {
        TensorParallelPlan plan = TensorParallelPlan.of(config("llama-tiny-fp16"), 4); // 4 heads, 2 KV heads
        assertEquals(1, plan.headsPerShard());
        assertEquals(1, plan.kvHeadsPerShard());
        // Query heads 0 and 1 share KV head 0, heads 2 and 3 share KV head 1: each shard holds its heads' KV head.
        assertEquals(List.of(0, 0, 1, 1), List.of(plan.firstKvHead(0), plan.firstKvHead(1), plan.firstKvHead(2),
                plan.firstKvHead(3)));
    }

    @Test
    void anImpossibleSplitFailsBeforeTheWeightsAreRead(@TempDir Path directory) throws IOException {
        // Only config.json: loading would fail on the missing safetensors, so this error proves the check came first.
        Files.copy(Fixtures.model("llama-tiny-fp16").resolve("config.json"), directory.resolve("config.json"));
        TensorParallelException error = assertThrows(TensorParallelException.class, () -> LanguageModel.load(
                directory, EngineOptions.cpu().withTensorParallel(3)));
        assertTrue(error.getMessage().contains("valid --tensor-parallel values for this model: 1, 2, 4"),
                error.getMessage());
    }

    @Test
    void denseShardsHoldTheirRowsAndColumnsOfTheFullMatrices() {
        String model = "llama-tiny-fp16";
        try (Checkpoint checkpoint = Checkpoint.open(Fixtures.model(model))) {
            ModelWeights weights = WeightsLoader.load(checkpoint, config(model));
            TensorParallelPlan plan = TensorParallelPlan.of(weights.config(), 2);
            LayerWeights full = weights.layers().get(0);
            LayerWeights shard = plan.shards(weights).get(1).weights().layers().get(0);
            float[] query = ((DenseLinearWeights) full.query()).weight().toFloats(); // [128 out][128 in]
            float[] output = ((DenseLinearWeights) full.output()).weight().toFloats(); // [128 out][128 in]
            // Shard 1 of 2: query rows 64..127 (heads 2, 3), o_proj input columns 64..127.
            assertArrayEquals(Arrays.copyOfRange(query, 64 * 128, 128 * 128),
                    ((DenseLinearWeights) shard.query()).weight().toFloats());
            float[] columns = ((DenseLinearWeights) shard.output()).weight().toFloats();
            assertEquals(128 * 64, columns.length);
            for (int row = 0; row < 128; row++) {
                assertArrayEquals(Arrays.copyOfRange(output, row * 128 + 64, row * 128 + 128),
                        Arrays.copyOfRange(columns, row * 64, row * 64 + 64), "o_proj row " + row);
            }
        }
    }

    @Test
    void aqlmRowParallelShardsKeepEveryScaleAndTheirInputGroupsOfCodes() {
        String model = "llama-tiny-aqlm-2x8";
        try (Checkpoint checkpoint = Checkpoint.open(Fixtures.model(model))) {
            ModelWeights weights = WeightsLoader.load(checkpoint, config(model));
            List<ModelShard> shards = TensorParallelPlan.of(weights.config(), 4).shards(weights);
            AqlmLinearWeights down = (AqlmLinearWeights) ((dev.aqlm.runtime.model.FeedForwardWeights)
                    weights.layers().get(1).feedForward()).down(); // [128 out] x [384 in] = 48 groups of 8
            CodebookIndices codes = CodebookIndices.read(down);
            for (ModelShard shard : shards) {
                AqlmLinearWeights part = (AqlmLinearWeights) ((dev.aqlm.runtime.model.FeedForwardWeights)
                        shard.weights().layers().get(1).feedForward()).down();
                assertEquals(96, part.inFeatures());
                assertEquals(12, part.groupCount());
                assertArrayEquals(down.scales().toFloats(), part.scales().toFloats(), "per-output scales, whole");
                assertArrayEquals(down.codebooks().toFloats(), part.codebooks().toFloats(), "codebooks, whole");
                CodebookIndices partCodes = CodebookIndices.read(part);
                for (int o = 0; o < 128; o++) {
                    for (int g = 0; g < 12; g++) {
                        for (int c = 0; c < 2; c++) {
                            assertEquals(codes.get((o * 48 + shard.rank() * 12 + g) * 2 + c),
                                    partCodes.get((o * 12 + g) * 2 + c), "row " + o + " group " + g);
                        }
                    }
                }
            }
            // lm_head's vocabulary of 512 splits into 4 contiguous ranges of 128.
            assertEquals(new TensorParallelPlan.Range(384, 512), shards.get(3).vocabulary());
            assertEquals(128, shards.get(3).weights().lmHead().dim(0));
        }
    }
}
