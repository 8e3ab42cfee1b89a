// Element-wise kernels of the decode step. Activations are fp16 or bf16 (the checkpoint's dtype); math runs in fp32.
#include <cuda_fp16.h>
#include <cuda_bf16.h>

template <typename T> __device__ __forceinline__ float to_float(T v);
template <> __device__ __forceinline__ float to_float<__half>(__half v) { return __half2float(v); }
template <> __device__ __forceinline__ float to_float<__nv_bfloat16>(__nv_bfloat16 v) { return __bfloat162float(v); }
template <typename T> __device__ __forceinline__ T from_float(float v);
template <> __device__ __forceinline__ __half from_float<__half>(float v) { return __float2half_rn(v); }
template <> __device__ __forceinline__ __nv_bfloat16 from_float<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

// residual[i] += delta[i]
template <typename T>
__device__ void add_in_place(T* residual, const T* delta, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        residual[i] = from_float<T>(to_float(residual[i]) + to_float(delta[i]));
    }
}

extern "C" __global__ void add_in_place_f16(__half* residual, const __half* delta, int n) { add_in_place(residual, delta, n); }
extern "C" __global__ void add_in_place_bf16(__nv_bfloat16* residual, const __nv_bfloat16* delta, int n) { add_in_place(residual, delta, n); }
