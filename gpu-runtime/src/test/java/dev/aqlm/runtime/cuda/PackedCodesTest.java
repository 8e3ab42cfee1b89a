package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.checkpoint.Checkpoint;
import dev.aqlm.runtime.model.AqlmLinearWeights;
import dev.aqlm.runtime.model.CodebookIndices;
import dev.aqlm.runtime.model.ModelConfigReader;
import dev.aqlm.runtime.model.ModelWeights;
import dev.aqlm.runtime.model.WeightsLoader;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PackedCodesTest {
    @Test
    void everyIndexSurvivesPackingForOddWidths() {
        Random random = new Random(7);
        int[][] schemes = {{1, 12, 8}, {2, 12, 8}, {3, 8, 8}, {1, 15, 16}, {8, 8, 32}, {2, 16, 8}, {1, 8, 64}};
        for (int[] scheme : schemes) {
            CodeWordFormat format = new CodeWordFormat(scheme[0], scheme[1], scheme[2]);
            int rows = 37;
            int in = 8 * scheme[2] + scheme[2];
            int groups = in / scheme[2];
            int[] indices = new int[rows * groups * scheme[0]];
            for (int i = 0; i < indices.length; i++) {
                indices[i] = random.nextInt(1 << scheme[1]);
            }
            PackedCodes packed = new PackedCodes(format, rows, in);
            for (int r = 0; r < rows; r++) {
                packed.putRow(rows - 1 - r, i -> indices[i], r, groups);
            }
            for (int r = 0; r < rows; r++) {
                for (int g = 0; g < groups; g++) {
                    for (int c = 0; c < scheme[0]; c++) {
                        assertEquals(indices[(r * groups + g) * scheme[0] + c], packed.index(rows - 1 - r, g, c),
                                format + " row " + r + " group " + g + " book " + c);
                    }
                }
            }
            assertEquals(0, packed.index(rows, 0, 0), "padded rows stay zero");
        }
    }

    @Test
    void fixtureCodesPackAsTheCheckpointMasksThem() {
        for (String name : new String[] {"llama-tiny-aqlm-1x16", "llama-tiny-aqlm-2x8"}) {
            try (Checkpoint checkpoint = Checkpoint.open(Fixtures.model(name))) {
                ModelWeights weights = WeightsLoader.load(checkpoint, ModelConfigReader.read(Fixtures.model(name)));
                var feedForward = (dev.aqlm.runtime.model.FeedForwardWeights) weights.layers().get(0).feedForward();
                AqlmLinearWeights layer = (AqlmLinearWeights) feedForward.down();
                CodebookIndices indices = CodebookIndices.read(layer);
                CodeWordFormat format = CodeWordFormat.of(layer.scheme());
                PackedCodes packed = new PackedCodes(format, layer.outFeatures(), layer.inFeatures());
                for (int r = 0; r < layer.outFeatures(); r++) {
                    packed.putRow(r, indices::get, r, layer.groupCount());
                }
                int books = layer.scheme().codebookCount();
                for (int r = 0; r < layer.outFeatures(); r++) {
                    for (int g = 0; g < layer.groupCount(); g++) {
                        for (int c = 0; c < books; c++) {
                            assertEquals(indices.get((r * layer.groupCount() + g) * books + c), packed.index(r, g, c));
                        }
                    }
                }
            }
        }
    }
}
