// Self-attention over one layer's KV cache, full precision or quantized (see KvCacheView below).
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
// Both kernels read the cache through a reader policy (CacheReader<T, BITS>), one template for every format: BITS 16
// reads the activation-type cache as before; 8/4/2 dequantize packed groups on the fly (never a full-precision copy)
// and read the residual window from its ring. kv_quantize packs the block of keys and values that leaves a
// sequence's residual window; it runs after the QKV epilogue (which writes every row into the ring) and before the
// attention of each layer, reading slots and positions from device memory, so it is part of a captured decode step.
//
// Keys and queries are stored pair-interleaved per head (see the QKV epilogue in linear.cu); a dot product does not
// care, nor does per-channel key quantization (each channel is its own group), and values keep their natural order.
#include "common.cuh"

namespace aqlm {

// One layer's KV cache, passed by value; every field is 8 bytes (host mirror: KvCacheView.java, same order).
// Full precision (bits 16): keys/values are T [slot][context][kv_dim] and ring == context. Quantized (KvCacheFormat.java
// says why this layout): positions older than a query's residual window are packed codes, low bits first, with an fp16
// (scale, zero) pair per group; keys per channel over blocks of group_size tokens, values per token over value_group
// channels. The newer positions are in keys/values as a ring of `ring` positions per slot (position p at p % ring).
struct KvCacheView {
    void* keys;               // T [slot][ring][kv_dim]
    void* values;
    uint8_t* key_codes;       // [slot][block][kv_dim][group_size * bits / 8]
    __half* key_params;       // [slot][block][kv_dim][2]: scale, zero
    uint8_t* value_codes;     // [slot][context][kv_dim * bits / 8]
    __half* value_params;     // [slot][context][kv_dim / value_group][2]
    long long context, kv_dim, ring, group_size, value_group, residual, blocks, bits;
};
static_assert(sizeof(KvCacheView) == 14 * 8, "KvCacheView: 14 fields of 8 bytes (KvCacheView.java)");

// The first position a query at `position` reads from the ring: the whole blocks older than its residual window are
// read as codes (KvCacheFormat.fullPrecisionFrom; the CPU cache makes the same cut).
__device__ __forceinline__ int quantized_end(const KvCacheView& c, int position) {
    const long long older = max(0, position - (int)c.residual) / c.group_size;
    return (int)(min(older, c.blocks) * c.group_size);
}

// Reads keys and values of one slot as floats; `channel` counts from 0 to kv_dim, `end` is quantized_end(query).
template <typename T, int BITS>
struct CacheReader {  // packed codes (8, 4 or 2 bits) plus the residual ring
    static constexpr bool kQuantized = true;
    static constexpr int kPerByte = 8 / BITS, kMask = (1 << BITS) - 1;
    KvCacheView c;
    long long slot;

    __device__ CacheReader(const KvCacheView& view, long long slot_) : c(view), slot(slot_) {}
    __device__ int end(int position) const { return quantized_end(c, position); }
    __device__ float ring_key(int p, int channel) const {
        return to_float(static_cast<const T*>(c.keys)[(slot * c.ring + p % c.ring) * c.kv_dim + channel]);
    }
    __device__ float ring_value(int p, int channel) const {
        return to_float(static_cast<const T*>(c.values)[(slot * c.ring + p % c.ring) * c.kv_dim + channel]);
    }
    __device__ static float dequantize(const uint8_t* codes, long long index, const __half* params) {
        const int code = (codes[index / kPerByte] >> (int)(index % kPerByte) * BITS) & kMask;
        return code * __half2float(params[0]) + __half2float(params[1]);
    }
    __device__ float key(int p, int channel, int end) const {
        if (p >= end) return ring_key(p, channel);
        const long long group = (slot * c.blocks + p / c.group_size) * c.kv_dim + channel;
        return dequantize(c.key_codes, group * c.group_size + p % c.group_size, c.key_params + 2 * group);
    }
    __device__ float value(int p, int channel, int end) const {
        if (p >= end) return ring_value(p, channel);
        const long long index = (slot * c.context + p) * c.kv_dim + channel;
        return dequantize(c.value_codes, index, c.value_params + 2 * (index / c.value_group));
    }
    // Channels [channel, channel + 8) of position p into the prefill tiles (dequantized below `end`).
    __device__ void stage8(T* k, T* v, int p, int channel, int end) const {
#pragma unroll
        for (int i = 0; i < 8; i++) {
            k[i] = from_float<T>(key(p, channel + i, end));
            v[i] = from_float<T>(value(p, channel + i, end));
        }
    }
};

template <typename T>
struct CacheReader<T, 16> {  // the activation-type cache [slot][context][kv_dim]
    static constexpr bool kQuantized = false;
    const T* keys;
    const T* values;
    long long kv_dim;

    __device__ CacheReader(const KvCacheView& view, long long slot)
        : keys(static_cast<const T*>(view.keys) + slot * view.context * view.kv_dim),
          values(static_cast<const T*>(view.values) + slot * view.context * view.kv_dim), kv_dim(view.kv_dim) {}
    __device__ int end(int) const { return 0; }
    __device__ float ring_key(int p, int channel) const { return to_float(keys[p * kv_dim + channel]); }
    __device__ float ring_value(int p, int channel) const { return to_float(values[p * kv_dim + channel]); }
    __device__ float key(int p, int channel, int) const { return ring_key(p, channel); }
    __device__ float value(int p, int channel, int) const { return ring_value(p, channel); }
    __device__ void stage8(T* k, T* v, int p, int channel, int) const {
        *reinterpret_cast<uint4*>(k) = *reinterpret_cast<const uint4*>(keys + (long long)p * kv_dim + channel);
        *reinterpret_cast<uint4*>(v) = *reinterpret_cast<const uint4*>(values + (long long)p * kv_dim + channel);
    }
};

// One group as cpu.GroupQuantizer does it, bit for bit: zero = fp16(min), scale = fp16((max - min) / levels), then
// code = floor((x - zero) * (1 / scale) + 0.5) clamped to [0, levels]; __fmul_rn/__fadd_rn keep nvcc from fusing the
// multiply-add (one rounding fewer than Java). `load(i)` is element i of the group; n is a multiple of 8 / bits.
template <typename Load>
__device__ void quantize_group(Load load, int n, int bits, uint8_t* codes, __half* params) {
    float lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < n; i++) {
        const float x = load(i);
        lo = fminf(lo, x);
        hi = fmaxf(hi, x);
    }
    const int levels = (1 << bits) - 1, per_byte = 8 / bits;
    const __half zero_bits = __float2half_rn(lo), scale_bits = __float2half_rn((hi - lo) / (float)levels);
    const float zero = __half2float(zero_bits), scale = __half2float(scale_bits);
    const float inverse = scale > 0.f ? 1.f / scale : 0.f;
    params[0] = scale_bits;
    params[1] = zero_bits;
    for (int b = 0; b < n / per_byte; b++) {
        unsigned byte = 0;
        for (int k = 0; k < per_byte; k++) {
            const float code = floorf(__fadd_rn(__fmul_rn(load(b * per_byte + k) - zero, inverse), 0.5f));
            byte |= (unsigned)fminf(fmaxf(code, 0.f), (float)levels) << (k * bits);
        }
        codes[b] = (uint8_t)byte;
    }
}

// One block per pass row: if writing the row's position moves the residual window past a block of group_size
// positions (quantized_end(position + 1) > quantized_end(position)), pack that block from the ring, keys per channel
// and values per token. Each block of a sequence is packed by exactly one row, so blocks never race.
template <typename T>
__device__ void kv_quantize(const KvCacheView& c, const int* slots, const int* positions) {
    const int position = positions[blockIdx.x];
    const long long slot = slots[blockIdx.x];
    const int first = quantized_end(c, position);
    if (quantized_end(c, position + 1) == first) return;
    const T* ring_keys = static_cast<const T*>(c.keys) + slot * c.ring * c.kv_dim;
    const T* ring_values = static_cast<const T*>(c.values) + slot * c.ring * c.kv_dim;
    const long long G = c.group_size, bits = c.bits, block = first / G;
    for (long long channel = threadIdx.x; channel < c.kv_dim; channel += blockDim.x) {
        const long long group = (slot * c.blocks + block) * c.kv_dim + channel;
        quantize_group([&](int i) { return to_float(ring_keys[((first + i) % c.ring) * c.kv_dim + channel]); },
                       (int)G, (int)bits, c.key_codes + group * G * bits / 8, c.key_params + 2 * group);
    }
    const long long groups_per_token = c.kv_dim / c.value_group;
    for (long long t = threadIdx.x; t < G * groups_per_token; t += blockDim.x) {
        const long long p = first + t / groups_per_token, channel = t % groups_per_token * c.value_group;
        const long long index = (slot * c.context + p) * c.kv_dim + channel;
        quantize_group([&](int i) { return to_float(ring_values[(p % c.ring) * c.kv_dim + channel + i]); },
                       (int)c.value_group, (int)bits, c.value_codes + index * bits / 8,
                       c.value_params + 2 * (index / c.value_group));
    }
}

// Positions [from, from + gridDim.x) of `slot` back into the ring as the values their codes stand for, as the CPU
// cache's rewind does: a rewound sequence reads them from the ring again, and a longer use of the slot may have
// overwritten their ring entries since they were packed. One block per position (fewer than `ring` of them).
template <typename T, int BITS>
__device__ void kv_restore_position(const KvCacheView& c, int slot, int p) {
    const CacheReader<T, BITS> reader(c, slot);
    T* keys = static_cast<T*>(c.keys) + (slot * c.ring + p % c.ring) * c.kv_dim;
    T* values = static_cast<T*>(c.values) + (slot * c.ring + p % c.ring) * c.kv_dim;
    for (int channel = threadIdx.x; channel < c.kv_dim; channel += blockDim.x) {
        keys[channel] = from_float<T>(reader.key(p, channel, p + 1));
        values[channel] = from_float<T>(reader.value(p, channel, p + 1));
    }
}

template <typename T>
__device__ void kv_restore(const KvCacheView& c, int slot, int from) {
    const int p = from + blockIdx.x;
    switch (c.bits) {
        case 8: kv_restore_position<T, 8>(c, slot, p); break;
        case 4: kv_restore_position<T, 4>(c, slot, p); break;
        case 2: kv_restore_position<T, 2>(c, slot, p); break;
    }
}

constexpr int kDecodeThreads = 128;
constexpr int kMaxGroup = 8;         // query heads per kv head
constexpr int kMaxDimsPerLane = 4;   // head_dim <= 128

// partial layout per (row index i, head h, split s): [max, sum, acc[head_dim]] at ((i * heads + h) * splits + s)
template <typename T, int BITS>
__device__ void decode_attention_partial(const T* q, long long q_stride, const KvCacheView& cache,
                                         const int* row_index, const int* slots, const int* positions,
                                         float* partial, int heads, int kv_heads, int head_dim, int window,
                                         int split_size, float scale) {
    const int split = blockIdx.x, kv_head = blockIdx.y, i = blockIdx.z, splits = gridDim.x;
    const int row = row_index ? row_index[i] : i;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = kDecodeThreads / 32;
    const int group = heads / kv_heads;
    const int position = positions[row];
    const CacheReader<T, BITS> reader(cache, slots[row]);
    const int quantized = reader.end(position);
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
    const int channel0 = kv_head * head_dim;
    for (int p = begin + warp; p < end; p += warps) {
        float kv[kMaxDimsPerLane], vv[kMaxDimsPerLane];
#pragma unroll
        for (int e = 0; e < kMaxDimsPerLane; e++) {
            const int d = e * 32 + lane;
            kv[e] = d < head_dim ? reader.key(p, channel0 + d, quantized) : 0.f;
            vv[e] = d < head_dim ? reader.value(p, channel0 + d, quantized) : 0.f;
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

// Dynamic shared memory: K and V tiles [64][head_dim] of T, then scores [64 queries][65] floats. With a quantized
// cache the queries of one tile may disagree on where their residual window starts: the tiles hold what the tile's
// last query reads (codes below its quantized_end, dequantized), and a query whose window starts earlier reads the
// positions between the two from the ring itself.
template <typename T, int BITS>
__device__ void prefill_attention(const T* q, long long q_stride, const KvCacheView& cache, const PrefillTile* tiles,
                                  T* out, long long out_stride, int heads, int kv_heads, int head_dim, int window,
                                  float scale) {
    extern __shared__ __align__(16) char smem[];
    const PrefillTile tile = tiles[blockIdx.x];
    const int head = blockIdx.y, kv_head = head / (heads / kv_heads), channel0 = kv_head * head_dim;
    T* ks = reinterpret_cast<T*>(smem);
    T* vs = ks + kPrefillKeys * head_dim;
    float* scores = reinterpret_cast<float*>(vs + kPrefillKeys * head_dim);
    const int query = threadIdx.x / kThreadsPerQuery, part = threadIdx.x % kThreadsPerQuery;
    const bool active = query < tile.count;
    const int position = tile.start_position + query;
    const int row = tile.row + query;
    const int dims = (head_dim + kThreadsPerQuery - 1) / kThreadsPerQuery;
    const CacheReader<T, BITS> reader(cache, tile.slot);

    float qv[kMaxDimsPerThread], acc[kMaxDimsPerThread];
#pragma unroll
    for (int e = 0; e < kMaxDimsPerThread; e++) {
        const int d = part + e * kThreadsPerQuery;
        qv[e] = active && e < dims && d < head_dim ? to_float(q[row * q_stride + (long long)head * head_dim + d]) : 0.f;
        acc[e] = 0.f;
    }
    float m = -INFINITY, l = 0.f;
    const int last = tile.start_position + tile.count - 1;
    const int staged_end = reader.end(last), own_end = reader.end(active ? position : last);
    const int lowest_visible = window > 0 ? max(0, tile.start_position - window + 1) : 0;
    const int vectors_per_row = head_dim / 8;  // head_dim is a multiple of 8 (checked on the host)
    for (int key0 = lowest_visible / kPrefillKeys * kPrefillKeys; key0 <= last; key0 += kPrefillKeys) {
        __syncthreads();
        for (int c = threadIdx.x; c < kPrefillKeys * vectors_per_row; c += kPrefillThreads) {
            const int r = c / vectors_per_row, v = c % vectors_per_row;
            const int p = key0 + r;
            T* k = ks + r * head_dim + v * 8;
            T* vv = vs + r * head_dim + v * 8;
            if (p <= last) {
                reader.stage8(k, vv, p, channel0 + v * 8, staged_end);
            } else {
                *reinterpret_cast<uint4*>(k) = make_uint4(0, 0, 0, 0);
                *reinterpret_cast<uint4*>(vv) = make_uint4(0, 0, 0, 0);
            }
        }
        __syncthreads();
        float tile_max = -INFINITY;
        for (int j = 0; j < kPrefillKeys; j++) {
            const int p = key0 + j;
            const bool from_ring = reader.kQuantized && p >= own_end && p < staged_end;
            float dot = 0.f;
#pragma unroll
            for (int e = 0; e < kMaxDimsPerThread; e++) {
                if (e >= dims) break;
                const int d = part + e * kThreadsPerQuery;
                if (d < head_dim) dot += qv[e] * (from_ring ? reader.ring_key(p, channel0 + d) : to_float(ks[j * head_dim + d]));
            }
            dot += __shfl_xor_sync(0xffffffffu, dot, 1);
            dot += __shfl_xor_sync(0xffffffffu, dot, 2);
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
            const int p = key0 + j;
            const bool from_ring = reader.kQuantized && p >= own_end && p < staged_end;
            const float weight = expf(scores[query * (kPrefillKeys + 1) + j] - m_new);
            l += weight;
#pragma unroll
            for (int e = 0; e < kMaxDimsPerThread; e++) {
                if (e >= dims) break;
                const int d = part + e * kThreadsPerQuery;
                if (d < head_dim) {
                    acc[e] += weight * (from_ring ? reader.ring_value(p, channel0 + d) : to_float(vs[j * head_dim + d]));
                }
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

// The decode and prefill kernels of one cache format: NAME is the dtype suffix plus the format's (none, _kv8 ...).
#define AQLM_ATTENTION_FORMAT(NAME, T, BITS)                                                                         \
    extern "C" __global__ void __launch_bounds__(aqlm::kDecodeThreads) attention_decode_##NAME(                      \
        const T* q, long long q_stride, aqlm::KvCacheView cache, const int* row_index, const int* slots,             \
        const int* positions, float* partial, int heads, int kv_heads, int head_dim, int window, int split_size,     \
        float scale) {                                                                                               \
        aqlm::decode_attention_partial<T, BITS>(q, q_stride, cache, row_index, slots, positions, partial, heads,     \
                                                kv_heads, head_dim, window, split_size, scale);                      \
    }                                                                                                                \
    extern "C" __global__ void __launch_bounds__(aqlm::kPrefillThreads) attention_prefill_##NAME(                   \
        const T* q, long long q_stride, aqlm::KvCacheView cache, const aqlm::PrefillTile* tiles, T* out,             \
        long long out_stride, int heads, int kv_heads, int head_dim, int window, float scale) {                     \
        aqlm::prefill_attention<T, BITS>(q, q_stride, cache, tiles, out, out_stride, heads, kv_heads, head_dim,      \
                                         window, scale);                                                             \
    }

#define AQLM_ATTENTION(DTYPE, T)                                                                                     \
    AQLM_ATTENTION_FORMAT(DTYPE, T, 16)                                                                              \
    AQLM_ATTENTION_FORMAT(DTYPE##_kv8, T, 8)                                                                         \
    AQLM_ATTENTION_FORMAT(DTYPE##_kv4, T, 4)                                                                         \
    AQLM_ATTENTION_FORMAT(DTYPE##_kv2, T, 2)                                                                         \
    extern "C" __global__ void attention_combine_##DTYPE(const float* partial, const int* row_index, T* out,        \
                                                         long long out_stride, int heads, int head_dim, int splits) { \
        aqlm::decode_attention_combine<T>(partial, row_index, out, out_stride, heads, head_dim, splits);            \
    }                                                                                                                \
    extern "C" __global__ void kv_quantize_##DTYPE(aqlm::KvCacheView cache, const int* slots, const int* positions) { \
        aqlm::kv_quantize<T>(cache, slots, positions);                                                               \
    }                                                                                                                \
    extern "C" __global__ void kv_restore_##DTYPE(aqlm::KvCacheView cache, int slot, int from) {                    \
        aqlm::kv_restore<T>(cache, slot, from);                                                                      \
    }

AQLM_ATTENTION(f16, __half)
AQLM_ATTENTION(bf16, __nv_bfloat16)
