package dev.aqlm.runtime.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the tensor-parallel shards of one model meet (kernels/src/main/cuda/tensor_parallel.cu): per shard an fp32
 * partial buffer, which its row-parallel layers and its lm_head slice write, and the flags of its barriers. Where all
 * the shards' devices reach each other (peer access, or one device), each shard's buffers are in its own device
 * memory; otherwise all of them are in portable pinned host memory that every device reads over PCIe.
 */
final class TensorParallelExchange implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TensorParallelExchange.class);
    /** kMaxShards, kExchangeBlocks and the block size of tensor_parallel.cu. */
    static final int MAX_SHARDS = 8;
    static final int BLOCKS = 32;
    static final int THREADS = 512;
    /** sizeof(ExchangeFlags): arrive and leave [blocks][max shards] and epoch [blocks], 4-byte counters. */
    static final long FLAG_BYTES = 4L * (2L * BLOCKS * MAX_SHARDS + BLOCKS);
    /** 8-byte slots of ExchangeArgs: the partials and flags tables, the output, then rank, shards, rows, width, total, mode. */
    static final int ARG_SLOTS = 2 * MAX_SHARDS + 7;

    private final List<DeviceAddress> partials;
    private final List<DeviceAddress> flags;
    private final List<PinnedHostBuffer> hostBuffers;

    private TensorParallelExchange(List<DeviceAddress> partials, List<DeviceAddress> flags,
                                   List<PinnedHostBuffer> hostBuffers) {
        this.partials = partials;
        this.flags = flags;
        this.hostBuffers = hostBuffers;
    }

    /**
     * Buffers for shards on {@code contexts} (one per shard, in rank order; shards on one device share its context),
     * each partial holding {@code partialFloats} floats. Enables peer access between every pair of devices first.
     * Device buffers come from the shards' {@code pools} (freed with them); pinned host ones belong to the exchange.
     */
    static TensorParallelExchange allocate(List<CudaContext> contexts, List<DeviceMemoryPool> pools,
                                           long partialFloats) {
        if (contexts.size() > MAX_SHARDS) {
            throw new IllegalArgumentException("at most " + MAX_SHARDS + " tensor-parallel shards on CUDA, got "
                    + contexts.size());
        }
        boolean peers = contexts.stream().allMatch(a -> contexts.stream().allMatch(a::canReach));
        List<DeviceAddress> partials = new ArrayList<>();
        List<DeviceAddress> flags = new ArrayList<>();
        List<PinnedHostBuffer> hostBuffers = new ArrayList<>();
        try {
            if (peers) {
                for (CudaContext from : contexts) {
                    contexts.forEach(from::enablePeerAccess);
                }
            } else {
                LOG.warn("tensor parallel: {} cannot all reach each other's memory (no peer access); the shards"
                        + " exchange through pinned host memory, which is slower", contexts.stream()
                        .map(c -> c.device().describe()).distinct().toList());
            }
            for (int rank = 0; rank < contexts.size(); rank++) {
                CudaContext context = contexts.get(rank);
                context.makeCurrent();
                long bytes = 4L * partialFloats + FLAG_BYTES;
                if (peers) {
                    DeviceBuffer buffer = pools.get(rank).allocate(bytes, "tensor-parallel exchange of shard " + rank);
                    buffer.upload(new byte[(int) FLAG_BYTES], 4L * partialFloats);
                    partials.add(buffer.address());
                    flags.add(buffer.address(4L * partialFloats));
                } else {
                    PinnedHostBuffer buffer = PinnedHostBuffer.portable(bytes);
                    hostBuffers.add(buffer);
                    buffer.view().position((int) (4L * partialFloats)).put(new byte[(int) FLAG_BYTES]);
                    partials.add(buffer.deviceAddress());
                    flags.add(buffer.deviceAddress().plus(4L * partialFloats));
                }
            }
        } catch (RuntimeException e) {
            hostBuffers.forEach(PinnedHostBuffer::close);
            throw e;
        }
        return new TensorParallelExchange(List.copyOf(partials), List.copyOf(flags), hostBuffers);
    }

    /** The row pitch of vocabulary-sliced partials: the longest of the N slices of {@code total} columns. */
    static int slicePitch(int total, int shards) {
        return (total + shards - 1) / shards;
    }

    int shards() {
        return partials.size();
    }

    /** Shard {@code rank}'s partial buffer, where its row-parallel outputs go before the exchange. */
    DeviceAddress partial(int rank) {
        return partials.get(rank);
    }

    /** Shard {@code rank}'s part of: residual[rows][width] += the shards' partials, summed in rank order. */
    Args sum(int rank, int rows, int width, DeviceAddress residual) {
        return new Args(rank, residual, rows, width, width, 0);
    }

    /**
     * Shard {@code rank}'s part of: logits[rows][total] = the shards' vocabulary slices side by side (shard r's
     * columns [total * r / N, total * (r + 1) / N), its partial's rows {@code width} apart).
     */
    Args gather(int rank, int rows, int width, int total, DeviceAddress logits) {
        return new Args(rank, logits, rows, width, total, 1);
    }

    /** The kernel's ExchangeArgs. */
    final class Args {
        private final long[] tail;
        private final DeviceAddress output;

        private Args(int rank, DeviceAddress output, int rows, int width, int total, int mode) {
            this.output = output;
            this.tail = new long[] {rank, shards(), rows, width, total, mode};
        }

        byte[] toBytes() {
            ByteBuffer bytes = ByteBuffer.allocate(ARG_SLOTS * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (List<DeviceAddress> table : List.of(partials, flags)) {
                for (int r = 0; r < MAX_SHARDS; r++) {
                    bytes.putLong(r < table.size() ? table.get(r).value() : 0);
                }
            }
            bytes.putLong(output.value());
            for (long value : tail) {
                bytes.putLong(value);
            }
            return bytes.array();
        }
    }

    @Override
    public void close() {
        hostBuffers.forEach(PinnedHostBuffer::close);
        hostBuffers.clear();
    }
}
