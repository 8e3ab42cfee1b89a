// The CUDA device dialect of kernels/src/main/cuda, for g++ (force-included with -include cuemu/device.h).
//
// Each CUDA thread runs on a fiber of the emulated driver; a block's fibers share one OS thread, so `__shared__` is
// thread_local storage (block-scope thread_local is implicitly static: one copy per OS thread = per running block).
// Barriers and warp collectives are the only points where a fiber yields. The functions declared in namespace cuemu
// are the grid runtime, exported by the emulated libcuda.so.1 that the module links against.
#pragma once
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <sched.h>
#include <string.h>

#include <type_traits>

// ---- qualifiers ----
#define __host__
#define __device__
#define __forceinline__ inline __attribute__((always_inline))
#define __global__ __attribute__((used, noinline))
#define __shared__ thread_local
#define __align__(n) __attribute__((aligned(n)))
#define __restrict__ __restrict
#ifndef CUEMU_KEEP_LAUNCH_BOUNDS  // gen-kernel-table.sh reads them from the preprocessed sources
#define __launch_bounds__(...)
#endif
#define CUEMU_HOST 1

// ---- vector types ----
struct uint3 { unsigned x, y, z; };
struct dim3 { unsigned x = 1, y = 1, z = 1; };
struct float2 { float x, y; };
struct __attribute__((aligned(16))) uint4 { unsigned x, y, z, w; };
inline uint4 make_uint4(unsigned x, unsigned y, unsigned z, unsigned w) { return uint4{x, y, z, w}; }

// ---- 16-bit float types: bit-exact storage; conversions round to nearest even like __float2half_rn ----
struct __half { uint16_t __x; };
struct __half2 { __half x, y; };
struct __nv_bfloat16 { uint16_t __x; };
struct __nv_bfloat162 { __nv_bfloat16 x, y; };
static_assert(sizeof(__half2) == 4 && sizeof(__nv_bfloat162) == 4, "packed pairs");

namespace cuemu {
inline float half_bits_to_float(uint16_t b) { _Float16 h; memcpy(&h, &b, 2); return (float)h; }
inline uint16_t double_to_half_bits(double d) { _Float16 h = (_Float16)d; uint16_t b; memcpy(&b, &h, 2); return b; }
inline float bf16_bits_to_float(uint16_t b) { uint32_t u = (uint32_t)b << 16; float f; memcpy(&f, &u, 4); return f; }
inline uint16_t float_to_bf16_bits(float f) {
    uint32_t u; memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return 0x7fff;  // NaN: CUDA's canonical bf16 NaN
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}
// double -> bf16 with one rounding: round to odd into float first (keeps the sticky bit), then to nearest even.
inline uint16_t double_to_bf16_bits(double d) {
    float f = (float)d;
    if ((double)f != d && !isnan(d) && !isinf(f)) {
        if (fabs((double)f) > fabs(d)) f = nextafterf(f, 0.f);
        uint32_t u; memcpy(&u, &f, 4); u |= 1u; memcpy(&f, &u, 4);
    }
    return float_to_bf16_bits(f);
}
}  // namespace cuemu

inline float __half2float(__half h) { return cuemu::half_bits_to_float(h.__x); }
inline __half __float2half_rn(float f) { return __half{cuemu::double_to_half_bits(f)}; }
inline float2 __half22float2(__half2 h) { return float2{__half2float(h.x), __half2float(h.y)}; }
inline __half2 __floats2half2_rn(float a, float b) { return __half2{__float2half_rn(a), __float2half_rn(b)}; }
inline __half2 __hadd2(__half2 a, __half2 b) {  // one rounding of the exact sum
    return __half2{{cuemu::double_to_half_bits((double)__half2float(a.x) + __half2float(b.x))},
                   {cuemu::double_to_half_bits((double)__half2float(a.y) + __half2float(b.y))}};
}
inline float __bfloat162float(__nv_bfloat16 h) { return cuemu::bf16_bits_to_float(h.__x); }
inline __nv_bfloat16 __float2bfloat16_rn(float f) { return __nv_bfloat16{cuemu::float_to_bf16_bits(f)}; }
inline float2 __bfloat1622float2(__nv_bfloat162 h) { return float2{__bfloat162float(h.x), __bfloat162float(h.y)}; }
inline __nv_bfloat162 __floats2bfloat162_rn(float a, float b) {
    return __nv_bfloat162{__float2bfloat16_rn(a), __float2bfloat16_rn(b)};
}
inline __nv_bfloat162 __hadd2(__nv_bfloat162 a, __nv_bfloat162 b) {
    return __nv_bfloat162{{cuemu::double_to_bf16_bits((double)__bfloat162float(a.x) + __bfloat162float(b.x))},
                          {cuemu::double_to_bf16_bits((double)__bfloat162float(a.y) + __bfloat162float(b.y))}};
}

// ---- integer / bit intrinsics and math ----
// IEEE single-precision operations nvcc never fuses into an FMA (x86-64 without -mfma does not fuse either).
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fadd_rn(float a, float b) { return a + b; }
inline unsigned __float_as_uint(float f) { unsigned u; memcpy(&u, &f, 4); return u; }
inline float __uint_as_float(unsigned u) { float f; memcpy(&f, &u, 4); return f; }
inline int __ffs(int x) { return __builtin_ffs(x); }
template <typename T> inline T __ldcg(const T* p) { return *p; }
template <typename A, typename B> inline typename std::common_type<A, B>::type min(A a, B b) { return b < a ? b : a; }
template <typename A, typename B> inline typename std::common_type<A, B>::type max(A a, B b) { return a < b ? b : a; }

// ---- the grid runtime (exported by the emulated libcuda.so.1) ----
#define CUEMU_RUNTIME __attribute__((visibility("default")))
namespace cuemu {
// By value: the coordinates land in the thread's registers, not in runtime memory the checked module would see read.
CUEMU_RUNTIME uint3 thread_idx();
CUEMU_RUNTIME uint3 block_idx();
CUEMU_RUNTIME dim3 block_dim();
CUEMU_RUNTIME dim3 grid_dim();
CUEMU_RUNTIME unsigned dynamic_shared_bytes();

CUEMU_RUNTIME void syncthreads(const char* file, int line);
CUEMU_RUNTIME void syncwarp(unsigned mask);
// A warp collective: every lane named in `mask` deposits `in` (<= 64 bytes); when the last arrives, `op` maps all
// inputs to all outputs; each lane then receives its `out` (<= 64 bytes).
using WarpOp = void (*)(const unsigned char (*in)[64], unsigned char (*out)[64], unsigned lanes);
CUEMU_RUNTIME void warp_collective(unsigned mask, const void* in, size_t in_bytes, void* out, size_t out_bytes,
                                   WarpOp op, const char* what);
[[noreturn]] CUEMU_RUNTIME void trap(const char* what);

// sm_80 primitives (the CUEMU_HOST branch of common.cuh)
CUEMU_RUNTIME void cp_async(void* smem, const void* global, int bytes, int src_bytes);
CUEMU_RUNTIME void cp_async_commit();
CUEMU_RUNTIME void cp_async_wait(int pending);
CUEMU_RUNTIME void ldmatrix(uint32_t* r, int num, const void* row_address);
CUEMU_RUNTIME void mma_m16n8k16(float* d, const uint32_t* a, const uint32_t* b, bool bf16);

template <typename T>
struct ShflRequest { T value; int lane_mask; };
// Runs in the runtime's warp state, not in the kernel's memory: kept out of the checked module's access hooks.
template <typename T>
__attribute__((no_sanitize_thread)) void shfl_xor_op(const unsigned char (*in)[64], unsigned char (*out)[64],
                                                     unsigned lanes) {
    for (unsigned l = 0; l < 32; l++) {
        if (!((lanes >> l) & 1)) continue;
        ShflRequest<T> r; memcpy(&r, in[l], sizeof r);
        const unsigned src = l ^ (unsigned)r.lane_mask;
        const unsigned from = src < 32 && ((lanes >> src) & 1) ? src : l;  // a source outside the mask: own value
        ShflRequest<T> s; memcpy(&s, in[from], sizeof s);
        memcpy(out[l], &s.value, sizeof(T));
    }
}
}  // namespace cuemu

template <typename T>
inline T __shfl_xor_sync(unsigned mask, T value, int lane_mask) {
    static_assert(sizeof(T) <= 56, "shuffle of a large type");
    cuemu::ShflRequest<T> r{value, lane_mask};
    T out;
    cuemu::warp_collective(mask, &r, sizeof r, &out, sizeof out, &cuemu::shfl_xor_op<T>, "__shfl_xor_sync");
    return out;
}
#define __syncthreads() ::cuemu::syncthreads(__FILE__, __LINE__)
inline void __syncwarp(unsigned mask = 0xffffffffu) { ::cuemu::syncwarp(mask); }
#define __trap() ::cuemu::trap("__trap()")
// Memory fences: every emulated device shares the host's memory, so a full fence orders a thread's accesses for all.
// (Checked modules turn them into __tsan_atomic_thread_fence, which checks.cpp implements as the same fence.)
#pragma GCC diagnostic ignored "-Wtsan"
inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_system() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
// A spin-wait's pause: lets the OS thread of another device (or stream) run the block that will end the wait.
inline void __nanosleep(unsigned) { sched_yield(); }
#define threadIdx (::cuemu::thread_idx())
#define blockIdx (::cuemu::block_idx())
#define blockDim (::cuemu::block_dim())
#define gridDim (::cuemu::grid_dim())
#define warpSize 32
