// memcheck and racecheck, on the CPU: a module built with -fsanitize=thread calls __tsan_readN / __tsan_writeN before
// every memory access of kernel code, and these hooks (not ThreadSanitizer's runtime) check it:
//   - global memory: the access lies inside one live allocation that the running device may touch (its own, a peer's
//     after cuCtxEnablePeerAccess, or pinned host memory), and is aligned to its size;
//   - shared memory: no thread reads bytes that no thread of its block wrote (initcheck), and two threads never touch
//     the same byte between two barriers with at least one write (RAW, WAR, WAW hazards), unless both are in one
//     warp and a warp-synchronous operation (__syncwarp, a shuffle, ldmatrix, mma) came between.
#include <atomic>
#include <sstream>

#include "emulator.h"

namespace cuemu {

namespace {
constexpr uint16_t kManyReaders = 0xFFFF;

// Per shared byte: the last writer and reader within the current barrier interval.
struct Shadow {
    uint32_t write_epoch, read_epoch, write_warp_epoch, read_warp_epoch;
    uint16_t writer, reader;
};

thread_local std::vector<Shadow> t_shadow;
thread_local uintptr_t t_shared_begin = 0;
thread_local size_t t_shared_bytes = 0;
thread_local uint32_t t_epoch = 1, t_block_epoch = 1;
thread_local std::vector<uint32_t> t_warp_epochs;
struct CachedAllocation { uintptr_t begin = 0, end = 0; uint64_t generation = ~0ull; };
thread_local CachedAllocation t_last_allocation;

std::mutex g_module_data_lock;
std::vector<std::pair<uintptr_t, uintptr_t>> g_module_data;

bool is_module_data(uintptr_t address) {
    std::lock_guard<std::mutex> hold(g_module_data_lock);
    for (const auto& [begin, end] : g_module_data)
        if (address >= begin && address < end) return true;
    return false;
}

bool ordered_in_warp(int a, int b, uint32_t then_warp_epoch) {
    return a != kManyReaders && a / 32 == b / 32 && t_warp_epochs[b / 32] > then_warp_epoch;
}

[[noreturn]] void hazard(const char* kind, const char* how, uintptr_t address, int other, bool other_wrote) {
    std::ostringstream s;
    s << "shared-memory race (" << kind << "): " << how << " at shared offset " << address - t_shared_begin
      << " by thread " << current_thread_linear() << ", which thread "
      << (other == kManyReaders ? std::string("s (several)") : std::to_string(other)) << (other_wrote ? " wrote" : " read")
      << " since the last __syncthreads: a barrier is missing between them";
    kernel_fault(LAUNCH_FAILED, s.str());
}
}  // namespace

void allow_module_data(uintptr_t begin, uintptr_t end) {
    std::lock_guard<std::mutex> hold(g_module_data_lock);
    g_module_data.emplace_back(begin, end);
}

void begin_grid_checks(uintptr_t shared_begin, size_t shared_bytes) {
    t_shared_begin = shared_begin;
    t_shared_bytes = shared_bytes;
    if (launch_checked() && t_shadow.size() < shared_bytes) t_shadow.resize(shared_bytes, Shadow{});
}

void block_started(unsigned threads) {
    t_block_epoch = ++t_epoch;
    t_warp_epochs.assign((threads + 31) / 32, 0);
}

void barrier_completed() { t_epoch++; }

void warp_synchronized(int warp) { t_warp_epochs[warp]++; }

void check_shared_access(uintptr_t address, size_t bytes, bool write, const char* how) {
    if (address < t_shared_begin || address + bytes > t_shared_begin + t_shared_bytes) {
        kernel_fault(ILLEGAL_ADDRESS, std::string(how) + " of " + std::to_string(bytes) + " bytes at " + hex(address) +
                     ", outside the block's shared memory");
    }
    const int me = current_thread_linear();
    const uint32_t warp_epoch = t_warp_epochs[me / 32];
    Shadow* shadow = t_shadow.data() + (address - t_shared_begin);
    for (size_t i = 0; i < bytes; i++) {
        Shadow& s = shadow[i];
        const bool same_interval_write = s.write_epoch == t_epoch && s.writer != me;
        if (!write) {
            if (s.write_epoch < t_block_epoch) {
                kernel_fault(LAUNCH_FAILED, std::string("uninitialised shared memory: ") + how + " at shared offset " +
                             std::to_string(address + i - t_shared_begin) + " by thread " + std::to_string(me) +
                             " reads a byte that no thread of this block wrote (it holds garbage on a GPU)");
            }
            if (same_interval_write && !ordered_in_warp(s.writer, me, s.write_warp_epoch)) {
                hazard("read after write", how, address + i, s.writer, true);
            }
            s.reader = s.read_epoch == t_epoch && s.reader != me ? kManyReaders : (uint16_t)me;
            s.read_epoch = t_epoch;
            s.read_warp_epoch = warp_epoch;
        } else {
            if (same_interval_write && !ordered_in_warp(s.writer, me, s.write_warp_epoch)) {
                hazard("write after write", how, address + i, s.writer, true);
            }
            if (s.read_epoch == t_epoch && s.reader != me && !ordered_in_warp(s.reader, me, s.read_warp_epoch)) {
                hazard("write after read", how, address + i, s.reader, false);
            }
            s.writer = (uint16_t)me;
            s.write_epoch = t_epoch;
            s.write_warp_epoch = warp_epoch;
        }
    }
}

void check_global_access(uintptr_t address, size_t bytes, const char* how) {
    const uint64_t generation = g_memory_generation.load(std::memory_order_relaxed);
    const CachedAllocation& cached = t_last_allocation;
    if (address >= cached.begin && address + bytes <= cached.end && cached.generation == generation) return;
    Allocation a;
    const Launch* launch = current_launch();
    if (!find_allocation(address, bytes, &a)) {
        if (is_module_data(address)) return;
        kernel_fault(ILLEGAL_ADDRESS, std::string("out-of-bounds ") + how + " of " + std::to_string(bytes) +
                     " bytes at " + describe_address(address));
    }
    if (!launch->context->may_touch(a.device)) {
        kernel_fault(ILLEGAL_ADDRESS, std::string(how) + " of " + std::to_string(bytes) + " bytes at " +
                     describe_address(address) + " from a kernel on device " +
                     std::to_string(launch->context->device) + ", which has no peer access to device " +
                     std::to_string(a.device) + " (cuCtxEnablePeerAccess)");
    }
    t_last_allocation = CachedAllocation{a.begin, a.begin + a.bytes, generation};
}

namespace {
inline void check_access(const void* pointer, size_t bytes, bool write, bool aligned) {
    const Launch* launch = current_launch();
    if (!launch || current_thread_linear() < 0) return;  // not kernel code (module constructors, the scheduler)
    const uintptr_t address = (uintptr_t)pointer;
    if (on_fiber_stack(address)) return;  // the thread's own locals
    const char* how = write ? "write" : "read";
    if (aligned && (address & (bytes - 1))) {
        kernel_fault(MISALIGNED_ADDRESS, std::string("misaligned ") + how + " of " + std::to_string(bytes) +
                     " bytes at " + hex(address) + " (a GPU requires natural alignment)");
    }
    if (address - t_shared_begin < t_shared_bytes) {
        check_shared_access(address, bytes, write, how);
        return;
    }
    const char* args = launch->args.get();
    if (address >= (uintptr_t)args && address + bytes <= (uintptr_t)args + launch->function->kernel->args_size) return;
    check_global_access(address, bytes, how);
}
}  // namespace

}  // namespace cuemu

// ---- the hooks GCC's -fsanitize=thread instrumentation calls (names and signatures fixed by the compiler) ----
#define CUEMU_HOOK extern "C" __attribute__((visibility("default")))
#define CUEMU_SIZED_HOOKS(N)                                                                             \
    CUEMU_HOOK void __tsan_read##N(void* p) { cuemu::check_access(p, N, false, true); }                 \
    CUEMU_HOOK void __tsan_write##N(void* p) { cuemu::check_access(p, N, true, true); }                 \
    CUEMU_HOOK void __tsan_unaligned_read##N(void* p) { cuemu::check_access(p, N, false, false); }      \
    CUEMU_HOOK void __tsan_unaligned_write##N(void* p) { cuemu::check_access(p, N, true, false); }
CUEMU_SIZED_HOOKS(1)
CUEMU_SIZED_HOOKS(2)
CUEMU_SIZED_HOOKS(4)
CUEMU_SIZED_HOOKS(8)
CUEMU_SIZED_HOOKS(16)
CUEMU_HOOK void __tsan_read_range(void* p, unsigned long n) { if (n) cuemu::check_access(p, n, false, false); }
CUEMU_HOOK void __tsan_write_range(void* p, unsigned long n) { if (n) cuemu::check_access(p, n, true, false); }
CUEMU_HOOK void __tsan_init(void) {}
CUEMU_HOOK void __tsan_func_entry(void*) {}
CUEMU_HOOK void __tsan_func_exit(void) {}
// __threadfence(_system) in a checked module: the fence itself (the kernel relies on it to order its flags).
CUEMU_HOOK void __tsan_atomic_thread_fence(int) { std::atomic_thread_fence(std::memory_order_seq_cst); }
