// The sm_80 primitives of common.cuh (inline PTX there) for the emulator; included inside namespace aqlm. cp.async
// lands at cp.async.wait_group, ldmatrix and mma.sync follow the PTX ISA fragment layouts (the grid runtime).
__device__ __forceinline__ uint32_t smem_address(const void* p) { return (uint32_t)(uintptr_t)p; }

template <int BYTES>
__device__ __forceinline__ void cp_async(void* smem, const void* global, bool valid) {
    ::cuemu::cp_async(smem, global, BYTES, valid ? BYTES : 0);
}
__device__ __forceinline__ void cp_async_commit() { ::cuemu::cp_async_commit(); }
template <int PENDING>
__device__ __forceinline__ void cp_async_wait() { ::cuemu::cp_async_wait(PENDING); }

__device__ __forceinline__ void ldmatrix_x4(uint32_t (&r)[4], const void* smem) { ::cuemu::ldmatrix(r, 4, smem); }
__device__ __forceinline__ void ldmatrix_x2(uint32_t (&r)[2], const void* smem) { ::cuemu::ldmatrix(r, 2, smem); }

__device__ __forceinline__ void mma_16816(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2], __half) {
    ::cuemu::mma_m16n8k16(d, a, b, false);
}
__device__ __forceinline__ void mma_16816(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2],
                                          __nv_bfloat16) {
    ::cuemu::mma_m16n8k16(d, a, b, true);
}
__device__ __forceinline__ uint32_t dynamic_smem_bytes() { return ::cuemu::dynamic_shared_bytes(); }
