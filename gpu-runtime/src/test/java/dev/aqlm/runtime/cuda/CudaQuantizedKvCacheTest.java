package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.checkpoint.Checkpoint;
import dev.aqlm.runtime.cpu.CpuBackend;
import dev.aqlm.runtime.engine.Backend;
import dev.aqlm.runtime.engine.ChunkOutput;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.KvCacheFormat;
import dev.aqlm.runtime.engine.SequenceChunk;
import dev.aqlm.runtime.engine.SlotCapacity;
import dev.aqlm.runtime.model.ModelWeights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CUDA backend with a quantized KV cache against the CPU backend with the same format. Groups of 8 and a residual
 * window of 8 make the fixtures' short sequences really quantize: an 80-token prompt in two chunks (prefill tiles whose
 * queries disagree on where their window starts, and a second pass reading the first one's packed blocks), then
 * one-token steps, each packing a block every 8 positions. Both backends round the same way (GroupQuantizer and
 * kv_quantize; CudaKvQuantizeTest and CudaQuantizedAttentionKernelTest check the kernels on identical inputs), but
 * here each backend quantizes its own keys and values: the GPU's carry the 16-bit rounding of everything before them
 * (about 1e-3 relative), and a code whose value sits that close to a rounding boundary lands one step away. A step is
 * range / 255 at 8 bits but range / 3 at 2 bits, so the GPU tolerance (1e-2 of the logit scale) is widened by the code
 * step: x2 at 4 bits, x5 at 2 bits. What is compared is the quantized cache, not two full-precision ones: at 4 and 2
 * bits the GPU is closer to the CPU's quantized logits than the CPU's own 16-bit cache is.
 */
@Tag("gpu")
class CudaQuantizedKvCacheTest {
    private static final double LOGIT_TOLERANCE = 1e-2;
    private static final int CONTEXT = 128;
    private static final int PROMPT = 80;
    private static final int STEPS = 12;

    private static KvCacheFormat small(int bits) {
        return new KvCacheFormat(bits, 8, 8);
    }

    private static EngineOptions cuda(KvCacheFormat format) {
        return EngineOptions.DEFAULTS.withBackend(EngineOptions.BackendKind.CUDA).withSlots(2)
                .withContextLength(CONTEXT).withKvCache(format);
    }

    /** The fixture's golden prompts, repeated up to {@code length} tokens. */
    private static int[] tokens(String model, int length) {
        List<Integer> all = new ArrayList<>();
        while (all.size() < length) {
            for (Fixtures.GoldenPrompt prompt : Fixtures.goldenPrompts(model)) {
                Arrays.stream(prompt.inputIds()).forEach(all::add);
            }
        }
        return all.subList(0, length).stream().mapToInt(Integer::intValue).toArray();
    }

    /** Logits of every position: the prompt in two chunks, then one-token chunks of the CPU's greedy tokens. */
    private static float[][] logits(Backend backend, int[] prompt, int[] steps) {
        List<float[]> rows = new ArrayList<>();
        int split = 50;
        rows.addAll(Arrays.asList(backend.forward(List.of(new SequenceChunk(0, 0, Arrays.copyOf(prompt, split),
                ChunkOutput.ALL_LOGITS))).get(0).logits()));
        rows.addAll(Arrays.asList(backend.forward(List.of(new SequenceChunk(0, split,
                Arrays.copyOfRange(prompt, split, prompt.length), ChunkOutput.ALL_LOGITS))).get(0).logits()));
        for (int i = 0; i < steps.length; i++) {
            rows.add(backend.forward(List.of(new SequenceChunk(0, prompt.length + i, new int[] {steps[i]},
                    ChunkOutput.ALL_LOGITS))).get(0).logits()[0]);
        }
        return rows.toArray(new float[0][]);
    }

    private static int[] argmaxes(float[][] logits, int from, int count) {
        int[] tokens = new int[count];
        for (int i = 0; i < count; i++) {
            float[] row = logits[from + i];
            for (int v = 1; v < row.length; v++) {
                if (row[v] > row[tokens[i]]) {
                    tokens[i] = v;
                }
            }
        }
        return tokens;
    }

    @ParameterizedTest(name = "{0} {1}-bit")
    @CsvSource({"llama-tiny-fp16, 8", "llama-tiny-fp16, 4", "llama-tiny-fp16, 2", "llama-tiny-aqlm-2x8, 4",
            "llama-tiny-aqlm-2x8, 2", "llama-tiny-bf16-llama3rope, 4"})
    void logitsMatchTheCpuWithTheSameQuantizedCache(String model, int bits) {
        GpuTests.requireDevice();
        KvCacheFormat format = small(bits);
        int[] prompt = tokens(model, PROMPT);
        try (Checkpoint checkpoint = Checkpoint.open(Fixtures.model(model))) {
            ModelWeights weights = CudaBackendFixtureTest.load(checkpoint, model);
            try (CpuBackend cpu = new CpuBackend(weights, 1, CONTEXT, 2, format);
                 CpuBackend cpu16 = new CpuBackend(weights, 1, CONTEXT, 2, KvCacheFormat.FULL_PRECISION);
                 CudaBackend gpu = CudaBackend.open(weights, cuda(format))) {
                // The steps feed the CPU's greedy choices: first from a prompt-only pass, then each step's own.
                int[] steps = new int[STEPS];
                float[][] expected = logits(cpu, prompt, steps);
                for (int i = 0; i < STEPS; i++) {
                    steps[i] = argmaxes(expected, PROMPT - 1 + i, 1)[0];
                    expected = logits(cpu, prompt, steps);
                }
                float[][] actual = logits(gpu, prompt, steps);
                double error = Fixtures.relativeMaxError(actual, expected);
                double quantization = Fixtures.relativeMaxError(logits(cpu16, prompt, steps), expected);
                System.out.printf("%s %d-bit KV: GPU vs CPU %.3g, CPU 16-bit vs %d-bit %.3g of the logit scale%n",
                        model, bits, error, bits, quantization);
                double tolerance = LOGIT_TOLERANCE * (bits == 8 ? 1 : bits == 4 ? 2 : 5);
                assertTrue(error <= tolerance, model + " " + bits + "-bit: GPU vs CPU " + error);
                if (bits < 8) {
                    assertTrue(error < quantization, bits + "-bit codes change the logits more than the GPU and CPU"
                            + " differ (" + quantization + " vs " + error + ")");
                }
            }
        }
    }

    @Test
    void aPromptLongerThanTheRingIsCutAcrossPassesAndMatchesTheCpu() {
        GpuTests.requireDevice();
        String model = "llama-tiny-fp16";
        KvCacheFormat format = small(4);
        int context = 384;
        int[] prompt = tokens(model, 300);
        EngineOptions options = cuda(format).withContextLength(context);
        int passRows = DeviceCacheSizing.passRows(options, 2);
        int ring = DeviceKvLayout.ringPositions(format, context, passRows);
        assertTrue(ring < prompt.length && passRows > ring, "the ring (" + ring + ") must be shorter than both the"
                + " prompt and a pass (" + passRows + " rows) for this test to cut the prompt");
        try (Checkpoint checkpoint = Checkpoint.open(Fixtures.model(model))) {
            ModelWeights weights = CudaBackendFixtureTest.load(checkpoint, model);
            try (CpuBackend cpu = new CpuBackend(weights, 1, context, 2, format);
                 CudaBackend gpu = CudaBackend.open(weights, options)) {
                SequenceChunk whole = new SequenceChunk(0, 0, prompt, ChunkOutput.ALL_LOGITS);
                float[][] expected = cpu.forward(List.of(whole)).get(0).logits();
                float[][] actual = gpu.forward(List.of(whole)).get(0).logits();
                double error = Fixtures.relativeMaxError(actual, expected);
                System.out.printf("%s 4-bit KV, %d-token prompt in one chunk, ring %d: GPU vs CPU %.3g%n", model,
                        prompt.length, ring, error);
                assertTrue(error <= 2 * LOGIT_TOLERANCE, "GPU vs CPU " + error);
            }
        }
    }

    @Test
    void aRewoundSlotReadsItsPackedPositionsAsTheCpuDoes() {
        // --max-prefill-tokens 1 makes passes of 64 prompt rows plus the decode bucket, so the ring is about 82
        // positions of a 256-position slot: a 200-token sequence overwrites the ring entries of positions 104..117,
        // which a sequence rewound to position 120 reads in full precision again (its window starts at 104).
        GpuTests.requireDevice();
        String model = "llama-tiny-fp16";
        KvCacheFormat format = small(4);
        int[] first = tokens(model, 200);
        int[] second = Arrays.copyOfRange(tokens(model, 230), 200, 230);
        int context = 256;
        try (Checkpoint checkpoint = Checkpoint.open(Fixtures.model(model))) {
            ModelWeights weights = CudaBackendFixtureTest.load(checkpoint, model);
            try (CpuBackend cpu = new CpuBackend(weights, 1, context, 2, format);
                 CudaBackend gpu = CudaBackend.open(weights, cuda(format).withContextLength(context)
                         .withMaxPrefillTokens(1))) {
                List<float[][]> results = new ArrayList<>();
                for (Backend backend : List.<Backend>of(cpu, gpu)) {
                    backend.forward(List.of(new SequenceChunk(0, 0, first, ChunkOutput.ALL_LOGITS)));
                    results.add(backend.forward(List.of(new SequenceChunk(0, 120, second, ChunkOutput.ALL_LOGITS)))
                            .get(0).logits());
                }
                double error = Fixtures.relativeMaxError(results.get(1), results.get(0));
                System.out.printf("rewound slot, 4-bit KV: GPU vs CPU %.3g of the logit scale%n", error);
                assertTrue(error <= 2 * LOGIT_TOLERANCE, "rewound slot: GPU vs CPU " + error);
            }
        }
    }

    @Test
    void graphsOnAndOffAndEightBitsGiveTheSameTokensAsSixteen() {
        GpuTests.requireDevice();
        String model = "llama-tiny-fp16";
        int[] prompt = tokens(model, 40);
        try (Checkpoint checkpoint = Checkpoint.open(Fixtures.model(model))) {
            ModelWeights weights = CudaBackendFixtureTest.load(checkpoint, model);
            int[] sixteen = generate(weights, cuda(KvCacheFormat.FULL_PRECISION), prompt);
            int[] eight = generate(weights, cuda(small(8)), prompt);
            int[] fourGraphs = generate(weights, cuda(small(4)), prompt);
            int[] fourEager = generate(weights, cuda(small(4)).withCudaGraphs(false), prompt);
            assertArrayEquals(sixteen, eight, "8-bit KV cache vs 16-bit, greedy");
            assertArrayEquals(fourGraphs, fourEager, "4-bit KV cache, graph-replayed vs eager decode steps");
        }
    }

    private static int[] generate(ModelWeights weights, EngineOptions options, int[] prompt) {
        try (CudaBackend backend = CudaBackend.open(weights, options)) {
            return CudaBackendFixtureTest.generate(backend, prompt, 30);
        }
    }

    @Test
    void slotsAutoSizesTheQuantizedCacheFromFreeDeviceMemory() {
        GpuTests.requireDevice();
        String model = "llama-tiny-fp16";
        int[] prompt = tokens(model, 24);
        try (Checkpoint checkpoint = Checkpoint.open(Fixtures.model(model))) {
            ModelWeights weights = CudaBackendFixtureTest.load(checkpoint, model);
            try (CudaBackend backend = CudaBackend.open(weights, cuda(small(4)).withSlots(EngineOptions.AUTO_SLOTS))) {
                // A tiny model's slot of 128 positions is a few KiB: the device holds the most auto takes.
                assertEquals(SlotCapacity.AUTO_MAX_SLOTS, backend.slotCount());
                assertEquals(CONTEXT, backend.contextLength());
                assertTrue(backend.description().contains("4-bit KV"), backend.description());
                // The last slot works like the first (a cache sized for every slot, not just one).
                int last = backend.slotCount() - 1;
                int[] first = CudaBackendFixtureTest.generate(backend, prompt, 20);
                assertArrayEquals(first, generateIn(backend, last, prompt, 20), "slot " + last + " vs slot 0");
            }
        }
    }

    private static int[] generateIn(Backend backend, int slot, int[] prompt, int count) {
        ChunkOutput greedy = new ChunkOutput.NextToken(dev.aqlm.runtime.engine.SamplingParams.GREEDY);
        int[] tokens = new int[count];
        tokens[0] = backend.forward(List.of(new SequenceChunk(slot, 0, prompt, greedy))).get(0).nextToken();
        for (int i = 1; i < count; i++) {
            tokens[i] = backend.forward(List.of(new SequenceChunk(slot, prompt.length + i - 1,
                    new int[] {tokens[i - 1]}, greedy))).get(0).nextToken();
        }
        return tokens;
    }

    @Test
    void tensorParallelShardsQuantizeTheirOwnHeadsLikeOneDevice() {
        GpuTests.requireDevice();
        assumeTrue(CudaDevice.all().size() >= 2, "needs 2 CUDA devices (the emulator in the build has 4)");
        String model = "llama-tiny-aqlm-2x8";
        int[] prompt = tokens(model, PROMPT);
        try (Checkpoint checkpoint = Checkpoint.open(Fixtures.model(model))) {
            ModelWeights weights = CudaBackendFixtureTest.load(checkpoint, model);
            try (CudaBackend single = CudaBackend.open(weights, cuda(small(4)));
                 CudaBackend sharded = CudaBackend.open(weights, cuda(small(4)).withTensorParallel(2))) {
                int[] steps = argmaxes(logits(single, prompt, new int[0]), PROMPT - 1, 1);
                double error = Fixtures.relativeMaxError(logits(sharded, prompt, steps), logits(single, prompt, steps));
                assertTrue(error <= LOGIT_TOLERANCE, "TP-2 vs one device, 4-bit KV: " + error);
            }
        }
    }
}
