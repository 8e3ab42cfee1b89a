package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The host mirrors of CUDA-side layouts agree with the CUDA sources, and every kernel the runtime names exists. */
class KernelSourceContractTest {
    private static Path cudaSource(String file) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("kernels/src/main/cuda").resolve(file);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("kernels/src/main/cuda/" + file + " not found above the working directory");
    }

    private static String read(String file) throws IOException {
        return Files.readString(cudaSource(file));
    }

    private static String structBody(String source, String name) {
        int start = source.indexOf("struct " + name + " {");
        assertTrue(start >= 0, "struct " + name + " not found");
        return source.substring(source.indexOf('{', start) + 1, source.indexOf("};", start));
    }

    @Test
    void linearArgsFieldsMatchTheCudaStructInOrderAndWidth() throws IOException {
        List<String> names = eightByteFields(read("linear.cu"), "LinearArgs").stream()
                .map(name -> name.toUpperCase(Locale.ROOT)).toList();
        List<String> java = Arrays.stream(LinearArgs.Field.values()).map(Enum::name).toList();
        assertEquals(java, names);
        assertEquals(8 * names.size(), new LinearArgs().toBytes().length);
    }

    @Test
    void kvCacheViewFieldsMatchTheCudaStructInOrder() throws IOException {
        String source = read("attention.cu");
        List<String> names = eightByteFields(source, "KvCacheView");
        assertEquals(KvCacheView.FIELDS, names);
        assertEquals(KvCacheView.FIELDS.size(), assertedInt(source, "sizeof\\(KvCacheView\\) == (\\d+) \\* 8"));
        assertEquals(8 * names.size(), KvCacheView.BYTES);
    }

    /** The field names of a struct whose every field is a pointer or a long long (8 bytes each), in order. */
    private static List<String> eightByteFields(String source, String struct) {
        String body = structBody(source, struct).replaceAll("//[^\n]*", "");
        List<String> names = new ArrayList<>();
        for (String declaration : body.split(";")) {
            String text = declaration.trim();
            if (text.isEmpty()) {
                continue;
            }
            assertTrue(text.contains("*") || text.startsWith("long long"), struct + ": not an 8-byte field: " + text);
            String fields = text.substring(text.lastIndexOf('*') >= 0 && !text.startsWith("long long")
                    ? text.lastIndexOf('*') + 1 : "long long".length());
            for (String field : fields.split(",")) {
                names.add(field.trim());
            }
        }
        return names;
    }

    /** The sizes and offsets linear.cu, sampling.cu and attention.cu assert at compile time are the host's. */
    @Test
    void compileTimeLayoutAssertionsMatchTheHostMirrors() throws IOException {
        String linear = read("linear.cu");
        assertEquals(LinearArgs.Field.values().length,
                assertedInt(linear, "sizeof\\(LinearArgs\\) == (\\d+) \\* 8"), "LinearArgs slots");
        assertEquals(LinearArgs.Field.ROWS.ordinal(),
                assertedInt(linear, "offsetof\\(LinearArgs, rows\\) == (\\d+) \\* 8"), "slot of rows");
        assertEquals(LinearArgs.Field.CONTEXT.ordinal(),
                assertedInt(linear, "offsetof\\(LinearArgs, context\\) == (\\d+) \\* 8"), "slot of context");
        String sampling = read("sampling.cu");
        assertEquals(SamplingRows.BYTES, assertedInt(sampling, "sizeof\\(SamplingRow\\) == (\\d+)"));
        assertEquals(24, assertedInt(sampling, "offsetof\\(SamplingRow, top_k\\) == (\\d+)"), "SamplingRows.put");
        assertEquals(28, assertedInt(sampling, "offsetof\\(SamplingRow, position\\) == (\\d+)"),
                "SamplingRows.put");
        assertEquals(32, assertedInt(sampling, "offsetof\\(SamplingRow, min_p\\) == (\\d+)"), "SamplingRows.put");
        assertEquals(BatchInputs.Section.PREFILL_TILES.bytesPerRow,
                assertedInt(read("attention.cu"), "sizeof\\(PrefillTile\\) == (\\d+)"));
    }

    /** tensor_parallel.cu's constants and argument struct are TensorParallelExchange's. */
    @Test
    void exchangeLayoutMatchesTensorParallelExchange() throws IOException {
        String source = read("tensor_parallel.cu");
        assertEquals(TensorParallelExchange.MAX_SHARDS, constant(source, "kMaxShards"));
        assertEquals(TensorParallelExchange.BLOCKS, constant(source, "kExchangeBlocks"));
        assertTrue(source.contains("__launch_bounds__(" + TensorParallelExchange.THREADS + ")"), "block size");
        String flags = structBody(source, "ExchangeFlags").replaceAll("//[^\n]*", "");
        assertEquals(List.of("arrive[kExchangeBlocks][kMaxShards]", "leave[kExchangeBlocks][kMaxShards]",
                "epoch[kExchangeBlocks]"), Arrays.stream(flags.split(";")).map(String::trim)
                .filter(f -> !f.isEmpty()).map(f -> f.replace("unsigned int ", "")).toList(), "ExchangeFlags");
        assertEquals(TensorParallelExchange.ARG_SLOTS, 2 * TensorParallelExchange.MAX_SHARDS + assertedInt(source,
                "sizeof\\(ExchangeArgs\\) == \\(2 \\* kMaxShards \\+ (\\d+)\\) \\* 8"), "ExchangeArgs slots");
    }

    private static int constant(String source, String name) {
        Matcher m = Pattern.compile("constexpr int " + name + " = (\\d+);").matcher(source);
        assertTrue(m.find(), name);
        return Integer.parseInt(m.group(1));
    }

    private static int assertedInt(String source, String regex) {
        Matcher m = Pattern.compile("static_assert\\([^;]*" + regex).matcher(source);
        assertTrue(m.find(), "no static_assert matching " + regex);
        return Integer.parseInt(m.group(1));
    }

    @Test
    void tileShapesMatchLinearTile() throws IOException {
        String source = read("linear.cu");
        for (LinearTile tile : LinearTile.values()) {
            String alias = tile == LinearTile.SMALL ? "SmallTile" : "LargeTile";
            Matcher m = Pattern.compile("using " + alias + " = TileShape<(\\d+), (\\d+), (\\d+), (\\d+), (\\d+), (\\d+)>")
                    .matcher(source);
            assertTrue(m.find(), alias);
            assertEquals(tile.rowsPerTile, Integer.parseInt(m.group(1)), alias + " BM");
            assertEquals(tile.outputsPerTile, Integer.parseInt(m.group(2)), alias + " BN");
            assertEquals(tile.kTile, Integer.parseInt(m.group(3)), alias + " BK");
            assertEquals(LinearTile.THREADS, 32 * Integer.parseInt(m.group(4)) * Integer.parseInt(m.group(5)), alias);
            assertEquals(tile.stages, Integer.parseInt(m.group(6)), alias + " stages");
        }
    }

    @Test
    void epilogueAndSetModeCodesMatch() throws IOException {
        String source = read("linear.cu");
        for (LinearArgs.Epilogue epilogue : LinearArgs.Epilogue.values()) {
            String camel = switch (epilogue) {
                case STORE -> "kStore";
                case STORE_F32 -> "kStoreF32";
                case ADD_RESIDUAL -> "kAddResidual";
                case SWIGLU -> "kSwiGlu";
                case QKV_ROPE -> "kQkvRope";
            };
            assertTrue(source.contains(camel + " = " + epilogue.code + ","), camel);
        }
        assertTrue(source.contains("kSingleSet = " + LinearShape.SetMode.SINGLE.code));
        assertTrue(source.contains("kSetRanges = " + LinearShape.SetMode.RANGES.code));
        assertTrue(source.contains("kSetInterleaved = " + LinearShape.SetMode.INTERLEAVED.code));
    }

    @Test
    void samplingRowLayoutMatches() throws IOException {
        String body = structBody(read("sampling.cu"), "SamplingRow").replaceAll("\\s+", " ").trim();
        assertEquals("double temperature; double top_p; long long seed; int top_k; int position; double min_p;", body);
        assertEquals(40, SamplingRows.BYTES);
    }

    @Test
    void attentionConstantsMatch() throws IOException {
        String source = read("attention.cu");
        assertTrue(source.contains("kDecodeThreads = " + AttentionPlan.DECODE_THREADS + ";"));
        assertTrue(source.contains("kPrefillQueries = " + AttentionPlan.PREFILL_QUERIES + ";"));
        assertTrue(source.contains("kPrefillKeys = " + AttentionPlan.PREFILL_KEYS + ";"));
        assertTrue(source.contains("kMaxGroup = " + AttentionPlan.MAX_GROUP + ";"));
        assertTrue(source.contains("kMaxDimsPerThread = " + AttentionPlan.MAX_HEAD_DIM / 4 + ";"));
        assertTrue(source.contains("kMaxDimsPerLane = " + AttentionPlan.MAX_HEAD_DIM / 32 + ";"));
    }

    @Test
    void moeRoutingLimitMatches() throws IOException {
        assertTrue(read("moe.cu").contains("kMaxExperts = " + MoePlan.MAX_EXPERTS + ";"));
    }

    @Test
    void everyKernelTheRuntimeLaunchesIsInTheFatbin() {
        assumeTrue(KernelImage.unavailableReason() == null, "no fatbin in this build: " + KernelImage.unavailableReason());
        String image = new String(KernelImage.bytes(), StandardCharsets.ISO_8859_1);
        for (String name : KernelNames.all()) {
            assertTrue(image.contains(name + "\0"), name + " is not in " + KernelImage.RESOURCE);
        }
    }
}
