package dev.aqlm.runtime.cuda;

/** Prints whether the CUDA backend can run here and, if so, the visible devices ({@code bundle/run info}). */
public final class CudaInfo {
    private CudaInfo() {
    }

    public static void main(String[] args) {
        CudaAvailability availability = CudaAvailability.check(args.length > 0 ? Integer.parseInt(args[0]) : 0);
        if (!availability.usable()) {
            System.out.println("CUDA backend unavailable: " + availability.reason());
            return;
        }
        for (CudaDevice device : CudaDevice.all()) {
            System.out.println(device.describe() + ", shared memory " + device.sharedMemoryPerBlock() + " B/block, "
                    + device.sharedMemoryPerSm() + " B/SM, L2 " + (device.l2Bytes() >> 20) + " MiB");
        }
        System.out.println("CUDA backend usable on " + availability.device().describe());
    }
}
