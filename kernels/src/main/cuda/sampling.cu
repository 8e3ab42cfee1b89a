// Token choice on the device, by the rule of TokenSampler.java: greedy = argmax with the lowest id winning a tie;
// otherwise candidates in (logit desc, id asc) order, cut to top-k, weighted exp((logit - max) / temperature) in
// double, cut to the shortest prefix whose weight reaches top_p of the total, then to the tokens whose weight (their
// probability over the most likely token's) is at least min_p, and drawn with the counter-based uniform(seed,
// position) of SamplingRandom.java.
//
// Nothing is sorted: each token gets a unique 64-bit key (ordered logit bits, then the inverted id) whose descending
// order is the candidate order, and "the first candidate whose cumulative weight crosses x" is found by a radix
// search over the key, 4 bits per pass, with per-digit weight sums reduced in a fixed order.
#include <cstddef>

#include "common.cuh"

namespace aqlm {

constexpr int kSampleThreads = 1024;
constexpr int kDigits = 16;

// Per-row parameters, 40 bytes; SamplingRows.java writes the same layout.
struct SamplingRow {
    double temperature;
    double top_p;
    long long seed;
    int top_k;
    int position;
    double min_p;
};
static_assert(sizeof(SamplingRow) == 40, "SamplingRow: 40 bytes (SamplingRows.BYTES)");
static_assert(offsetof(SamplingRow, top_p) == 8 && offsetof(SamplingRow, seed) == 16 &&
                  offsetof(SamplingRow, top_k) == 24 && offsetof(SamplingRow, position) == 28 &&
                  offsetof(SamplingRow, min_p) == 32,
              "SamplingRow: field offsets of SamplingRows.put");

__device__ __forceinline__ unsigned long long token_key(float logit, int id) {
    unsigned int bits = __float_as_uint(logit);
    bits = (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
    return ((unsigned long long)bits << 32) | (0xFFFFFFFFu - (unsigned int)id);
}
__device__ __forceinline__ int key_token(unsigned long long key) { return (int)(0xFFFFFFFFu - (unsigned int)key); }

// The key of the argmax search. TokenSampler.argmax compares with '>', for which -0.0 and +0.0 tie (the lower id
// wins), while token_key orders -0.0 below +0.0 (as Float.compare does, for the sampling order): adding +0.0 turns
// -0.0 into +0.0 and leaves every other value as it is.
__device__ __forceinline__ unsigned long long argmax_key(float logit, int id) { return token_key(logit + 0.0f, id); }

// The row's argmax key, the lowest id winning a tie; every thread receives it.
__device__ __forceinline__ unsigned long long row_argmax(const float* logits, int vocab, unsigned long long* scratch) {
    unsigned long long best = 0;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
        const unsigned long long key = argmax_key(logits[i], i);
        best = key > best ? key : best;
    }
    return block_max(best, scratch);
}

// The row's smallest key (the last candidate in sampling order), which key_of_rank(vocab) would find in 16 passes.
__device__ __forceinline__ unsigned long long row_min_key(const float* logits, int vocab, unsigned long long* scratch) {
    unsigned long long inverted = 0;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
        const unsigned long long key = ~token_key(logits[i], i);
        inverted = key > inverted ? key : inverted;
    }
    return ~block_max(inverted, scratch);
}

__device__ __forceinline__ double uniform(long long seed, int position) {
    unsigned long long z = (unsigned long long)seed + 0x9E3779B97F4A7C15ull * (unsigned long long)(position + 1ll);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z = z ^ (z >> 31);
    return (double)(z >> 11) * 0x1p-53;
}

__device__ __forceinline__ bool prefix_matches(unsigned long long key, unsigned long long prefix, int shift) {
    return shift >= 60 || (key >> (shift + 4)) == (prefix >> (shift + 4));
}

// Sums every bin over the warp with 16 shuffles instead of 16 warp_sums (80): at each butterfly level a lane keeps
// half of the bins it holds and trades the other half with its partner, so lane l ends with bin l / 2. Each bin is
// summed by the same xor-butterfly tree as warp_sum (own partial + partner's, offsets 16 down to 1), so the totals
// are bit-identical to it.
template <typename V>
__device__ __forceinline__ V warp_sum_bins(V (&bins)[kDigits]) {
    const int lane = threadIdx.x & 31;
    int held = kDigits;
#pragma unroll
    for (int offset = 16; offset >= 2; offset >>= 1) {
        const int half = held / 2;
        const bool upper = lane & offset;  // this lane keeps the upper half of the bins it holds
#pragma unroll
        for (int i = 0; i < half; i++) {
            const V keep = upper ? bins[half + i] : bins[i];
            const V send = upper ? bins[i] : bins[half + i];
            bins[i] = keep + __shfl_xor_sync(0xffffffffu, send, offset);
        }
        held = half;
    }
    return bins[0] + __shfl_xor_sync(0xffffffffu, bins[0], 1);
}

// Sums the kDigits bins over the block in a fixed order; every thread gets all the totals.
template <typename V>
__device__ void reduce_bins(V (&bins)[kDigits], V (*scratch)[kDigits], V* totals) {
    static_assert(kDigits == 16, "warp_sum_bins leaves bin l / 2 in lane l");
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    const V total = warp_sum_bins(bins);
    if ((lane & 1) == 0) scratch[warp][lane >> 1] = total;
    __syncthreads();
    if (threadIdx.x < kDigits) {
        V total = 0;
        for (int w = 0; w < warps; w++) total += scratch[w][threadIdx.x];
        totals[threadIdx.x] = total;
    }
    __syncthreads();
#pragma unroll
    for (int d = 0; d < kDigits; d++) bins[d] = totals[d];
    __syncthreads();
}

struct RowSampler {
    const float* logits;
    int vocab;
    double max_logit, temperature;
    int (*count_scratch)[kDigits];
    double (*weight_scratch)[kDigits];
    int* count_totals;
    double* weight_totals;

    __device__ double weight(int i) const { return exp(((double)logits[i] - max_logit) / temperature); }

    // The key with exactly rank - 1 keys above it (rank 1 = the largest).
    __device__ unsigned long long key_of_rank(int rank) {
        unsigned long long prefix = 0;
        for (int shift = 60; shift >= 0; shift -= 4) {
            int bins[kDigits] = {};
            for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
                const unsigned long long key = token_key(logits[i], i);
                if (!prefix_matches(key, prefix, shift)) continue;
                const int digit = (int)((key >> shift) & 15);
#pragma unroll
                for (int d = 0; d < kDigits; d++) bins[d] += digit == d;
            }
            reduce_bins(bins, count_scratch, count_totals);
            for (int d = kDigits - 1; d >= 0; d--) {
                if (rank <= bins[d]) {
                    prefix |= (unsigned long long)d << shift;
                    break;
                }
                rank -= bins[d];
            }
        }
        return prefix;
    }

    // The first key (in descending order, among keys >= floor) at which the cumulative weight exceeds `limit`
    // (or reaches it, when !strict). Returns 0 when none does (rounding); *cumulative gets the weight up to and
    // including that key.
    __device__ unsigned long long crossing(double limit, bool strict, unsigned long long floor, double* cumulative) {
        unsigned long long prefix = 0;
        double above = 0;
        for (int shift = 60; shift >= 0; shift -= 4) {
            double bins[kDigits] = {};
            for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
                const unsigned long long key = token_key(logits[i], i);
                if (key < floor || !prefix_matches(key, prefix, shift)) continue;
                const int digit = (int)((key >> shift) & 15);
                const double w = weight(i);
#pragma unroll
                for (int d = 0; d < kDigits; d++) bins[d] += digit == d ? w : 0.0;
            }
            reduce_bins(bins, weight_scratch, weight_totals);
            bool found = false;
            for (int d = kDigits - 1; d >= 0; d--) {
                const double through = above + bins[d];
                if (strict ? through > limit : through >= limit) {
                    prefix |= (unsigned long long)d << shift;
                    if (shift == 0) *cumulative = through;
                    found = true;
                    break;
                }
                above = through;
            }
            if (!found) return 0;
        }
        return prefix;
    }
};

}  // namespace aqlm

// One block per row: tokens[row] from logits[row][0, vocab).
extern "C" __global__ void __launch_bounds__(aqlm::kSampleThreads)
sample_tokens(const float* logits, long long stride, int vocab, const aqlm::SamplingRow* params, int* tokens) {
    using namespace aqlm;
    __shared__ unsigned long long key_scratch[32];
    __shared__ double sum_scratch[32];
    __shared__ int count_scratch[32][kDigits];
    __shared__ double weight_scratch[32][kDigits];
    __shared__ int count_totals[kDigits];
    __shared__ double weight_totals[kDigits];
    const long long row = blockIdx.x;
    const float* row_logits = logits + row * stride;
    const SamplingRow p = params[row];

    const unsigned long long best = row_argmax(row_logits, vocab, key_scratch);
    if (p.temperature == 0) {
        if (threadIdx.x == 0) tokens[row] = key_token(best);
        return;
    }
    RowSampler sampler{row_logits, vocab, (double)row_logits[key_token(best)], p.temperature,
                       count_scratch, weight_scratch, count_totals, weight_totals};
    const int kept = p.top_k > 0 ? min(p.top_k, vocab) : vocab;
    unsigned long long floor = kept == vocab ? row_min_key(row_logits, vocab, key_scratch) : sampler.key_of_rank(kept);
    double total = 0;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
        if (token_key(row_logits[i], i) >= floor) total += sampler.weight(i);
    }
    total = block_sum(total, sum_scratch);
    if (p.top_p < 1) {
        double through = 0;
        const unsigned long long cut = sampler.crossing(p.top_p * total, false, floor, &through);
        if (cut != 0) {
            floor = cut;
            total = through;
        }
    }
    if (p.min_p > 0) {
        // The weights are probabilities over the most likely token's (whose weight is exactly 1), and they fall with
        // the key, so the tokens that stay are those at or above the smallest key whose weight reaches min_p.
        unsigned long long inverted = 0;
        for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
            const unsigned long long key = token_key(row_logits[i], i);
            if (key >= floor && sampler.weight(i) >= p.min_p) inverted = ~key > inverted ? ~key : inverted;
        }
        const unsigned long long lowest = ~block_max(inverted, key_scratch);
        if (lowest > floor) {
            floor = lowest;
            total = 0;
            for (int i = threadIdx.x; i < vocab; i += blockDim.x) {
                if (token_key(row_logits[i], i) >= floor) total += sampler.weight(i);
            }
            total = block_sum(total, sum_scratch);
        }
    }
    double ignored = 0;
    const unsigned long long chosen = sampler.crossing(uniform(p.seed, p.position) * total, true, floor, &ignored);
    if (threadIdx.x == 0) tokens[row] = key_token(chosen != 0 ? chosen : floor);
}

// lm-eval scoring: log p(target) = logit - logsumexp (in double) and whether the target is the argmax.
extern "C" __global__ void __launch_bounds__(aqlm::kSampleThreads)
target_log_probs(const float* logits, long long stride, int vocab, const int* targets, float* log_probs,
                 int* is_argmax) {
    using namespace aqlm;
    __shared__ unsigned long long key_scratch[32];
    __shared__ double sum_scratch[32];
    const long long row = blockIdx.x;
    const float* row_logits = logits + row * stride;
    const unsigned long long best = row_argmax(row_logits, vocab, key_scratch);
    const float max = row_logits[key_token(best)];
    double sum = 0;
    for (int i = threadIdx.x; i < vocab; i += blockDim.x) sum += exp((double)(row_logits[i] - max));
    sum = block_sum(sum, sum_scratch);
    if (threadIdx.x == 0) {
        const int target = targets[row];
        log_probs[row] = (float)((double)row_logits[target] - (max + log(sum)));
        is_argmax[row] = key_token(best) == target;
    }
}
