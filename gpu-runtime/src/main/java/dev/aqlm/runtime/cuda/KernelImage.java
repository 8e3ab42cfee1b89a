package dev.aqlm.runtime.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The fatbin that kernels/build-fatbin.sh compiles (SASS for sm_80/86/89/90 plus PTX), read from the aqlm-kernels jar.
 * A jar built without nvcc carries a NO_FATBIN marker instead, which is reported as the reason.
 */
final class KernelImage {
    public static final String RESOURCE = "dev/aqlm/kernels/aqlm_kernels.fatbin";
    public static final String NO_FATBIN_MARKER = "dev/aqlm/kernels/NO_FATBIN";
    /** The release of the CUDA toolkit that built the fatbin (e.g. "13.0"), written by build-fatbin.sh. */
    public static final String TOOLKIT_VERSION = "dev/aqlm/kernels/aqlm_kernels.cuda-version";

    private static byte[] cached;

    private KernelImage() {
    }

    /** Null when the fatbin is present; otherwise why it is not. */
    public static String unavailableReason() {
        ClassLoader loader = KernelImage.class.getClassLoader();
        if (loader.getResource(RESOURCE) != null) {
            return null;
        }
        if (loader.getResource(NO_FATBIN_MARKER) != null) {
            return "the aqlm-kernels jar was built without nvcc, so it has no CUDA kernels"
                    + " (rebuild with the CUDA toolkit on PATH, or pass -Dkernels.nvcc=/path/to/nvcc)";
        }
        return "the CUDA kernels (" + RESOURCE + ") are not on the classpath; add the aqlm-kernels jar";
    }

    /** The toolkit release that built the fatbin, or null when the jar does not say. */
    public static String toolkitVersion() {
        try (InputStream in = KernelImage.class.getClassLoader().getResourceAsStream(TOOLKIT_VERSION)) {
            return in == null ? null : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Why the driver refused the fatbin ({@code result} from cuModuleLoadData, {@code driverVersion} from
     * cuDriverGetVersion), in words a user can act on.
     */
    static String rejectedReason(int result, int driverVersion, String toolkit, String device) {
        return "the CUDA driver (" + CudaErrors.driverVersion(driverVersion) + ") cannot load the kernels on " + device
                + " (cuModuleLoadData: " + CudaErrors.name(result) + "); they were built by "
                + (toolkit == null ? "a CUDA toolkit" : "CUDA " + toolkit) + ", which needs a driver of that CUDA"
                + " version or newer: update the NVIDIA driver, or rebuild aqlm-kernels with an older toolkit"
                + " (-Dkernels.nvcc=...)";
    }

    /** The fatbin bytes (read once). */
    public static synchronized byte[] bytes() {
        if (cached == null) {
            String reason = unavailableReason();
            if (reason != null) {
                throw new CudaUnavailableException(reason);
            }
            try (InputStream in = KernelImage.class.getClassLoader().getResourceAsStream(RESOURCE)) {
                cached = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + RESOURCE, e);
            }
        }
        return cached;
    }
}
