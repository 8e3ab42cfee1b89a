// Self-attention over the static KV cache [slots][context][kv_heads * head_dim] of one layer.
//
// Decode (one new token per sequence): flash-decoding. The positions of a sequence are cut into fixed splits; one block
// per (split, kv head, row) scores its positions for every query head sharing that kv head (GQA: K and V are read
// once for the whole group), keeps an online softmax, and writes a partial (max, sum, weighted V) in fp32; a second
// kernel combines the splits in split order. Per-row positions come from device memory, so a captured graph serves
// every step; splits past a row's length cost one early exit.
//
// Prefill (a chunk of consecutive tokens of one sequence): one block per (64-query tile, head); keys and values are
// staged 64 positions at a time in shared memory and each query is handled by 4 threads. Key tiles start at absolute
// multiples of 64 and fully masked tiles change nothing, so a query's result does not depend on how its prompt was
// chunked or what shares its tile.
//
// Keys and queries are stored pair-interleaved per head (see the QKV epilogue in linear.cu); a dot product does not
// care, and values keep their natural order.
#include "common.cuh"

namespace aqlm {

constexpr int kDecodeThreads = 128;
constexpr int kMaxGroup = 8;         // query heads per kv head
constexpr int kMaxDimsPerLane = 4;   // head_dim <= 128

// partial layout per (row index i, head h, split s): [max, sum, acc[head_dim]] at ((i * heads + h) * splits + s)
template <typename T>
__device__ void decode_attention_partial(const T* q, long long q_stride, const T* k_cache, const T* v_cache,
                                         const int* row_index, const int* slots, const int* positions,
                                         float* partial, int heads, int kv_heads, int head_dim, int context,
                                         int window, int split_size, float scale) {
    const int split = blockIdx.x, kv_head = blockIdx.y, i = blockIdx.z, splits = gridDim.x;
    const int row = row_index ? row_index[i] : i;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = kDecodeThreads / 32;
    const int group = heads / kv_heads, kv_dim = kv_heads * head_dim;
    const int position = positions[row];
    const long long slot = slots[row];
    const int first_visible = window > 0 ? max(0, position - window + 1) : 0;
    const int begin = max(first_visible, split * split_size), end = min(position + 1, (split + 1) * split_size);

    float qv[kMaxGroup][kMaxDimsPerLane], acc[kMaxGroup][kMaxDimsPerLane], m[kMaxGroup], l[kMaxGroup];
#pragma unroll
    for (int g = 0; g < kMaxGroup; g++) {
        m[g] = -INFINITY;
        l[g] = 0.f;
#pragma unroll
        for (int e = 0; e < kMaxDimsPerLane; e++) {
            const int d = e * 32 + lane;
            const bool used = g < group && d < head_dim;
            qv[g][e] = used ? to_float(q[row * q_stride + (long long)(kv_head * group + g) * head_dim + d]) : 0.f;
            acc[g][e] = 0.f;
        }
    }
    const T* keys = k_cache + slot * context * kv_dim + (long long)kv_head * head_dim;
    const T* values = v_cache + slot * context * kv_dim + (long long)kv_head * head_dim;
    for (int p = begin + warp; p < end; p += warps) {
        float kv[kMaxDimsPerLane], vv[kMaxDimsPerLane];
#pragma unroll
        for (int e = 0; e < kMaxDimsPerLane; e++) {
            const int d = e * 32 + lane;
            kv[e] = d < head_dim ? to_float(keys[(long long)p * kv_dim + d]) : 0.f;
            vv[e] = d < head_dim ? to_float(values[(long long)p * kv_dim + d]) : 0.f;
        }
#pragma unroll
        for (int g = 0; g < kMaxGroup; g++) {
            if (g >= group) break;
            float dot = 0.f;
#pragma unroll
            for (int e = 0; e < kMaxDimsPerLane; e++) dot += qv[g][e] * kv[e];
            const float s = warp_sum(dot) * scale;
            const float m_new = fmaxf(m[g], s);
            const float correction = expf(m[g] - m_new), weight = expf(s - m_new);
            l[g] = l[g] * correction + weight;
#pragma unroll
            for (int e = 0; e < kMaxDimsPerLane; e++) acc[g][e] = acc[g][e] * correction + weight * vv[e];
            m[g] = m_new;
        }
    }

    // Combine the warps (in warp order) and write this split's partial for each query head of the group.
    __shared__ float warp_m[kDecodeThreads / 32][kMaxGroup], warp_l[kDecodeThreads / 32][kMaxGroup];
    __shared__ float warp_acc[kDecodeThreads / 32][kMaxGroup][kMaxDimsPerLane * 32];
#pragma unroll
    for (int g = 0; g < kMaxGroup; g++) {
        if (g >= group) break;
        if (lane == 0) {
            warp_m[warp][g] = m[g];
            warp_l[warp][g] = l[g];
        }
#pragma unroll
        for (int e = 0; e < kMaxDimsPerLane; e++) warp_acc[warp][g][e * 32 + lane] = acc[g][e];
    }
    __syncthreads();
    for (int t = threadIdx.x; t < group * (head_dim + 2); t += kDecodeThreads) {
        const int g = t / (head_dim + 2), field = t % (head_dim + 2);
        float best = -INFINITY;
        for (int w = 0; w < warps; w++) best = fmaxf(best, warp_m[w][g]);
        float value = 0.f;
        if (field == 0) {
            value = best;
        } else if (best != -INFINITY) {
            for (int w = 0; w < warps; w++) {
                if (warp_m[w][g] == -INFINITY) continue;
                const float f = expf(warp_m[w][g] - best);
                value += f * (field == 1 ? warp_l[w][g] : warp_acc[w][g][field - 2]);
            }
        }
        const int head = kv_head * group + g;
        partial[(((long long)i * heads + head) * splits + split) * (head_dim + 2) + field] = value;
    }
}

// out[row][head * head_dim + d] = sum_s acc_s[d] e^(m_s - M) / sum_s l_s e^(m_s - M), splits in order.
template <typename T>
__device__ void decode_attention_combine(const float* partial, const int* row_index, T* out, long long out_stride,
                                         int heads, int head_dim, int splits) {
    const int head = blockIdx.x, i = blockIdx.y;
    const int row = row_index ? row_index[i] : i;
    const float* base = partial + ((long long)i * heads + head) * splits * (head_dim + 2);
    float best = -INFINITY;
    for (int s = 0; s < splits; s++) best = fmaxf(best, base[s * (head_dim + 2)]);
    for (int d = threadIdx.x; d < head_dim; d += blockDim.x) {
        float sum = 0.f, weighted = 0.f;
        for (int s = 0; s < splits; s++) {
            const float* part = base + s * (head_dim + 2);
            if (part[0] == -INFINITY) continue;
            const float f = expf(part[0] - best);
            sum += f * part[1];
            weighted += f * part[2 + d];
        }
        out[row * out_stride + (long long)head * head_dim + d] = from_float<T>(weighted / sum);
    }
}

constexpr int kPrefillQueries = 64;
constexpr int kPrefillKeys = 64;
constexpr int kThreadsPerQuery = 4;
constexpr int kPrefillThreads = kPrefillQueries * kThreadsPerQuery;
constexpr int kMaxDimsPerThread = 32;  // head_dim <= 128

// A prefill tile: `count` consecutive rows starting at batch row `row`, positions start_position..., in `slot`.
struct PrefillTile {
    int row, count, slot, start_position;
};
static_assert(sizeof(PrefillTile) == 16, "PrefillTile: 16 bytes (BatchInputs.PREFILL_TILES)");

// Dynamic shared memory: K and V tiles [64][head_dim] of T, then scores [64 queries][65] floats.
template <typename T>
__device__ void prefill_attention(const T* q, long long q_stride, const T* k_cache, const T* v_cache,
                                  const PrefillTile* tiles, T* out, long long out_stride, int heads, int kv_heads,
                                  int head_dim, int context, int window, float scale) {
    extern __shared__ __align__(16) char smem[];
    const PrefillTile tile = tiles[blockIdx.x];
    const int head = blockIdx.y, kv_head = head / (heads / kv_heads), kv_dim = kv_heads * head_dim;
    T* ks = reinterpret_cast<T*>(smem);
    T* vs = ks + kPrefillKeys * head_dim;
    float* scores = reinterpret_cast<float*>(vs + kPrefillKeys * head_dim);
    const int query = threadIdx.x / kThreadsPerQuery, part = threadIdx.x % kThreadsPerQuery;
    const bool active = query < tile.count;
    const int position = tile.start_position + query;
    const int row = tile.row + query;
    const int dims = (head_dim + kThreadsPerQuery - 1) / kThreadsPerQuery;

    float qv[kMaxDimsPerThread], acc[kMaxDimsPerThread];
#pragma unroll
    for (int e = 0; e < kMaxDimsPerThread; e++) {
        const int d = part + e * kThreadsPerQuery;
        qv[e] = active && e < dims && d < head_dim ? to_float(q[row * q_stride + (long long)head * head_dim + d]) : 0.f;
        acc[e] = 0.f;
    }
    float m = -INFINITY, l = 0.f;
    const int last = tile.start_position + tile.count - 1;
    const int lowest_visible = window > 0 ? max(0, tile.start_position - window + 1) : 0;
    const long long slot_base = (long long)tile.slot * context * kv_dim + (long long)kv_head * head_dim;
    const int vectors_per_row = head_dim / 8;  // head_dim is a multiple of 8 (checked on the host)
    for (int key0 = lowest_visible / kPrefillKeys * kPrefillKeys; key0 <= last; key0 += kPrefillKeys) {
        __syncthreads();
        for (int c = threadIdx.x; c < kPrefillKeys * vectors_per_row; c += kPrefillThreads) {
            const int r = c / vectors_per_row, v = c % vectors_per_row;
            const int p = key0 + r;
            uint4 kval = make_uint4(0, 0, 0, 0), vval = make_uint4(0, 0, 0, 0);
            if (p <= last) {
                kval = *reinterpret_cast<const uint4*>(k_cache + slot_base + (long long)p * kv_dim + v * 8);
                vval = *reinterpret_cast<const uint4*>(v_cache + slot_base + (long long)p * kv_dim + v * 8);
            }
            reinterpret_cast<uint4*>(ks + r * head_dim)[v] = kval;
            reinterpret_cast<uint4*>(vs + r * head_dim)[v] = vval;
        }
        __syncthreads();
        float tile_max = -INFINITY;
        for (int j = 0; j < kPrefillKeys; j++) {
            float dot = 0.f;
#pragma unroll
            for (int e = 0; e < kMaxDimsPerThread; e++) {
                if (e >= dims) break;
                const int d = part + e * kThreadsPerQuery;
                if (d < head_dim) dot += qv[e] * to_float(ks[j * head_dim + d]);
            }
            dot += __shfl_xor_sync(0xffffffffu, dot, 1);
            dot += __shfl_xor_sync(0xffffffffu, dot, 2);
            const int p = key0 + j;
            const bool visible = active && p <= position && (window == 0 || p > position - window);
            const float s = visible ? dot * scale : -INFINITY;
            if (part == 0) scores[query * (kPrefillKeys + 1) + j] = s;
            tile_max = fmaxf(tile_max, s);
        }
        __syncwarp();
        const float m_new = fmaxf(m, tile_max);
        if (m_new == -INFINITY) continue;  // nothing visible yet for this query
        const float correction = expf(m - m_new);
        l *= correction;
#pragma unroll
        for (int e = 0; e < kMaxDimsPerThread; e++) acc[e] *= correction;
        for (int j = 0; j < kPrefillKeys; j++) {
            const float weight = expf(scores[query * (kPrefillKeys + 1) + j] - m_new);
            l += weight;
#pragma unroll
            for (int e = 0; e < kMaxDimsPerThread; e++) {
                if (e >= dims) break;
                const int d = part + e * kThreadsPerQuery;
                if (d < head_dim) acc[e] += weight * to_float(vs[j * head_dim + d]);
            }
        }
        m = m_new;
    }
    if (!active) return;
#pragma unroll
    for (int e = 0; e < kMaxDimsPerThread; e++) {
        const int d = part + e * kThreadsPerQuery;
        if (e < dims && d < head_dim) out[row * out_stride + (long long)head * head_dim + d] = from_float<T>(acc[e] / l);
    }
}

}  // namespace aqlm

#define AQLM_ATTENTION(DTYPE, T)                                                                                     \
    extern "C" __global__ void __launch_bounds__(aqlm::kDecodeThreads) attention_decode_##DTYPE(                     \
        const T* q, long long q_stride, const T* k_cache, const T* v_cache, const int* row_index, const int* slots, \
        const int* positions, float* partial, int heads, int kv_heads, int head_dim, int context, int window,        \
        int split_size, float scale) {                                                                               \
        aqlm::decode_attention_partial<T>(q, q_stride, k_cache, v_cache, row_index, slots, positions, partial,      \
                                          heads, kv_heads, head_dim, context, window, split_size, scale);           \
    }                                                                                                                \
    extern "C" __global__ void attention_combine_##DTYPE(const float* partial, const int* row_index, T* out,        \
                                                         long long out_stride, int heads, int head_dim, int splits) { \
        aqlm::decode_attention_combine<T>(partial, row_index, out, out_stride, heads, head_dim, splits);            \
    }                                                                                                                \
    extern "C" __global__ void __launch_bounds__(aqlm::kPrefillThreads) attention_prefill_##DTYPE(                  \
        const T* q, long long q_stride, const T* k_cache, const T* v_cache, const aqlm::PrefillTile* tiles, T* out, \
        long long out_stride, int heads, int kv_heads, int head_dim, int context, int window, float scale) {        \
        aqlm::prefill_attention<T>(q, q_stride, k_cache, v_cache, tiles, out, out_stride, heads, kv_heads, head_dim, \
                                   context, window, scale);                                                          \
    }

AQLM_ATTENTION(f16, __half)
AQLM_ATTENTION(bf16, __nv_bfloat16)
