package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aqlm.runtime.checkpoint.DType;
import dev.aqlm.runtime.engine.KvCacheFormat;
import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.model.Architecture;
import dev.aqlm.runtime.model.ModelConfig;
import dev.aqlm.runtime.model.RopeConfig;
import dev.aqlm.runtime.synthetic.SyntheticModelWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecodePlanTest {
    private static ModelConfig llama7b() {
        return new ModelConfig(Architecture.LLAMA, 32000, 4096, 11008, 32, 32, 32, 128, 1e-5,
                RopeConfig.unscaled(10000), 4096, 0, false, DType.F16, 1, List.of(2), 0, 0, null);
    }

    @Test
    void bucketsArePowersOfTwoUpToTheSlots() {
        assertArrayEquals(new int[] {1}, new GraphBuckets(1).sizes());
        assertArrayEquals(new int[] {1, 2, 4, 8}, new GraphBuckets(8).sizes());
        GraphBuckets ten = new GraphBuckets(10);
        assertArrayEquals(new int[] {1, 2, 4, 8, 16}, ten.sizes());
        assertEquals(1, ten.bucketFor(1));
        assertEquals(4, ten.bucketFor(3));
        assertEquals(16, ten.bucketFor(9));
        assertThrows(IllegalArgumentException.class, () -> ten.bucketFor(17));
        assertEquals(64, new GraphBuckets(64).largest());
    }

    @Test
    void attentionSplitsGrowWithTheContextButStayBounded() {
        assertEquals(new AttentionPlan(256, 2), AttentionPlan.forContext(512));
        assertEquals(new AttentionPlan(256, 16), AttentionPlan.forContext(4096));
        assertEquals(new AttentionPlan(1024, 32), AttentionPlan.forContext(32768));
        assertEquals(new AttentionPlan(256, 1), AttentionPlan.forContext(64));
        for (int context = 1; context < 200_000; context += 997) {
            AttentionPlan plan = AttentionPlan.forContext(context);
            assertTrue(plan.splits() <= AttentionPlan.MAX_SPLITS && plan.splits() * plan.splitSize() >= context);
            assertEquals(0, plan.splitSize() % 64);
        }
        assertEquals(2 * 64 * 128 * 2 + 64 * 65 * 4, AttentionPlan.prefillSharedBytes(128));
        assertNull(AttentionPlan.unsupportedReason(32, 8, 128));
        assertTrue(AttentionPlan.unsupportedReason(32, 8, 256).contains("head_dim 256"));
        assertTrue(AttentionPlan.unsupportedReason(64, 4, 128).contains("16 query heads"));
    }

    @Test
    void moeShapesTheRoutingKernelCannotHoldAreRefused() {
        assertNull(MoePlan.unsupportedReason(8, 2), "Mixtral");
        assertNull(MoePlan.unsupportedReason(64, 8));
        assertTrue(MoePlan.unsupportedReason(128, 8).contains("128 experts"));
        assertTrue(MoePlan.unsupportedReason(8, 9).contains("num_experts_per_tok 9"));
        assertTrue(MoePlan.unsupportedReason(8, 0).contains("num_experts_per_tok 0"));
    }

    @Test
    void aqlmSchemesTheLinearKernelCannotPackAreRefusedBeforeUpload() {
        for (String scheme : List.of("2x8", "1x16", "1x16g16", "8x8g32", "4x16", "3x6")) {
            assertNull(CodeWordFormat.unsupportedReason(SyntheticModelWriter.scheme(scheme)), scheme);
        }
        assertTrue(CodeWordFormat.unsupportedReason(SyntheticModelWriter.scheme("5x16")).contains("80 code bits"));
        assertTrue(CodeWordFormat.unsupportedReason(SyntheticModelWriter.scheme("1x16g128")).contains("in_group_size 128"));
        assertThrows(AqlmException.class, () -> CodeWordFormat.of(SyntheticModelWriter.scheme("5x16")));
    }

    @Test
    void kvCacheContextFitsTheMemoryLeft() {
        ModelConfig config = llama7b();
        KvCacheFormat full = KvCacheFormat.FULL_PRECISION;
        long perPosition = DeviceKvLayout.of(full, config, 8, 1, 520).bytes(config.layerCount());
        assertEquals(2L * 32 * 9 * 4096 * 2, perPosition);
        assertEquals(4096, DeviceKvCache.chooseContext(config, full, 8, 520, 0, 100L << 30));
        assertEquals(2048, DeviceKvCache.chooseContext(config, full, 8, 520, 0, perPosition * 2100));
        assertEquals(1000, DeviceKvCache.chooseContext(config, full, 8, 520, 1000, 0), "an explicit length is kept");
        AqlmException error = assertThrows(AqlmException.class,
                () -> DeviceKvCache.chooseContext(config, full, 8, 520, 0, perPosition * 100));
        assertTrue(error.getMessage().contains("--slots"), error.getMessage());
    }

    @Test
    void aQuantizedDeviceCacheWeighsWhatKvCacheFormatCountsForItsRing() {
        ModelConfig config = llama7b();
        KvCacheFormat format = KvCacheFormat.bits(4);
        DeviceKvLayout layout = DeviceKvLayout.of(format, config, 8, 4096, 520);
        assertEquals(128 + 64 + 128, layout.ring(), "window + filling block + 128 rows of one sequence per pass");
        assertEquals(128 + 64 + 64, DeviceKvLayout.of(format, config, 8, 4096, 64).ring(),
                "at least a verification chunk's rows, however short the pass");
        assertEquals(128, layout.passRowsPerSequence(520), "a pass takes at most the ring's room of one sequence");
        assertEquals(9 * layout.bytesPerSlot(32), layout.bytes(32), "8 slots and the scratch slot");
        // Codes: 4096 positions x 4096 channels x 4 bits, keys and values; parameters: a key group per 64 tokens of a
        // channel, a value group per 64 channels of a token; the ring in fp16.
        long perSlotLayer = 2L * 4096 * 4096 / 2 + 2L * 4096 * 4096 / 64 * 4 + 2L * 320 * 4096 * 2;
        assertEquals(9 * 32 * perSlotLayer, layout.bytes(32));
        DeviceKvLayout short64 = DeviceKvLayout.of(format, config, 8, 64, 520);
        assertEquals(64, short64.ring(), "never more than the context");
        assertEquals(520, short64.passRowsPerSequence(520), "a ring as long as the slot bounds no pass");
        // The memory of 1024 16-bit positions holds over twice as many at 4 bits, whatever the pass size: the ring no
        // longer grows with --max-prefill-tokens.
        long budget = DeviceKvLayout.of(KvCacheFormat.FULL_PRECISION, config, 8, 1024, 64).bytes(32);
        assertTrue(DeviceKvCache.chooseContext(config, format, 8, 64, 0, budget) >= 2048);
        assertTrue(DeviceKvCache.chooseContext(config, format, 8, 520, 0, budget) >= 2048);
    }

    @Test
    void decodeTrafficCountsWeightsAndTheCacheReadUpToEachPosition() {
        ModelConfig config = llama7b();
        long perEntry = 2L * 4096 * 2 * 32;
        assertEquals(1_000_000L + perEntry * 100 + perEntry, DecodeTraffic.bytesPerStep(config, 1_000_000L, 1, 99));
        assertEquals(5L + 16 * perEntry * 11, DecodeTraffic.bytesPerStep(config, 5L, 16, 9));
    }

    @Test
    void gpuBenchWithoutADeviceSaysWhy() {
        assumeTrue(CudaDriver.unavailableReason() != null, "a CUDA driver is present here");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        picocli.CommandLine cli = new picocli.CommandLine(new dev.aqlm.runtime.cli.RuntimeCli());
        cli.setErr(new java.io.PrintWriter(err, true));
        cli.setExecutionExceptionHandler((exception, cmd, parsed) -> {
            cmd.getErr().println("error: " + exception.getMessage());
            return 1;
        });
        int code = cli.execute("gpu-bench", "--shape", "tiny", "--json", "target/gpu-bench-test.json");
        assertEquals(1, code);
        assertTrue(err.toString().contains("CUDA backend is unavailable"), err.toString());
    }

    @Test
    void ropeTableMatchesTheInverseFrequencies() {
        RopeConfig rope = RopeConfig.llama3(500000, 8, 1, 4, 64);
        float[][] table = DeviceModel.ropeValues(rope, 32, 100);
        double[] inverse = rope.inverseFrequencies(32);
        assertEquals((float) Math.cos(99 * inverse[3]), table[0][99 * 16 + 3]);
        assertEquals((float) Math.sin(7 * inverse[15]), table[1][7 * 16 + 15]);
        assertEquals(1f, table[0][5]);
    }
}
