// Row-wise kernels of the forward pass. The residual stream stays in fp32 (it accumulates every layer's output);
// the normed activations that feed the linear layers are in the checkpoint's 16-bit type.
#include "common.cuh"

namespace aqlm {

// out[row] = weight * (x * rsqrt(mean(x^2) + eps)), the Llama RMSNorm, rounded once to T.
template <typename T>
__device__ void rms_norm(const float* residual, const float* weight, T* out, int hidden, float eps) {
    __shared__ float scratch[32];
    const long long row = blockIdx.x;
    const float* x = residual + row * hidden;
    float squares = 0.f;
    for (int i = threadIdx.x; i < hidden; i += blockDim.x) squares += x[i] * x[i];
    const float inverse = 1.f / sqrtf(block_sum(squares, scratch) / hidden + eps);
    for (int i = threadIdx.x; i < hidden; i += blockDim.x) out[row * hidden + i] = from_float<T>(weight[i] * (x[i] * inverse));
}

// residual[row] = embedding[token[row]] (widened to fp32).
template <typename T>
__device__ void embed(const T* table, const int* tokens, float* residual, int hidden) {
    const long long row = blockIdx.x, token = tokens[row];
    for (int i = threadIdx.x; i < hidden; i += blockDim.x) residual[row * hidden + i] = to_float(table[token * hidden + i]);
}

// residual[row] += sum_k weight[row][k] * expert_out[row * top_k + k], experts in index order (as the CPU sums).
template <typename T>
__device__ void moe_combine(const T* expert_out, const float* route_weights, float* residual, int hidden, int top_k) {
    const long long row = blockIdx.x;
    for (int i = threadIdx.x; i < hidden; i += blockDim.x) {
        float sum = 0.f;
        for (int k = 0; k < top_k; k++) {
            sum += route_weights[row * top_k + k] * to_float(expert_out[(row * top_k + k) * hidden + i]);
        }
        residual[row * hidden + i] += sum;
    }
}

// SplitMix64 finaliser: a counter-based hash for synthetic (benchmark) weights.
__device__ __forceinline__ unsigned long long mix64(unsigned long long z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

}  // namespace aqlm

#define AQLM_ROWWISE(DTYPE, T)                                                                                      \
    extern "C" __global__ void rms_norm_##DTYPE(const float* residual, const float* weight, T* out, int hidden,     \
                                                float eps) {                                                        \
        aqlm::rms_norm<T>(residual, weight, out, hidden, eps);                                                      \
    }                                                                                                               \
    extern "C" __global__ void embed_##DTYPE(const T* table, const int* tokens, float* residual, int hidden) {      \
        aqlm::embed<T>(table, tokens, residual, hidden);                                                            \
    }                                                                                                               \
    extern "C" __global__ void moe_combine_##DTYPE(const T* expert_out, const float* route_weights, float* residual, \
                                                   int hidden, int top_k) {                                         \
        aqlm::moe_combine<T>(expert_out, route_weights, residual, hidden, top_k);                                   \
    }                                                                                                               \
    /* Uniform values in [-scale, scale): synthetic weights whose speed matches real ones. */                       \
    extern "C" __global__ void fill_random_##DTYPE(T* values, long long count, unsigned long long seed, float scale) { \
        for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < count;                            \
             i += (long long)gridDim.x * blockDim.x) {                                                              \
            const unsigned long long bits = aqlm::mix64(seed + 0x9E3779B97F4A7C15ull * (unsigned long long)(i + 1)); \
            values[i] = aqlm::from_float<T>(((bits >> 40) * 0x1p-24f * 2.f - 1.f) * scale);                        \
        }                                                                                                           \
    }

AQLM_ROWWISE(f16, __half)
AQLM_ROWWISE(bf16, __nv_bfloat16)

// Random bytes (synthetic AQLM code words: any bit pattern is a valid set of codebook indices).
extern "C" __global__ void fill_random_bytes(unsigned char* values, long long count, unsigned long long seed) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x) {
        values[i] = (unsigned char)(aqlm::mix64(seed + 0x9E3779B97F4A7C15ull * (unsigned long long)(i + 1)) >> 56);
    }
}

// value[i] = constant (fp32 fill, e.g. synthetic norm weights and scales).
extern "C" __global__ void fill_f32(float* values, long long count, float constant) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x) {
        values[i] = constant;
    }
}
