package dev.aqlm.runtime.cuda;

import java.util.ArrayList;
import java.util.List;

/** Owns every buffer of one resident model (weights, cache, workspace) and frees them together, newest first. */
final class DeviceMemoryPool implements AutoCloseable {
    private final CudaContext context;
    private final List<DeviceBuffer> buffers = new ArrayList<>();

    public DeviceMemoryPool(CudaContext context) {
        this.context = context;
    }

    public DeviceBuffer allocate(long bytes, String label) {
        DeviceBuffer buffer = context.allocate(bytes, label);
        buffers.add(buffer);
        return buffer;
    }

    public long bytes() {
        return buffers.stream().mapToLong(DeviceBuffer::bytes).sum();
    }

    @Override
    public void close() {
        for (int i = buffers.size() - 1; i >= 0; i--) {
            buffers.get(i).close();
        }
        buffers.clear();
    }
}
