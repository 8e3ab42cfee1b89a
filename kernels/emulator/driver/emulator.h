// Internals of the emulated CUDA driver shared by its parts: configuration, devices and contexts, device memory,
// streams, modules, the grid runtime and the checks. The cu* entry points (api.cpp) are thin: they validate and
// call into these.
#pragma once
#include <stdint.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cuemu/kernel_abi.h"

namespace cuemu {

// The CUresult codes the emulator returns (values as in cuda.h).
enum Result : int {
    SUCCESS = 0, INVALID_VALUE = 1, OUT_OF_MEMORY = 2, NOT_INITIALIZED = 3, NO_DEVICE = 100, INVALID_DEVICE = 101,
    INVALID_IMAGE = 200, INVALID_CONTEXT = 201, NO_BINARY_FOR_GPU = 209, PEER_ACCESS_UNSUPPORTED = 217,
    SHARED_OBJECT_INIT_FAILED = 303, INVALID_HANDLE = 400, NOT_FOUND = 500, NOT_READY = 600, ILLEGAL_ADDRESS = 700,
    LAUNCH_OUT_OF_RESOURCES = 701, LAUNCH_TIMEOUT = 702, PEER_ACCESS_ALREADY_ENABLED = 704,
    PEER_ACCESS_NOT_ENABLED = 705, CONTEXT_IS_DESTROYED = 709, MISALIGNED_ADDRESS = 716, LAUNCH_FAILED = 719,
    NOT_SUPPORTED = 801, STREAM_CAPTURE_UNSUPPORTED = 900, STREAM_CAPTURE_INVALIDATED = 901,
};

// ---- configuration (environment, read once by cuInit) ----
struct Config {
    int devices = 1;                     // CUEMU_DEVICES
    size_t memory_bytes = 8ull << 30;    // CUEMU_MEMORY_MB, per device
    int sm = 80;                         // CUEMU_SM: compute capability x10
    int multiprocessors = 108;           // CUEMU_SMS
    unsigned grid_threads = 0;           // CUEMU_THREADS: OS threads that run one grid's blocks (0: all cores)
    bool deferred = true;                // CUEMU_EXECUTION=deferred|eager
    bool peer_access = true;             // CUEMU_PEER_ACCESS=0: devices cannot map each other's memory
    bool trace = false;                  // CUEMU_TRACE=1
    long fault_at_launch = 0;            // CUEMU_FAULT_AT_LAUNCH=N: the Nth kernel launch faults (fault drills)
    int kernel_timeout_s = 300;          // CUEMU_KERNEL_TIMEOUT_S: a grid running longer is stopped as hung
};
const Config& config();
void load_config();
void log(const char* format, ...) __attribute__((format(printf, 1, 2)));
void trace(const char* format, ...) __attribute__((format(printf, 1, 2)));

// ---- device memory ----
enum class MemoryKind { DEVICE, PINNED_HOST };
struct Allocation {
    uintptr_t begin;
    size_t bytes;
    int device;  // -1 for pinned host memory (every device may touch it)
    MemoryKind kind;
    uint64_t serial;  // in allocation order, for reports
    void* mapping;
    size_t mapping_bytes;
};
// Every allocation sits at the end of its own mapping, followed and preceded by a guard page: a kernel that runs
// past the end (rounded to 256 bytes, the allocation granularity) faults even without the checked module.
Result allocate(int device, size_t bytes, MemoryKind kind, uintptr_t* out);
Result release(uintptr_t begin, MemoryKind kind);
size_t allocated_bytes(int device);
// The allocation holding [address, address + bytes), or none (the lookup copies it, so it stays valid).
bool find_allocation(uintptr_t address, size_t bytes, Allocation* out);
// Where an address is relative to the known allocations, for fault reports ("16 bytes past the end of ...").
std::string describe_address(uintptr_t address);
bool is_guard_page(uintptr_t address);
std::string hex(uintptr_t value);  // "0x7f...", for reports
// Bumped on every free, so per-thread caches of allocations can tell they went stale.
extern std::atomic<uint64_t> g_memory_generation;

// ---- contexts ----
struct Stream;
struct Context {
    int device;
    std::set<int> peers;                // devices whose memory this context may touch (cuCtxEnablePeerAccess)
    std::atomic<int> sticky{SUCCESS};   // a kernel fault: every later call fails with it, as on hardware
    std::mutex fault_lock;
    std::string fault;                  // what faulted, for the report
    Stream* legacy = nullptr;           // the NULL stream
    bool may_touch(int memory_device) const { return memory_device < 0 || memory_device == device || peers.count(memory_device); }
    void poison(int code, const std::string& report);
};

// ---- streams and graphs ----
struct Op {
    std::string what;               // for traces and fault reports
    std::function<int()> run;       // returns a CUresult; a sticky one poisons the context
};
struct Graph {
    Context* context;
    std::vector<std::shared_ptr<Op>> ops;
};
struct Stream {
    explicit Stream(Context* context);
    ~Stream();
    Context* const context;
    // Work is queued, and released to the stream's own thread at a synchronisation point (deferred execution) or at
    // once (eager): a host read that forgot to synchronise sees the old contents.
    Result enqueue(std::shared_ptr<Op> op);
    void release();
    Result synchronize();   // releases everything, then waits for this stream
    void drain();           // releases and waits for this stream's own work only (a synchronous copy's order)
    bool idle();
    Graph* capture = nullptr;  // a capture in progress records instead of queueing
    bool capture_invalidated = false;
    bool capture_global = false;

   private:
    void run_loop();
    std::mutex lock;
    std::condition_variable changed;
    std::deque<std::shared_ptr<Op>> queue;
    size_t released = 0;  // how many of queue's front entries the thread may run
    bool busy = false, stopping = false;
    std::thread thread;
};
void release_all_streams();
Result synchronize_context(Context* context);  // every stream of the context
void register_stream(Stream* stream);
void unregister_stream(Stream* stream);
extern thread_local Stream* t_capturing;  // a global/thread-local mode capture begun on this thread

// ---- modules ----
struct Module;
struct Function {
    const Module* module;
    const cuemu_kernel* kernel;
    int max_dynamic_shared = 48 * 1024;  // cuFuncSetAttribute raises it; it stays with the function, as on a GPU
};
struct Module {
    void* handle;
    const cuemu_module_info* info;
    std::string path;
    std::vector<Function> functions;  // one per kernel: cuModuleGetFunction returns the same handle every time
};
Result load_module(const void* image, Module** out);

// ---- grids ----
struct Launch {
    Context* context;
    const Function* function;
    unsigned grid[3], block[3];
    unsigned dynamic_shared;
    std::shared_ptr<char> args;
    std::string what;  // "kernel <<<grid, block, shared>>>"
};
// Runs every block; returns SUCCESS or the fault's code after poisoning the context with the report.
int run_grid(const Launch& launch);
// Checks a launch as the driver does before queueing it; writes the reason to `why`.
Result validate_launch(const Launch& launch, std::string* why);
void install_fault_handler();

// What the running emulated thread is (for the checks); -1 / null outside a kernel.
int current_thread_linear();
const Launch* current_launch();
bool on_fiber_stack(uintptr_t address);

// ---- checks (memcheck / racecheck; see checks.cpp) ----
bool launch_checked();  // the running kernel's module was built with memory-access hooks
void begin_grid_checks(uintptr_t shared_begin, size_t shared_bytes);
void block_started(unsigned threads);
void barrier_completed();
void warp_synchronized(int warp);
void allow_module_data(uintptr_t begin, uintptr_t end);
void check_global_access(uintptr_t address, size_t bytes, const char* how);
void check_shared_access(uintptr_t address, size_t bytes, bool write, const char* how);
[[noreturn]] void kernel_fault(int code, const std::string& report);

}  // namespace cuemu
