package dev.aqlm.runtime.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aqlm.runtime.checkpoint.Checkpoint;
import dev.aqlm.runtime.checkpoint.DType;
import dev.aqlm.runtime.checkpoint.SafetensorsWriter;
import dev.aqlm.runtime.model.AqlmConfig;
import dev.aqlm.runtime.model.AqlmLinearWeights;
import dev.aqlm.runtime.model.CodebookIndices;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Early 8x8 checkpoints store codes [in/G][out][C]: their shards must cut the second axis for output rows and the
 * first for input groups. Each code here encodes its own (row, group, codebook), so a wrong axis shows at once.
 */
class TransposedCodesSliceTest {
    private static final int OUT = 6;
    private static final int GROUPS = 4;
    private static final int BOOKS = 2;
    private static final AqlmConfig SCHEME = new AqlmConfig(BOOKS, 8, 8, 1, List.of());

    private static int code(int row, int group, int book) {
        return row * 16 + group * 2 + book; // < 256: one byte, distinct for every (row, group, codebook)
    }

    @Test
    void transposedCodesSplitAlongTheirOwnAxes(@TempDir Path dir) {
        new SafetensorsWriter()
                .add("layer.codes", DType.I8, new long[] {GROUPS, OUT, BOOKS}, (chunk, first) -> {
                    for (int g = 0; g < GROUPS; g++) {
                        for (int o = 0; o < OUT; o++) {
                            for (int c = 0; c < BOOKS; c++) {
                                chunk.put((byte) code(o, g, c));
                            }
                        }
                    }
                })
                .addFloats("layer.codebooks", DType.F16, new long[] {BOOKS, 256, 1, 8}, new float[BOOKS * 256 * 8])
                .addFloats("layer.scales", DType.F16, new long[] {OUT, 1, 1, 1}, new float[OUT])
                .write(dir.resolve("model.safetensors"));
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            AqlmLinearWeights layer = new AqlmLinearWeights("layer", SCHEME, OUT, GROUPS * 8,
                    checkpoint.tensor("layer.codes"), checkpoint.tensor("layer.codebooks"),
                    checkpoint.tensor("layer.scales"), null, true);
            AqlmLinearWeights rows = (AqlmLinearWeights) WeightSlicer.columns(layer, new TensorParallelPlan.Range(2, 5));
            assertCodes(rows, 2, 0);
            AqlmLinearWeights inputs = (AqlmLinearWeights) WeightSlicer.inputs(layer,
                    new TensorParallelPlan.Range(16, 32), 1);
            assertCodes(inputs, 0, 2);
        }
    }

    /** The slice's codes, read in [out][group][codebook] order, are the layer's from (firstRow, firstGroup) on. */
    private static void assertCodes(AqlmLinearWeights slice, int firstRow, int firstGroup) {
        CodebookIndices codes = CodebookIndices.read(slice);
        int groups = slice.groupCount();
        for (int o = 0; o < slice.outFeatures(); o++) {
            for (int g = 0; g < groups; g++) {
                for (int c = 0; c < BOOKS; c++) {
                    assertEquals(code(firstRow + o, firstGroup + g, c), codes.get((o * groups + g) * BOOKS + c),
                            "row " + o + " group " + g + " codebook " + c);
                }
            }
        }
    }
}
