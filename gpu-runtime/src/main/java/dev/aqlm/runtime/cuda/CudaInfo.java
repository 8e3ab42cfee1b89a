package dev.aqlm.runtime.cuda;

import java.io.PrintStream;

/**
 * Whether the CUDA backend can run here and, if so, the visible devices ({@code bundle/run info}, {@code aqlm-spark
 * info}). Devices of the CUDA emulator say so in their name.
 */
public final class CudaInfo {
    private CudaInfo() {
    }

    public static void main(String[] args) {
        print(args.length > 0 ? Integer.parseInt(args[0]) : 0, System.out);
    }

    /** Prints the report; true when the backend is usable on that device ordinal. */
    public static boolean print(int ordinal, PrintStream out) {
        CudaAvailability availability = CudaAvailability.check(ordinal);
        if (!availability.usable()) {
            out.println("CUDA backend unavailable: " + availability.reason());
            return false;
        }
        for (CudaDevice device : CudaDevice.all()) {
            out.println(device.describe() + ", shared memory " + device.sharedMemoryPerBlock() + " B/block, "
                    + device.sharedMemoryPerSm() + " B/SM, L2 " + (device.l2Bytes() >> 20) + " MiB");
        }
        out.println("CUDA backend usable on " + availability.device().describe()
                + (availability.device().isEmulated() ? ": the CUDA emulator, which proves logic, never speed" : ""));
        return true;
    }
}
