package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.checkpoint.TensorData;
import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.model.AqlmConfig;
import dev.aqlm.runtime.model.AqlmLinearWeights;
import dev.aqlm.runtime.model.CodebookIndices;
import dev.aqlm.runtime.model.DenseLinearWeights;
import dev.aqlm.runtime.model.LinearWeights;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A linear layer resident on the device: one or several checkpoint layers fused along the output rows (see
 * {@link FusedRows}), as dense 16-bit rows or as AQLM code words with one codebook set per fused layer, fp32 scales
 * and bias. The buffers belong to the model's {@link DeviceMemoryPool}.
 */
final class DeviceLinear {
    private final String label;
    private final LinearShape shape;
    private final DeviceAddress weights;
    private final DeviceAddress codebooks;
    private final DeviceAddress scales;
    private final DeviceAddress bias;
    private final long bytesRead;

    DeviceLinear(String label, LinearShape shape, DeviceAddress weights, DeviceAddress codebooks, DeviceAddress scales,
                 DeviceAddress bias, long bytesRead) {
        this.label = label;
        this.shape = shape;
        this.weights = weights;
        this.codebooks = codebooks;
        this.scales = scales;
        this.bias = bias;
        this.bytesRead = bytesRead;
    }

    public String label() {
        return label;
    }

    public LinearShape shape() {
        return shape;
    }

    /** Weight bytes one pass over this layer reads from device memory (codes, codebooks, scales, bias or rows). */
    public long bytesRead() {
        return bytesRead;
    }

    /** The arguments fixed by the weights; callers add input, output, rows and epilogue. */
    LinearArgs args() {
        LinearArgs args = new LinearArgs()
                .set(LinearArgs.Field.WEIGHTS, weights)
                .set(LinearArgs.Field.CODEBOOKS, codebooks)
                .set(LinearArgs.Field.SCALES, scales)
                .set(LinearArgs.Field.BIAS, bias)
                .set(LinearArgs.Field.N, shape.outFeatures())
                .set(LinearArgs.Field.K, shape.inFeatures());
        if (shape.isAqlm()) {
            CodeWordFormat codes = shape.codes();
            args.set(LinearArgs.Field.WORD_STRIDE, codes.wordsPerRow(shape.inFeatures()))
                    .set(LinearArgs.Field.CODEBOOK_COUNT, codes.codebooks())
                    .set(LinearArgs.Field.CODE_BITS, codes.bits())
                    .set(LinearArgs.Field.GROUP_SIZE, codes.groupSize())
                    .set(LinearArgs.Field.CODEBOOK_SETS, shape.codebookSets())
                    .set(LinearArgs.Field.SET_MODE, shape.setMode().code)
                    .set(LinearArgs.Field.SET_BOUND1, shape.setBounds()[0])
                    .set(LinearArgs.Field.SET_BOUND2, shape.setBounds()[1]);
        }
        return args;
    }

    /**
     * Enqueues y = this(x) for {@code rows} rows: plans the tile shape for the batch, adds the weight arguments to the
     * caller's (input, output, epilogue ...) and launches the kernel of this weight format.
     */
    public void launch(Kernels kernels, ActivationType type, LinearPlan.Limits limits, int rows, LinearArgs call) {
        LinearPlan plan = LinearPlan.plan(shape, rows, limits);
        LinearArgs merged = args().overriddenBy(call)
                .set(LinearArgs.Field.ROWS, rows).set(LinearArgs.Field.REPLICAS, plan.replicas());
        kernels.linear(type, shape, plan, merged,
                label + ": rows " + rows + ", n " + shape.outFeatures() + ", k " + shape.inFeatures());
    }

    /**
     * Uploads {@code parts} fused as {@code rows} says. All parts must share one format (all dense, or all AQLM with
     * the model's scheme) and one input size.
     */
    static DeviceLinear upload(DeviceMemoryPool pool, WeightUploader uploader, String label, List<LinearWeights> parts,
                               FusedRows rows, LinearShape.SetMode setMode, int[] setBounds) {
        int k = parts.get(0).inFeatures();
        boolean aqlm = parts.get(0) instanceof AqlmLinearWeights;
        for (LinearWeights part : parts) {
            if (part.inFeatures() != k || (part instanceof AqlmLinearWeights) != aqlm) {
                throw new AqlmException(label + ": cannot fuse " + part.name() + " with " + parts.get(0).name()
                        + " (the CUDA backend fuses layers of one format and input size; mixed dense/AQLM"
                        + " projections in one block are not supported)");
            }
        }
        int n = rows.rows();
        DeviceAddress biasAddress = uploadBias(pool, label, parts, rows);
        if (!aqlm) {
            DeviceBuffer weights = pool.allocate((long) n * k * 2, label + " weights");
            List<TensorData> tensors = new ArrayList<>();
            for (LinearWeights part : parts) {
                tensors.add(((DenseLinearWeights) part).weight());
            }
            uploader.uploadRows(weights, tensors, rows, k);
            return new DeviceLinear(label, LinearShape.dense(n, k), weights.address(), DeviceAddress.NULL,
                    DeviceAddress.NULL, biasAddress, weights.bytes() + (biasAddress.isNull() ? 0 : 4L * n));
        }
        AqlmConfig scheme = ((AqlmLinearWeights) parts.get(0)).scheme();
        CodeWordFormat format = CodeWordFormat.of(scheme);
        PackedCodes packed = new PackedCodes(format, n, k);
        float[] scales = new float[n];
        ByteArrayOutputStream books = new ByteArrayOutputStream();
        List<CodebookIndices> indices = new ArrayList<>();
        List<float[]> partScales = new ArrayList<>();
        for (LinearWeights part : parts) {
            AqlmLinearWeights layer = (AqlmLinearWeights) part;
            if (!layer.scheme().equals(scheme)) {
                throw new AqlmException(label + ": " + layer.name() + " uses AQLM " + layer.scheme().shortName()
                        + " but " + parts.get(0).name() + " uses " + scheme.shortName());
            }
            indices.add(CodebookIndices.read(layer));
            partScales.add(layer.scales().toFloats());
            books.writeBytes(uploader.encode(layer.codebooks()));
        }
        int groups = k / format.groupSize();
        for (int r = 0; r < n; r++) {
            int p = rows.part()[r];
            packed.putRow(r, indices.get(p)::get, rows.sourceRow()[r], groups);
            scales[r] = partScales.get(p)[rows.sourceRow()[r]];
        }
        DeviceBuffer codes = pool.allocate(packed.bytes().length, label + " codes");
        codes.upload(packed.bytes(), 0);
        byte[] bookBytes = books.toByteArray();
        DeviceBuffer codebooks = pool.allocate(bookBytes.length, label + " codebooks");
        codebooks.upload(bookBytes, 0);
        DeviceBuffer scaleBuffer = pool.allocate(4L * n, label + " scales");
        scaleBuffer.upload(scales, 0);
        LinearShape shape = new LinearShape(n, k, format, parts.size(), setMode, setBounds);
        return new DeviceLinear(label, shape, codes.address(), codebooks.address(), scaleBuffer.address(),
                biasAddress, codes.bytes() + codebooks.bytes() + scaleBuffer.bytes() + (biasAddress.isNull() ? 0 : 4L * n));
    }

    private static DeviceAddress uploadBias(DeviceMemoryPool pool, String label, List<LinearWeights> parts, FusedRows rows) {
        if (parts.stream().allMatch(p -> p.bias() == null)) {
            return DeviceAddress.NULL;
        }
        List<float[]> biases = new ArrayList<>();
        for (LinearWeights part : parts) {
            biases.add(part.bias() == null ? new float[part.outFeatures()] : part.bias().toFloats());
        }
        float[] combined = new float[rows.rows()];
        for (int r = 0; r < combined.length; r++) {
            combined[r] = biases.get(rows.part()[r])[rows.sourceRow()[r]];
        }
        DeviceBuffer buffer = pool.allocate(4L * combined.length, label + " bias");
        buffer.upload(combined, 0);
        return buffer.address();
    }

    /** A dense linear over an existing [n][k] buffer (tied lm_head = embedding table). */
    static DeviceLinear denseView(String label, DeviceBuffer weights, int n, int k) {
        return new DeviceLinear(label, LinearShape.dense(n, k), weights.address(), DeviceAddress.NULL,
                DeviceAddress.NULL, DeviceAddress.NULL, (long) n * k * 2);
    }

    /** A dense linear whose buffers were filled on the device (synthetic benchmark models). */
    static DeviceLinear of(String label, LinearShape shape, DeviceAddress weights, DeviceAddress codebooks,
                           DeviceAddress scales, long bytesRead) {
        return new DeviceLinear(label, shape, weights, codebooks, scales, DeviceAddress.NULL, bytesRead);
    }
}
