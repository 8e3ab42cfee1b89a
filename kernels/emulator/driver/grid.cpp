// The grid runtime: each CUDA thread is a fiber (a hand-written x86-64 stack switch; swapcontext makes a system call
// per switch and was 14x slower), a block's fibers run on one OS thread, and the blocks of a grid are spread over a
// pool of OS threads owned by the stream that launched it. Fibers yield only at barriers and warp collectives.
//
// What a GPU would not tell you, reported as a kernel fault that poisons the context: a barrier reached by part of a
// block (others exited or wait at another __syncthreads), deadlock, a warp collective whose mask names a lane that
// exited or does not exist, and (with the fault handler) a memory access outside any allocation's pages.
#include <dlfcn.h>
#include <link.h>
#include <signal.h>
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "emulator.h"
// After the C++ headers: the dialect defines macros (threadIdx, __shared__, ...) that they must not see.
#include "cuemu/device.h"

extern "C" void cuemu_switch(void** save_sp, void* load_sp);
asm(R"(
.text
.globl cuemu_switch
.hidden cuemu_switch
.type cuemu_switch,@function
cuemu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
.size cuemu_switch,.-cuemu_switch
)");

namespace cuemu {

namespace {
constexpr size_t kStackBytes = 64 * 1024;
enum State { RUNNABLE, AT_BARRIER, AT_WARP, DONE };

struct Copy { void* dst; const void* src; int bytes, src_bytes; };

struct Fiber {
    void* sp = nullptr;
    char* stack = nullptr;
    uint3 tid{};
    int linear = 0, lane = 0, warp = 0;
    State state = RUNNABLE;
    std::vector<Copy> open_group;
    std::vector<std::vector<Copy>> groups;  // committed, oldest first (a few: the pipeline's stages)
};

struct Warp {
    unsigned exists = 0, live = 0, arrived = 0, mask = 0;  // lane bit masks
    const char* what = nullptr;
    WarpOp op = nullptr;
    unsigned char in[32][64], out[32][64];
};

// One per OS thread that runs blocks: fibers, stacks and block state, reused across blocks and launches.
struct Worker {
    std::vector<char*> stacks;
    std::vector<Fiber> fibers;
    std::vector<Warp> warps;
    std::deque<int> runnable;
    void* scheduler = nullptr;
    unsigned threads = 0;  // of the running block
    int live = 0, exited = 0, at_barrier = 0;
    const char* barrier_file = nullptr;
    int barrier_line = 0;
    const Launch* launch = nullptr;
    uint3 block_idx{};
    dim3 block_dim, grid_dim;
    // A fault in the running block: set by kernel_fault or the signal handler, then the scheduler resumes.
    int fault_code = SUCCESS;
    std::string fault_report;
    uintptr_t fault_address = 0;
    bool faulted_by_signal = false;
    std::atomic<bool> timeout_requested{false};  // set by the stream's watchdog: the grid ran past its time
    void* abandoned_sp = nullptr;

    char* stack(size_t i);
    ~Worker();
};
// Read at every barrier, collective and thread coordinate: initial-exec (16 bytes of static TLS) spares a
// __tls_get_addr call each time.
__attribute__((tls_model("initial-exec"))) thread_local Worker* t_worker = nullptr;
__attribute__((tls_model("initial-exec"))) thread_local Fiber* t_fiber = nullptr;
}  // namespace

// ---------------------------------------------------------------- fiber stacks
namespace {
std::mutex g_stack_lock;
std::vector<char*> g_free_stacks;

char* acquire_stack() {
    {
        std::lock_guard<std::mutex> hold(g_stack_lock);
        if (!g_free_stacks.empty()) {
            char* s = g_free_stacks.back();
            g_free_stacks.pop_back();
            return s;
        }
    }
    char* base = static_cast<char*>(mmap(nullptr, kStackBytes + 4096, PROT_READ | PROT_WRITE,
                                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
    if (base == MAP_FAILED) {
        log("cannot map a fiber stack");
        abort();
    }
    mprotect(base, 4096, PROT_NONE);  // guard page: a stack overflow faults instead of corrupting
    return base + 4096;
}
}  // namespace

char* Worker::stack(size_t i) {
    while (stacks.size() <= i) stacks.push_back(acquire_stack());
    return stacks[i];
}

Worker::~Worker() {
    std::lock_guard<std::mutex> hold(g_stack_lock);
    g_free_stacks.insert(g_free_stacks.end(), stacks.begin(), stacks.end());
}

// ---------------------------------------------------------------- faults
namespace {
// Hands the OS thread to the next runnable fiber of the block (directly: one switch, not two through the scheduler),
// or to the scheduler when none is runnable (the block is done, deadlocked, or faulted).
void switch_away(void** save) {
    Worker& w = *t_worker;
    while (!w.runnable.empty()) {
        Fiber& next = w.fibers[w.runnable.front()];
        w.runnable.pop_front();
        if (next.state != RUNNABLE) continue;
        t_fiber = &next;
        cuemu_switch(save, next.sp);
        return;
    }
    cuemu_switch(save, w.scheduler);
}
void yield_fiber() { switch_away(&t_fiber->sp); }

std::string thread_name(const Worker& w, const Fiber* f) {
    std::ostringstream s;
    s << "block (" << w.block_idx.x << "," << w.block_idx.y << "," << w.block_idx.z << ")";
    if (f) s << " thread (" << f->tid.x << "," << f->tid.y << "," << f->tid.z << ")";
    return s.str();
}

// Leaves the running fiber for good: the block is abandoned, as a faulting GPU abandons the grid. Called from kernel
// code and from the signal handlers (on the alternate stack, which is simply left behind).
[[noreturn]] void abandon_block(Worker& w) {
    cuemu_switch(&w.abandoned_sp, w.scheduler);
    __builtin_unreachable();
}
}  // namespace

void kernel_fault(int code, const std::string& report) {
    Worker& w = *t_worker;
    if (w.fault_code == SUCCESS) {
        w.fault_code = code;
        w.fault_report = thread_name(w, t_fiber) + ": " + report;
    }
    abandon_block(w);
}

void trap(const char* what) { kernel_fault(LAUNCH_FAILED, std::string(what) + " executed"); }

namespace {
struct sigaction g_previous_segv, g_previous_bus;

// Faults in emulated kernels (guard pages, wild pointers) end the block; every other fault belongs to the JVM or the
// host program and goes to the handler that was installed before ours (the JVM uses SIGSEGV itself).
void on_fault(int signal, siginfo_t* info, void* context) {
    Worker* w = t_worker;
    if (w && t_fiber) {
        w->fault_code = ILLEGAL_ADDRESS;
        w->fault_address = (uintptr_t)info->si_addr;
        w->faulted_by_signal = true;
        abandon_block(*w);
    }
    const struct sigaction& previous = signal == SIGSEGV ? g_previous_segv : g_previous_bus;
    if (previous.sa_flags & SA_SIGINFO) {
        previous.sa_sigaction(signal, info, context);
    } else if (previous.sa_handler == SIG_DFL) {
        ::signal(signal, SIG_DFL);  // the faulting instruction runs again and takes the default action
    } else if (previous.sa_handler != SIG_IGN) {
        previous.sa_handler(signal);
    }
}

// A fiber that never yields (a spin on a flag nobody sets) cannot be stopped by the scheduler: the watchdog sends
// this signal to the grid's threads, and the fiber it interrupts is abandoned as a faulting one is.
int timeout_signal() { return SIGRTMIN + 3; }

void on_timeout(int, siginfo_t*, void*) {
    Worker* w = t_worker;
    if (w && t_fiber && w->timeout_requested.load()) {
        w->fault_code = LAUNCH_TIMEOUT;
        abandon_block(*w);
    }
}

void give_thread_an_alternate_stack() {
    stack_t alternate{};
    alternate.ss_size = 64 * 1024;
    alternate.ss_sp = mmap(nullptr, alternate.ss_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    sigaltstack(&alternate, nullptr);  // a fiber's stack overflow still reaches the handler
}
}  // namespace

void install_fault_handler() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction action {};
        action.sa_sigaction = on_fault;
        action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
        sigemptyset(&action.sa_mask);
        sigaction(SIGSEGV, &action, &g_previous_segv);
        sigaction(SIGBUS, &action, &g_previous_bus);
        action.sa_sigaction = on_timeout;
        sigaction(timeout_signal(), &action, nullptr);
    });
}

// ---------------------------------------------------------------- barriers and warp collectives
namespace {
void make_runnable(Worker& w, Fiber& f) {
    f.state = RUNNABLE;
    w.runnable.push_back(f.linear);
}

void release_barrier_if_complete(Worker& w) {
    if (w.at_barrier > 0 && w.at_barrier == w.live) {
        for (unsigned i = 0; i < w.threads; i++)
            if (w.fibers[i].state == AT_BARRIER) make_runnable(w, w.fibers[i]);
        w.at_barrier = 0;
        w.barrier_file = nullptr;
        barrier_completed();
    }
}

void complete_warp_if_ready(Worker& w, Warp& warp) {
    if (warp.arrived == 0 || warp.arrived != warp.mask) return;
    warp.op(warp.in, warp.out, warp.arrived);
    const int base = (int)(&warp - w.warps.data()) * 32;
    for (unsigned l = 0; l < 32; l++) {
        if ((warp.arrived >> l) & 1) make_runnable(w, w.fibers[base + l]);
    }
    warp.arrived = 0;
    warp_synchronized(base / 32);
}

void fiber_entry() {
    Worker& w = *t_worker;
    w.launch->function->kernel->run_thread(w.launch->args.get());
    Fiber& f = *t_fiber;
    if (!f.open_group.empty() || !f.groups.empty()) cp_async_wait(0);  // copies land before the thread is gone
    if (w.at_barrier > 0) {
        kernel_fault(LAUNCH_FAILED, "exited while " + std::to_string(w.at_barrier) + " threads of its block wait at "
                     "__syncthreads (" + w.barrier_file + ":" + std::to_string(w.barrier_line) + "): barrier divergence");
    }
    Warp& warp = w.warps[f.warp];
    if (warp.arrived) {
        kernel_fault(LAUNCH_FAILED, std::string("exited while its warp waits in ") + warp.what + " with it in the mask");
    }
    f.state = DONE;
    w.live--;
    w.exited++;
    warp.live &= ~(1u << f.lane);
    switch_away(&f.sp);  // never resumed
}
}  // namespace

void syncthreads(const char* file, int line) {
    Worker& w = *t_worker;
    Fiber& f = *t_fiber;
    if (w.exited > 0) {
        kernel_fault(LAUNCH_FAILED, "__syncthreads at " + std::string(file) + ":" + std::to_string(line) + " after " +
                     std::to_string(w.exited) + " threads of the block exited: barrier divergence (a barrier in "
                     "code that not every thread of the block reaches)");
    }
    if (w.barrier_file == nullptr) {
        w.barrier_file = file;
        w.barrier_line = line;
    } else if (w.barrier_line != line || strcmp(w.barrier_file, file) != 0) {
        kernel_fault(LAUNCH_FAILED, "__syncthreads at " + std::string(file) + ":" + std::to_string(line) +
                     " while other threads of the block wait at " + w.barrier_file + ":" +
                     std::to_string(w.barrier_line) + ": barrier divergence");
    }
    f.state = AT_BARRIER;
    w.at_barrier++;
    release_barrier_if_complete(w);
    if (f.state != RUNNABLE) yield_fiber();
}

static void no_op(const unsigned char (*)[64], unsigned char (*)[64], unsigned) {}
void syncwarp(unsigned mask) { warp_collective(mask, nullptr, 0, nullptr, 0, no_op, "__syncwarp"); }

void warp_collective(unsigned mask, const void* in, size_t in_bytes, void* out, size_t out_bytes, WarpOp op,
                     const char* what) {
    Worker& w = *t_worker;
    Fiber& f = *t_fiber;
    Warp& warp = w.warps[f.warp];
    if (!((mask >> f.lane) & 1)) {
        kernel_fault(LAUNCH_FAILED, std::string(what) + " with a mask that does not name the calling lane");
    }
    const unsigned missing = mask & ~warp.live;
    if (missing) {
        const int lane = __builtin_ctz(missing);
        kernel_fault(LAUNCH_FAILED, std::string(what) + " with mask " + hex(mask) + " naming lane " + std::to_string(lane) + ((warp.exists >> lane) & 1 ? ", which has exited" :
              ", which does not exist in this block") + " (undefined on a GPU)");
    }
    if (warp.arrived == 0) {
        warp.what = what;
        warp.op = op;
        warp.mask = mask;
    } else if (warp.op != op || warp.mask != mask) {
        kernel_fault(LAUNCH_FAILED, std::string("lane in ") + what + " while other lanes of its warp are in " +
                     warp.what + " (divergent warp collective)");
    }
    if (in_bytes) memcpy(warp.in[f.lane], in, in_bytes);
    warp.arrived |= 1u << f.lane;
    f.state = AT_WARP;
    complete_warp_if_ready(w, warp);
    if (f.state != RUNNABLE) yield_fiber();
    if (out_bytes) memcpy(out, warp.out[f.lane], out_bytes);
}

// ---------------------------------------------------------------- thread coordinates
uint3 thread_idx() { return t_fiber->tid; }
uint3 block_idx() { return t_worker->block_idx; }
dim3 block_dim() { return t_worker->block_dim; }
dim3 grid_dim() { return t_worker->grid_dim; }
unsigned dynamic_shared_bytes() { return t_worker->launch->dynamic_shared; }
bool launch_checked() { return t_worker && t_worker->launch && t_worker->launch->function->module->info->checked; }
int current_thread_linear() { return t_fiber ? t_fiber->linear : -1; }
const Launch* current_launch() { return t_worker ? t_worker->launch : nullptr; }
bool on_fiber_stack(uintptr_t address) {
    const Fiber* f = t_fiber;
    return f && address - (uintptr_t)f->stack < kStackBytes;
}

// ---------------------------------------------------------------- cp.async
// Copies land at cp.async.wait_group, not when issued: a thread that reads early sees the old contents.
void cp_async(void* smem, const void* global, int bytes, int src_bytes) {
    if (((uintptr_t)smem | (uintptr_t)global) & (bytes - 1)) {
        kernel_fault(MISALIGNED_ADDRESS, "cp.async of " + std::to_string(bytes) + " bytes with a misaligned address");
    }
    t_fiber->open_group.push_back(Copy{smem, global, bytes, src_bytes});
}
void cp_async_commit() {
    Fiber& f = *t_fiber;
    f.groups.push_back(std::move(f.open_group));
    f.open_group.clear();
}
void cp_async_wait(int pending) {
    Fiber& f = *t_fiber;
    if (pending == 0 && !f.open_group.empty()) cp_async_commit();
    while ((int)f.groups.size() > pending) {
        for (const Copy& c : f.groups.front()) {
            if (launch_checked()) {
                if (c.src_bytes) check_global_access((uintptr_t)c.src, c.src_bytes, "cp.async source");
                check_shared_access((uintptr_t)c.dst, c.bytes, true, "cp.async destination");
            }
            memcpy(c.dst, c.src, c.src_bytes);
            memset(static_cast<char*>(c.dst) + c.src_bytes, 0, c.bytes - c.src_bytes);
        }
        f.groups.erase(f.groups.begin());
    }
}

// ---------------------------------------------------------------- ldmatrix.sync.aligned.m8n8.{x2,x4}.shared.b16
// Lanes 8m..8m+7 give the row addresses of matrix m; lane l receives, for each matrix, the two 16-bit elements of
// row l/4 at columns 2(l%4) and 2(l%4)+1 (the lower column in the low half of the register).
template <int NUM>
static void ldmatrix_op(const unsigned char (*in)[64], unsigned char (*out)[64], unsigned) {
    for (int l = 0; l < 32; l++) {
        uint32_t r[NUM];
        for (int m = 0; m < NUM; m++) {
            const char* row;
            memcpy(&row, in[m * 8 + l / 4], sizeof row);
            memcpy(&r[m], row + 4 * (l % 4), 4);
        }
        memcpy(out[l], r, sizeof r);
    }
}
void ldmatrix(uint32_t* r, int num, const void* row_address) {
    if ((uintptr_t)row_address & 15) {
        kernel_fault(MISALIGNED_ADDRESS, "ldmatrix row address not aligned to 16 bytes");
    }
    if (launch_checked() && t_fiber->lane < 8 * num) check_shared_access((uintptr_t)row_address, 16, false, "ldmatrix");
    if (num == 4) warp_collective(0xffffffffu, &row_address, sizeof row_address, r, 16, ldmatrix_op<4>, "ldmatrix.x4");
    else warp_collective(0xffffffffu, &row_address, sizeof row_address, r, 8, ldmatrix_op<2>, "ldmatrix.x2");
}

// ---------------------------------------------------------------- mma.sync.aligned.m16n8k16.row.col.f32.{f16,bf16}
// groupID g = lane >> 2, t = lane % 4 (PTX ISA "Matrix Fragments for mma.m16n8k16 with floating point type"):
//   A: a0,a1 = A[g][2t..2t+1], a2,a3 = A[g+8][2t..], a4,a5 = A[g][2t+8..], a6,a7 = A[g+8][2t+8..]
//   B: b0,b1 = B[2t..2t+1][g], b2,b3 = B[2t+8..2t+9][g]
//   C/D: c0,c1 = C[g][2t..2t+1], c2,c3 = C[g+8][2t..2t+1]
struct MmaIn { uint32_t a[4], b[2]; float c[4]; };
template <bool BF16>
static void mma_op(const unsigned char (*in)[64], unsigned char (*out)[64], unsigned) {
    auto value = [](uint32_t reg, int half) {
        const uint16_t bits = (uint16_t)(reg >> (16 * half));
        return BF16 ? bf16_bits_to_float(bits) : half_bits_to_float(bits);
    };
    float A[16][16], B[16][8], C[16][8];
    for (int l = 0; l < 32; l++) {
        MmaIn m;
        memcpy(&m, in[l], sizeof m);
        const int g = l >> 2, t = l & 3;
        for (int h = 0; h < 2; h++) {
            A[g][2 * t + h] = value(m.a[0], h);
            A[g + 8][2 * t + h] = value(m.a[1], h);
            A[g][2 * t + 8 + h] = value(m.a[2], h);
            A[g + 8][2 * t + 8 + h] = value(m.a[3], h);
            B[2 * t + h][g] = value(m.b[0], h);
            B[2 * t + 8 + h][g] = value(m.b[1], h);
            C[g][2 * t + h] = m.c[h];
            C[g + 8][2 * t + h] = m.c[2 + h];
        }
    }
    for (int l = 0; l < 32; l++) {
        const int g = l >> 2, t = l & 3;
        float d[4];
        for (int i = 0; i < 4; i++) {
            const int row = g + (i >= 2 ? 8 : 0), col = 2 * t + (i & 1);
            double sum = 0;  // products of 16-bit values are exact; one rounding at the end (hardware differs)
            for (int k = 0; k < 16; k++) sum += (double)A[row][k] * B[k][col];
            d[i] = (float)(sum + C[row][col]);
        }
        memcpy(out[l], d, sizeof d);
    }
}
void mma_m16n8k16(float* d, const uint32_t* a, const uint32_t* b, bool bf16) {
    MmaIn m;
    memcpy(m.a, a, 16);
    memcpy(m.b, b, 8);
    memcpy(m.c, d, 16);
    warp_collective(0xffffffffu, &m, sizeof m, d, 16, bf16 ? mma_op<true> : mma_op<false>, "mma.m16n8k16");
}

// ---------------------------------------------------------------- blocks
namespace {
// The calling thread's shared memory for this module: its thread-local block, found once per thread and module.
struct SharedWindow { uintptr_t begin = 0; size_t bytes = 0; std::vector<std::pair<char*, size_t>> dynamic; };

size_t module_tls_bytes(void* handle) {
    struct link_map* map = nullptr;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || !map) return 0;
    struct Search { const char* name; size_t bytes; } search{map->l_name, 0};
    dl_iterate_phdr([](struct dl_phdr_info* info, size_t, void* data) {
        Search* s = static_cast<Search*>(data);
        if (!info->dlpi_name || strcmp(info->dlpi_name, s->name) != 0) return 0;
        for (int i = 0; i < info->dlpi_phnum; i++)
            if (info->dlpi_phdr[i].p_type == PT_TLS) s->bytes = info->dlpi_phdr[i].p_memsz;
        return 1;
    }, &search);
    return search.bytes;
}

thread_local std::map<const Module*, SharedWindow> t_windows;

const SharedWindow& shared_window(const Module* module) {
    auto it = t_windows.find(module);
    if (it != t_windows.end()) return it->second;
    SharedWindow window;
    char* arrays[8];
    const int count = module->info->dynamic_shared_arrays(arrays, 8);  // also allocates this thread's block
    for (int i = 0; i < count; i++) window.dynamic.emplace_back(arrays[i], module->info->dynamic_shared_capacity);
    std::sort(window.dynamic.begin(), window.dynamic.end());  // in address order, as poison_shared walks them
    void* tls = nullptr;
    if (dlinfo(module->handle, RTLD_DI_TLS_DATA, &tls) == 0 && tls) {
        window.begin = (uintptr_t)tls;
        window.bytes = module_tls_bytes(module->handle);
    }
    return t_windows.emplace(module, std::move(window)).first->second;
}

// Shared memory starts each block as 0xFF bytes (NaN in every float type): a block that reads what an earlier block
// left, or what no thread of its own wrote, sees garbage as it would on a GPU.
void poison_shared(const SharedWindow& window, unsigned dynamic_bytes) {
    uintptr_t at = window.begin;
    const uintptr_t end = window.begin + window.bytes;
    for (const auto& [array, capacity] : window.dynamic) {
        if ((uintptr_t)array > at) memset((void*)at, 0xFF, (uintptr_t)array - at);
        memset(array, 0xFF, std::min<size_t>(dynamic_bytes, capacity));
        at = (uintptr_t)array + capacity;
    }
    if (end > at) memset((void*)at, 0xFF, end - at);
}

int run_block(Worker& w, unsigned threads) {
    const unsigned warps = (threads + 31) / 32;
    // Fibers and warps are reused from block to block (allocating 1024 of them per block showed in profiles).
    if (w.fibers.size() < threads) w.fibers.resize(threads);
    if (w.warps.size() < warps) w.warps.resize(warps);
    for (unsigned i = 0; i < warps; i++) {
        Warp& warp = w.warps[i];
        warp.exists = warp.live = warp.arrived = warp.mask = 0;
        warp.op = nullptr;
    }
    w.runnable.clear();
    w.threads = threads;
    w.live = (int)threads;
    w.exited = 0;
    w.at_barrier = 0;
    w.barrier_file = nullptr;
    for (unsigned i = 0; i < threads; i++) {
        Fiber& f = w.fibers[i];
        f.state = RUNNABLE;
        f.open_group.clear();
        f.groups.clear();
        f.linear = (int)i;
        f.tid = uint3{i % w.block_dim.x, (i / w.block_dim.x) % w.block_dim.y, i / (w.block_dim.x * w.block_dim.y)};
        f.lane = (int)(i % 32);
        f.warp = (int)(i / 32);
        w.warps[f.warp].live |= 1u << f.lane;
        w.warps[f.warp].exists |= 1u << f.lane;
        // A fresh stack: cuemu_switch pops six registers and returns into fiber_entry, with the stack aligned as
        // at a function entry.
        f.stack = w.stack(i);
        void** top = reinterpret_cast<void**>(f.stack + kStackBytes);
        top[-1] = nullptr;                                // fiber_entry's (never used) return address
        top[-2] = reinterpret_cast<void*>(&fiber_entry);  // where the first switch returns to
        for (int r = 3; r <= 8; r++) top[-r] = nullptr;   // rbp, rbx, r12-r15
        f.sp = top - 8;
        w.runnable.push_back((int)i);
    }
    block_started(threads);
    while (w.live > 0 && w.fault_code == SUCCESS) {
        if (w.timeout_requested.load()) {
            w.fault_code = LAUNCH_TIMEOUT;
            break;
        }
        if (w.runnable.empty()) {
            int barrier = 0, warp = 0;
            for (unsigned i = 0; i < threads; i++) {
                barrier += w.fibers[i].state == AT_BARRIER;
                warp += w.fibers[i].state == AT_WARP;
            }
            w.fault_code = LAUNCH_FAILED;
            w.fault_report = thread_name(w, nullptr) + ": deadlock: " + std::to_string(barrier) +
                             " threads wait at __syncthreads, " + std::to_string(warp) +
                             " in warp collectives, " + std::to_string(w.exited) + " exited";
            break;
        }
        Fiber& f = w.fibers[w.runnable.front()];
        w.runnable.pop_front();
        if (f.state != RUNNABLE) continue;
        t_fiber = &f;
        cuemu_switch(&w.scheduler, f.sp);
        t_fiber = nullptr;
    }
    if (w.fault_code == LAUNCH_TIMEOUT && w.fault_report.empty()) {
        w.fault_report = thread_name(w, nullptr) + ": still running after " +
                         std::to_string(config().kernel_timeout_s) + " s (CUEMU_KERNEL_TIMEOUT_S): a thread that never "
                         "finishes, such as a spin on a flag nobody sets";
    }
    if (w.fault_code != SUCCESS && w.faulted_by_signal) {
        w.fault_report = thread_name(w, nullptr) + ": " + (is_guard_page(w.fault_address)
                                                               ? "out-of-bounds access: "
                                                               : "illegal address: ") +
                         describe_address(w.fault_address);
        w.faulted_by_signal = false;
    }
    return w.fault_code;
}
}  // namespace

// ---------------------------------------------------------------- grids
namespace {
// The OS threads that run a stream's grids; the stream's own thread waits and watches the time.
class GridPool {
   public:
    explicit GridPool(unsigned threads) : workers_(threads, nullptr) {
        for (unsigned i = 0; i < threads; i++) threads_.emplace_back([this, i] { help(i); });
    }
    ~GridPool() {
        {
            std::lock_guard<std::mutex> hold(lock_);
            stopping_ = true;
        }
        wake_.notify_all();
        for (std::thread& t : threads_) t.join();
    }
    int run(const Launch& launch) {
        const unsigned long long blocks = (unsigned long long)launch.grid[0] * launch.grid[1] * launch.grid[2];
        {
            std::lock_guard<std::mutex> hold(lock_);
            launch_ = &launch;
            blocks_ = blocks;
            next_ = 0;
            fault_code_ = SUCCESS;
            fault_report_.clear();
            generation_++;
            working_ = (unsigned)threads_.size();
        }
        wake_.notify_all();
        // The stream's thread is the watchdog: past the timeout it signals the workers every second until they stop.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(config().kernel_timeout_s);
        std::unique_lock<std::mutex> hold(lock_);
        while (!done_.wait_for(hold, std::chrono::seconds(1), [this] { return working_ == 0; })) {
            if (std::chrono::steady_clock::now() < deadline) continue;
            for (size_t i = 0; i < threads_.size(); i++) {
                if (!workers_[i]) continue;
                workers_[i]->timeout_requested = true;
                pthread_kill(threads_[i].native_handle(), timeout_signal());
            }
        }
        for (Worker* w : workers_)
            if (w) w->timeout_requested = false;
        launch_ = nullptr;
        if (fault_code_ != SUCCESS) launch.context->poison(fault_code_, launch.what + ": " + fault_report_);
        return fault_code_;
    }

   private:
    void help(unsigned index) {
        give_thread_an_alternate_stack();
        uint64_t seen = 0;
        std::unique_lock<std::mutex> hold(lock_);
        for (;;) {
            wake_.wait(hold, [&] { return stopping_ || generation_ != seen; });
            if (stopping_) return;
            seen = generation_;
            const Launch* launch = launch_;
            hold.unlock();
            work(*launch, index);
            hold.lock();
            if (--working_ == 0) done_.notify_all();
        }
    }
    void work(const Launch& launch, unsigned index) {
        thread_local Worker worker;
        Worker& w = worker;
        t_worker = &w;
        {
            std::lock_guard<std::mutex> hold(lock_);
            workers_[index] = &w;
        }
        w.launch = &launch;
        w.block_dim = dim3{launch.block[0], launch.block[1], launch.block[2]};
        w.grid_dim = dim3{launch.grid[0], launch.grid[1], launch.grid[2]};
        const unsigned threads = launch.block[0] * launch.block[1] * launch.block[2];
        const SharedWindow& window = shared_window(launch.function->module);
        begin_grid_checks(window.begin, window.bytes);
        for (unsigned long long b; fault_code_.load() == SUCCESS && (b = next_++) < blocks_;) {
            w.block_idx = uint3{(unsigned)(b % launch.grid[0]), (unsigned)((b / launch.grid[0]) % launch.grid[1]),
                                (unsigned)(b / ((unsigned long long)launch.grid[0] * launch.grid[1]))};
            poison_shared(window, launch.dynamic_shared);
            w.fault_code = SUCCESS;
            w.fault_report.clear();
            if (run_block(w, threads) != SUCCESS) {
                std::lock_guard<std::mutex> hold(lock_);
                int expected = SUCCESS;
                if (fault_code_.compare_exchange_strong(expected, w.fault_code)) fault_report_ = w.fault_report;
            }
        }
        w.launch = nullptr;
        t_worker = nullptr;
    }

    std::mutex lock_;
    std::condition_variable wake_, done_;
    std::vector<std::thread> threads_;
    std::vector<Worker*> workers_;  // each thread's block state, for the watchdog
    const Launch* launch_ = nullptr;
    unsigned long long blocks_ = 0;
    std::atomic<unsigned long long> next_{0};
    std::atomic<int> fault_code_{SUCCESS};
    std::string fault_report_;
    uint64_t generation_ = 0;
    unsigned working_ = 0;
    bool stopping_ = false;
};
}  // namespace

int run_grid(const Launch& launch) {
    thread_local std::unique_ptr<GridPool> pool;  // per stream thread: two streams' grids run side by side
    if (!pool) {
        give_thread_an_alternate_stack();
        pool = std::make_unique<GridPool>(config().grid_threads);
    }
    const auto start = std::chrono::steady_clock::now();
    const int result = pool->run(launch);
    trace("%s: %.1f ms", launch.what.c_str(),
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    return result;
}

}  // namespace cuemu
