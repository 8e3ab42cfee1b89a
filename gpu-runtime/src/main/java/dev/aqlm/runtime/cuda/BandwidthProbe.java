package dev.aqlm.runtime.cuda;

import java.util.Arrays;

/**
 * The device's measured memory bandwidth: a large device-to-device copy timed with events, counting bytes read plus
 * bytes written (the ceiling a memory-bound kernel is compared with, rather than a datasheet figure).
 */
final class BandwidthProbe {
    private BandwidthProbe() {
    }

    /** Bytes per second; copies {@code bytes} (e.g. 1 GiB) {@code repeats} times after a warm-up and takes the median. */
    public static double copyBandwidth(CudaContext context, long bytes, int repeats) {
        context.makeCurrent();
        try (DeviceMemoryPool pool = new DeviceMemoryPool(context);
             CudaEvent start = new CudaEvent();
             CudaEvent end = new CudaEvent()) {
            DeviceBuffer source = pool.allocate(bytes, "bandwidth probe source");
            DeviceBuffer target = pool.allocate(bytes, "bandwidth probe target");
            source.fill((byte) 0x5A, 0, bytes, context.stream());
            copy(context, source, target, bytes);
            double[] seconds = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                start.record(context.stream());
                copy(context, source, target, bytes);
                end.record(context.stream());
                seconds[i] = end.millisSince(start) / 1e3;
            }
            Arrays.sort(seconds);
            return 2.0 * bytes / seconds[repeats / 2];
        }
    }

    private static void copy(CudaContext context, DeviceBuffer source, DeviceBuffer target, long bytes) {
        CudaException.check(jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync(target.at(0), source.at(0), bytes,
                context.stream()), "device-to-device copy of " + bytes + " bytes");
    }
}
