package dev.aqlm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * DeviceBuffer's synchronous copies are ordered with the context's (non-blocking) stream: work enqueued right after an
 * upload sees the uploaded values, and a download sees what the stream wrote before it. The plain driver copies run in
 * the legacy NULL stream and a pageable upload may return before its DMA lands, so without DeviceBuffer's context
 * synchronisations both checks can read stale memory (large buffers make the window wide).
 */
@Tag("gpu")
class CudaCopyOrderingTest extends CudaContextTestBase {
    private static final int FLOATS = 64 << 20; // 256 MiB

    @Test
    void streamWorkAfterAnUploadSeesTheUploadedValues() {
        try (DeviceMemoryPool pool = new DeviceMemoryPool(context)) {
            DeviceBuffer source = pool.allocate(4L * FLOATS, "source");
            DeviceBuffer target = pool.allocate(4L * FLOATS, "target");
            for (float value : new float[] {1.5f, -2.25f, 3.125f}) {
                float[] values = new float[FLOATS];
                Arrays.fill(values, value);
                source.upload(values, 0);
                // Stream work right after the upload, with no explicit synchronisation in between.
                CudaException.check(JCudaDriver.cuMemcpyDtoDAsync(target.at(0), source.at(0), 4L * FLOATS,
                        context.stream()), "device copy");
                context.synchronize("device copy");
                float[] back = new float[FLOATS];
                target.download(back, 0);
                assertEquals(value, back[0]);
                assertEquals(value, back[FLOATS / 2]);
                assertEquals(value, back[FLOATS - 1], "the end of a pageable upload must have landed");
            }
        }
    }

    @Test
    void aDownloadSeesWhatTheStreamWroteBeforeIt() {
        try (DeviceMemoryPool pool = new DeviceMemoryPool(context)) {
            DeviceBuffer buffer = pool.allocate(4L * FLOATS, "buffer");
            for (byte pattern : new byte[] {0x11, 0x22, 0x33}) {
                buffer.fill(pattern, 0, buffer.bytes(), context.stream());
                // No context.synchronize: download itself must wait for the stream.
                int[] back = new int[FLOATS];
                buffer.download(back, 0);
                int expected = (pattern & 0xFF) * 0x01010101;
                assertEquals(expected, back[0]);
                assertEquals(expected, back[FLOATS - 1]);
            }
        }
    }
}
