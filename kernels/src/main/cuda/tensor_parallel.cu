// The exchange between the tensor-parallel shards of one model, launched inside each shard's captured decode graph
// so that a layer needs no host round trip. One-shot, in the manner of vLLM's custom all-reduce: each shard has
// published its partial result where every other shard can read it (its own memory with peer access enabled, or
// pinned host memory where the devices cannot reach each other), the shards meet at a flag barrier, and then each
// reads all partials in shard order 0..N-1, so every shard computes the same bits whatever the timing. A second
// barrier keeps a fast shard from overwriting its partial (the next layer's) while a slow one is still reading it.
//
//   sum:    residual[row][i] += partial_0[row][i] + ... + partial_{N-1}[row][i]   (o_proj / down_proj outputs)
//   gather: output[row][first_r + j] = partial_r[row][j], where shard r holds columns [first_r, first_{r+1}) of `total`
//           (lm_head's vocabulary, split as TensorParallelPlan.range does; partial rows are `width` apart)
#include "common.cuh"

namespace aqlm {

constexpr int kMaxShards = 8;
// Every block of every shard must be running at once for the barrier to complete; 32 blocks fit beside anything
// else on any sm_80+ part (and the launch uses exactly this grid, see TensorParallelExchange.java).
constexpr int kExchangeBlocks = 32;

// The flags one shard owns, in memory that its peers write: arrive/leave[block][from shard], and the number of
// exchanges each of its blocks has made (the value the barrier waits for; it only grows, so one captured graph
// replays forever). The host zeroes them once.
struct ExchangeFlags {
    unsigned int arrive[kExchangeBlocks][kMaxShards];
    unsigned int leave[kExchangeBlocks][kMaxShards];
    unsigned int epoch[kExchangeBlocks];
};

enum ExchangeMode : long long { kSum = 0, kGather = 1 };

// Launch arguments, passed by value; every field is 8 bytes (the host mirror in TensorParallelExchange.java).
struct ExchangeArgs {
    const float* partials[kMaxShards];  // shard r's published partial [rows][width]
    ExchangeFlags* flags[kMaxShards];   // shard r's flags
    float* output;                      // sum: the residual [rows][width]; gather: the logits [rows][total]
    long long rank, shards, rows, width, total, mode;
};
static_assert(sizeof(ExchangeArgs) == (2 * kMaxShards + 7) * 8, "ExchangeArgs: 23 fields of 8 bytes");

// Signals every peer that this block reached the barrier, then waits until every peer's same block did. The block
// first waits for all its threads: a "leaving" signal says that the whole block has read the peers' partials, not
// just the signalling thread (a peer overwrites its partial as soon as every block has left).
__device__ __forceinline__ void meet(const ExchangeArgs& a, unsigned int epoch, bool leaving) {
    __syncthreads();
    if (threadIdx.x < a.shards) {
        const int peer = threadIdx.x, block = blockIdx.x;
        ExchangeFlags* theirs = a.flags[peer];
        ExchangeFlags* mine = a.flags[a.rank];
        volatile unsigned int* signal = leaving ? &theirs->leave[block][a.rank] : &theirs->arrive[block][a.rank];
        volatile unsigned int* wait = leaving ? &mine->leave[block][peer] : &mine->arrive[block][peer];
        __threadfence_system();  // what this shard wrote (or read) before the barrier, before the flag
        *signal = epoch;
        while ((int)(*wait - epoch) < 0) {  // wrap-safe: the count restarts at 0 after 2^32 exchanges
            __nanosleep(32);
        }
        __threadfence_system();
    }
    __syncthreads();
}

__device__ void exchange(const ExchangeArgs& a) {
    __shared__ unsigned int epoch;
    if (threadIdx.x == 0) epoch = ++a.flags[a.rank]->epoch[blockIdx.x];
    __syncthreads();  // every thread reads `epoch` below (the argument is read before meet's own barrier)
    meet(a, epoch, false);

    const long long stride = (long long)gridDim.x * blockDim.x;
    const long long first = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (a.mode == kSum) {
        for (long long i = first; i < a.rows * a.width; i += stride) {
            float sum = 0.f;
            for (int r = 0; r < a.shards; r++) sum += __ldcg(a.partials[r] + i);  // L2: a peer's bytes change per call
            a.output[i] += sum;
        }
    } else {
        for (long long i = first; i < a.rows * a.total; i += stride) {
            const long long row = i / a.total, column = i % a.total;
            long long shard = 0;  // shard r holds columns [total * r / shards, total * (r + 1) / shards)
            while (shard + 1 < a.shards && column >= a.total * (shard + 1) / a.shards) shard++;
            a.output[i] = __ldcg(a.partials[shard] + row * a.width + (column - a.total * shard / a.shards));
        }
    }
    meet(a, epoch, true);
}

}  // namespace aqlm

extern "C" __global__ void __launch_bounds__(512) tensor_parallel_exchange(aqlm::ExchangeArgs args) {
    aqlm::exchange(args);
}
