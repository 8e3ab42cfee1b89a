// Kernels with planted bugs, one per check of the emulator (EmulatorChecksTest launches each and expects it caught),
// and a few correct ones that the checks must let pass.

// ---- correct kernels ----
extern "C" __global__ void copy_floats(const float* in, float* out, int n) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = in[i];
}

// Shared memory written, a barrier, then read by another thread: no hazard.
extern "C" __global__ void reverse_in_shared(const float* in, float* out) {
    __shared__ float buffer[64];
    buffer[threadIdx.x] = in[threadIdx.x];
    __syncthreads();
    out[threadIdx.x] = buffer[63 - threadIdx.x];
}

// Spins until another device's kernel sets *flag (forever when none does: the watchdog's planted bug), then reports what it saw (peer access required).
extern "C" __global__ void wait_for_flag(volatile const int* flag, int* seen) {
    while (*flag == 0) {
    }
    *seen = *flag;
}
extern "C" __global__ void set_flag(volatile int* flag, int value) { *flag = value; }

extern "C" __global__ void __launch_bounds__(64) bounded_to_64(float* out) { out[threadIdx.x] = 1.f; }

extern "C" __global__ void uses_dynamic_shared(float* out) {
    extern __shared__ float dynamic[];
    dynamic[threadIdx.x] = (float)threadIdx.x;
    __syncthreads();
    out[threadIdx.x] = dynamic[threadIdx.x];
}

// ---- planted bugs ----
// Reads one element past the end of `in` (n elements).
extern "C" __global__ void read_past_end(const float* in, float* out, int n) { out[0] = in[n]; }

// Writes the element just past the end of `out` (count elements).
extern "C" __global__ void write_past_end(float* out, int count) { out[count] = 1.f; }

// A 16-byte vector copy from an address that is only 4-byte aligned.
extern "C" __global__ void misaligned_vector_load(const float* in, float* out) {
    *reinterpret_cast<uint4*>(out) = *reinterpret_cast<const uint4*>(in + 1);
}

// Dereferences a pointer it reads from device memory (so the launch cannot see it).
extern "C" __global__ void read_through_table(const float* const* table, float* out) { out[0] = table[0][0]; }

// Every block reads what block 0 wrote to shared memory: on a GPU the other blocks see garbage.
extern "C" __global__ void read_other_blocks_shared(float* out) {
    __shared__ float value;
    if (blockIdx.x == 0 && threadIdx.x == 0) value = 42.f;
    __syncthreads();
    if (threadIdx.x == 0) out[blockIdx.x] = value;
}

// A barrier only the first warp reaches; the rest of the block exits.
extern "C" __global__ void barrier_in_first_warp_only(float* out) {
    if (threadIdx.x < 32) {
        __syncthreads();
        out[threadIdx.x] = 1.f;
    }
}

// Lane 0 waits in a shuffle for lanes that wait at a barrier for lane 0.
extern "C" __global__ void shuffle_against_barrier(float* out) {
    float v = (float)threadIdx.x;
    if (threadIdx.x == 0) {
        v = __shfl_xor_sync(0xffffffffu, v, 1);
    } else {
        __syncthreads();
    }
    out[threadIdx.x] = v;
}

// Thread t reads what thread t-1 wrote to shared memory with no barrier between.
extern "C" __global__ void missing_syncthreads(const float* in, float* out) {
    __shared__ float buffer[64];
    buffer[threadIdx.x] = in[threadIdx.x];
    out[threadIdx.x] = threadIdx.x > 0 ? buffer[threadIdx.x - 1] : 0.f;
}

// Overwrites a shared value another thread read in the same barrier interval.
extern "C" __global__ void write_after_read(const float* in, float* out) {
    __shared__ float buffer[64];
    buffer[threadIdx.x] = in[threadIdx.x];
    __syncthreads();
    const float next = buffer[(threadIdx.x + 1) % 64];
    buffer[threadIdx.x] = next * 2.f;
    __syncthreads();
    out[threadIdx.x] = buffer[threadIdx.x];
}

// A shuffle whose mask names lanes that do not exist in a 16-thread block.
extern "C" __global__ void shuffle_with_absent_lanes(float* out) {
    out[threadIdx.x] = __shfl_xor_sync(0xffffffffu, (float)threadIdx.x, 1);
}
