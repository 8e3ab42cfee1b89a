// The contract between the emulated driver (libcuda.so.1, which also runs grids) and a host-compiled kernel module
// (the project's .cu sources built by g++ against cuemu/device.h). A module exports cuemu_module(); the driver finds
// kernels by name in its table, packs cuLaunchKernel's argument pointers with `pack` and calls `run_thread` once per
// emulated CUDA thread, each on its own fiber.
#pragma once
#include <stddef.h>

#define CUEMU_ABI_VERSION 1

enum cuemu_param_kind {
    CUEMU_PARAM_VALUE = 0,    // a number: nothing to check
    CUEMU_PARAM_POINTER = 1,  // must be null or point into memory the launching device may touch
    CUEMU_PARAM_STRUCT = 2,   // passed by value: each aligned 8-byte word that holds a device address is checked
};

struct cuemu_param {
    size_t offset, size;
    int kind;  // cuemu_param_kind
};

struct cuemu_kernel {
    const char* name;
    int max_threads;  // __launch_bounds__, 0 when the kernel declares none
    size_t args_size;
    int param_count;
    const cuemu_param* params;
    void (*pack)(void* const* kernel_params, void* args);  // copies each *kernel_params[i] to its offset in args
    void (*run_thread)(const void* args);                  // the kernel body, for the calling emulated thread
};

struct cuemu_module_info {
    int abi_version;
    const char* sources_sha256;  // of kernels/src/main/cuda, as the fatbin built from them carries it
    int checked;                 // 1: built with memory-access hooks (memcheck and racecheck)
    int kernel_count;
    const cuemu_kernel* kernels;
    // The calling thread's `extern __shared__` arrays (one per enclosing namespace) and their capacity: a block's
    // dynamic shared memory. Everything else in the module's thread-local storage is static `__shared__` data.
    int (*dynamic_shared_arrays)(char** arrays, int capacity);
    size_t dynamic_shared_capacity;
};

extern "C" const cuemu_module_info* cuemu_module(void);

// The marker build-fatbin.sh compiles into the fatbin, followed by 64 hex digits.
#define CUEMU_FATBIN_HASH_MARKER "aqlm-kernel-sources-sha256:"
// An image that names a host module directly (tests load small modules this way): this prefix, then the path.
#define CUEMU_HOST_MODULE_IMAGE "cuemu-host-module:"
