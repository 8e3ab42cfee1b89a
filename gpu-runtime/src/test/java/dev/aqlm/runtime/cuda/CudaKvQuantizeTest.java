package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aqlm.runtime.cpu.GroupQuantizer;
import dev.aqlm.runtime.engine.KvCacheFormat;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kv_quantize kernel against {@link GroupQuantizer} on the same 16-bit ring contents: every code and every fp16
 * scale and zero point of the packed blocks equal, bit for bit, for keys (per channel over a block of G tokens) and
 * values (per token over groups of channels). Rows whose position moves no block out of the residual window pack
 * nothing: their blocks keep the poison the code buffers start with.
 */
@Tag("gpu")
class CudaKvQuantizeTest extends CudaContextTestBase {
    private static final int SLOTS = 2;
    private static final int CONTEXT = 64;
    private static final int HEAD_DIM = 32;
    private static final int KV_DIM = 2 * HEAD_DIM;
    private static final int GROUP = 8;
    private static final int RESIDUAL = 8;
    private static final int RING = 24;
    private static final byte POISON = (byte) 0xA5;

    @ParameterizedTest
    @ValueSource(ints = {8, 4, 2})
    void packedBlocksMatchGroupQuantizerBitForBit(int bits) {
        KvCacheFormat format = new KvCacheFormat(bits, GROUP, RESIDUAL);
        DeviceKvLayout layout = new DeviceKvLayout(format, SLOTS - 1, CONTEXT, KV_DIM, HEAD_DIM, RING);
        // Row (slot, position): (0, 15) packs block 0 of slot 0; (1, 31) and (1, 23) pack blocks 2 and 1 of slot 1;
        // (0, 16) and (1, 7) cross no block boundary of the window.
        int[] slots = {0, 1, 0, 1, 1};
        int[] positions = {15, 31, 16, 23, 7};
        int[][] packed = {{0, 0}, {1, 2}, {1, 1}};  // {slot, block}
        Random random = new Random(2718 + bits);
        float[] ringKeys = new float[SLOTS * RING * KV_DIM];
        float[] ringValues = new float[ringKeys.length];
        for (int i = 0; i < ringKeys.length; i++) {
            // Channels of very different ranges (a KIVI outlier channel), and a constant channel (scale 0).
            int channel = i % KV_DIM;
            float range = channel == 3 ? 40f : channel == 5 ? 0f : 1f + channel % 7;
            ringKeys[i] = TestTensors.rounded((float) random.nextGaussian() * range + (channel == 5 ? 1.5f : 0f),
                    ActivationType.F16);
            ringValues[i] = TestTensors.rounded((float) random.nextGaussian() * (1 + channel % 3), ActivationType.F16);
        }
        try (DeviceMemoryPool pool = new DeviceMemoryPool(context)) {
            DeviceBuffer keyCodes = poisoned(pool, layout.keyCodeBytes(), "key codes");
            DeviceBuffer keyParams = poisoned(pool, layout.keyParamBytes(), "key params");
            DeviceBuffer valueCodes = poisoned(pool, layout.valueCodeBytes(), "value codes");
            DeviceBuffer valueParams = poisoned(pool, layout.valueParamBytes(), "value params");
            KvCacheView view = new KvCacheView(
                    CudaAttentionKernelTest.upload16(pool, ringKeys, ActivationType.F16, "ring keys").address(),
                    CudaAttentionKernelTest.upload16(pool, ringValues, ActivationType.F16, "ring values").address(),
                    keyCodes.address(), keyParams.address(), valueCodes.address(), valueParams.address(), layout);
            new Kernels(context).kvQuantize(ActivationType.F16, slots.length, view,
                    CudaAttentionKernelTest.uploadInts(pool, slots, "slots").address(),
                    CudaAttentionKernelTest.uploadInts(pool, positions, "positions").address(), "kv_quantize test");
            context.synchronize("kv_quantize test");

            Expected expected = new Expected(layout, bits);
            for (int[] block : packed) {
                expected.pack(block[0], block[1], ringKeys, ringValues);
            }
            assertArrayEquals(expected.keyCodes, bytes(keyCodes), bits + "-bit key codes");
            assertArrayEquals(expected.keyParams, bytes(keyParams), bits + "-bit key scales and zeros");
            assertArrayEquals(expected.valueCodes, bytes(valueCodes), bits + "-bit value codes");
            assertArrayEquals(expected.valueParams, bytes(valueParams), bits + "-bit value scales and zeros");
        }
    }

    /** What the device buffers must hold: GroupQuantizer's output for the packed blocks, poison elsewhere. */
    private static final class Expected {
        final DeviceKvLayout layout;
        final GroupQuantizer quantizer;
        final byte[] keyCodes;
        final byte[] keyParams;
        final byte[] valueCodes;
        final byte[] valueParams;

        Expected(DeviceKvLayout layout, int bits) {
            this.layout = layout;
            this.quantizer = new GroupQuantizer(bits);
            this.keyCodes = filled(layout.keyCodeBytes());
            this.keyParams = filled(layout.keyParamBytes());
            this.valueCodes = filled(layout.valueCodeBytes());
            this.valueParams = filled(layout.valueParamBytes());
        }

        void pack(int slot, int block, float[] ringKeys, float[] ringValues) {
            int bits = layout.format().bits();
            for (int channel = 0; channel < KV_DIM; channel++) {
                float[] group = new float[GROUP];
                for (int t = 0; t < GROUP; t++) {
                    group[t] = ringKeys[ringRow(slot, block * GROUP + t) + channel];
                }
                int index = (slot * layout.blocks() + block) * KV_DIM + channel;
                quantizeInto(group, keyCodes, index * GROUP * bits / 8, keyParams, index);
            }
            int valueGroup = layout.valueGroup();
            for (int t = 0; t < GROUP; t++) {
                int position = block * GROUP + t;
                for (int g = 0; g < KV_DIM / valueGroup; g++) {
                    float[] group = new float[valueGroup];
                    System.arraycopy(ringValues, ringRow(slot, position) + g * valueGroup, group, 0, valueGroup);
                    int first = (slot * CONTEXT + position) * KV_DIM + g * valueGroup;
                    quantizeInto(group, valueCodes, first * bits / 8, valueParams, first / valueGroup);
                }
            }
        }

        private void quantizeInto(float[] group, byte[] codes, int codeByte, byte[] params, int paramIndex) {
            byte[] packed = new byte[group.length * layout.format().bits() / 8];
            short[] scale = new short[1];
            short[] zero = new short[1];
            quantizer.quantize(group, 0, 1, group.length, packed, 0, scale, zero, 0);
            System.arraycopy(packed, 0, codes, codeByte, packed.length);
            putShort(params, 4 * paramIndex, scale[0]);
            putShort(params, 4 * paramIndex + 2, zero[0]);
        }

        private static int ringRow(int slot, int position) {
            return (slot * RING + position % RING) * KV_DIM;
        }
    }

    private static void putShort(byte[] bytes, int at, short value) {
        bytes[at] = (byte) value;
        bytes[at + 1] = (byte) (value >> 8);
    }

    private static byte[] filled(long length) {
        byte[] bytes = new byte[(int) length];
        java.util.Arrays.fill(bytes, POISON);
        return bytes;
    }

    private static DeviceBuffer poisoned(DeviceMemoryPool pool, long bytes, String label) {
        DeviceBuffer buffer = pool.allocate(bytes, label);
        buffer.fill(POISON, 0, bytes, context.stream());
        return buffer;
    }

    private static byte[] bytes(DeviceBuffer buffer) {
        assertEquals(0, buffer.bytes() % 2, buffer.label());
        short[] shorts = new short[(int) (buffer.bytes() / 2)];
        buffer.download(shorts, 0);
        byte[] bytes = new byte[2 * shorts.length];
        for (int i = 0; i < shorts.length; i++) {
            putShort(bytes, 2 * i, shorts[i]);
        }
        return bytes;
    }
}
