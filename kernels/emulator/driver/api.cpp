// The driver API entry points (the subset JCuda's driver binding calls for the project, plus what multi-GPU code
// needs: peer access and peer copies). Each validates as the real driver does and calls into the emulator's parts.
// Every other symbol JCuda imports is a generated stub that returns CUDA_ERROR_NOT_SUPPORTED.
#include <string.h>

#include <chrono>
#include <sstream>

#include "emulator.h"

#define CUEMU_API extern "C" __attribute__((visibility("default"))) int

using namespace cuemu;
typedef unsigned long long CUdeviceptr;

namespace {
bool g_initialised = false;
thread_local Context* t_current = nullptr;

bool valid_device(int device) { return device >= 0 && device < config().devices; }

// Synchronous calls a capture in progress on this thread forbids: they invalidate it, as on a GPU.
bool capture_forbids() {
    if (t_capturing && t_capturing->capture_global) {
        t_capturing->capture_invalidated = true;
        return true;
    }
    return false;
}

Stream* stream_of(void* handle) { return handle ? static_cast<Stream*>(handle) : t_current->legacy; }

// The context's sticky error, or SUCCESS: after a kernel fault every call fails with it.
int poisoned() { return t_current ? t_current->sticky.load() : SUCCESS; }

Result enqueue(void* stream, std::string what, std::function<int()> run) {
    if (!t_current) return INVALID_CONTEXT;
    if (int sticky = poisoned()) return (Result)sticky;
    Stream* s = stream_of(stream);
    if (!stream && t_capturing && t_capturing->capture_global) {  // the legacy stream during a capture: illegal
        t_capturing->capture_invalidated = true;
        return STREAM_CAPTURE_UNSUPPORTED;
    }
    return s->enqueue(std::make_shared<Op>(Op{std::move(what), std::move(run)}));
}

// A device range a copy touches must lie inside one allocation (the real driver refuses the copy otherwise).
bool device_range(CUdeviceptr pointer, size_t bytes, const char* what) {
    Allocation a;
    if (bytes == 0 || find_allocation((uintptr_t)pointer, bytes, &a)) return true;
    log("%s of %zu bytes at %s: not inside one allocation (CUDA_ERROR_INVALID_VALUE)", what, bytes,
        describe_address((uintptr_t)pointer).c_str());
    return false;
}

int optin_shared_limit() {
    const int sm = config().sm;
    if (sm >= 90) return 232448;
    if (sm == 80 || sm == 87) return 166912;
    return 101376;  // sm_86, sm_89
}
}  // namespace

// Every driver call JCuda imports that the emulator does not implement (generated stubs) lands here.
extern "C" int cuemu_not_supported(const char* name) {
    trace("%s is not supported by the emulator (CUDA_ERROR_NOT_SUPPORTED)", name);
    return NOT_SUPPORTED;
}

// ---------------------------------------------------------------- initialisation and devices
CUEMU_API cuInit(unsigned flags) {
    (void)flags;
    if (!g_initialised) {
        load_config();
        install_fault_handler();
        log("CUDA driver emulator: %d emulated device(s), sm_%d, %zu MiB each, %s execution, %u threads per grid: "
            "it checks logic, never speed", config().devices, config().sm, config().memory_bytes >> 20,
            config().deferred ? "deferred" : "eager", config().grid_threads);
    }
    if (config().devices <= 0) return NO_DEVICE;
    g_initialised = true;
    return SUCCESS;
}
CUEMU_API cuDriverGetVersion(int* version) {
    if (!version) return INVALID_VALUE;
    *version = 12060;
    return SUCCESS;
}
CUEMU_API cuDeviceGetCount(int* count) {
    if (!g_initialised) return NOT_INITIALIZED;
    *count = config().devices;
    return SUCCESS;
}
CUEMU_API cuDeviceGet(int* device, int ordinal) {
    if (!g_initialised) return NOT_INITIALIZED;
    if (!valid_device(ordinal)) return INVALID_DEVICE;
    *device = ordinal;
    return SUCCESS;
}
CUEMU_API cuDeviceGetName(char* name, int length, int device) {
    if (!valid_device(device)) return INVALID_DEVICE;
    snprintf(name, length, "CUDA emulator (emulated sm_%d on the CPU)", config().sm);
    return SUCCESS;
}
CUEMU_API cuDeviceGetPCIBusId(char* id, int length, int device) {
    if (!valid_device(device)) return INVALID_DEVICE;
    snprintf(id, length, "0000:%02X:00.0", 0x10 + device);  // distinct bus ids, in ordinal order
    return SUCCESS;
}
CUEMU_API cuDeviceTotalMem_v2(size_t* bytes, int device) {
    if (!valid_device(device)) return INVALID_DEVICE;
    *bytes = config().memory_bytes;
    return SUCCESS;
}
CUEMU_API cuDeviceGetAttribute(int* value, int attribute, int device) {
    if (!valid_device(device)) return INVALID_DEVICE;
    const int sm = config().sm;
    switch (attribute) {
        case 1: *value = 1024; break;                       // MAX_THREADS_PER_BLOCK
        case 2: case 3: *value = 1024; break;               // MAX_BLOCK_DIM_X, _Y
        case 4: *value = 64; break;                         // MAX_BLOCK_DIM_Z
        case 5: *value = 0x7fffffff; break;                 // MAX_GRID_DIM_X
        case 6: case 7: *value = 65535; break;              // MAX_GRID_DIM_Y, _Z
        case 8: *value = 48 * 1024; break;                  // MAX_SHARED_MEMORY_PER_BLOCK
        case 10: *value = 32; break;                        // WARP_SIZE
        case 16: *value = config().multiprocessors; break;  // MULTIPROCESSOR_COUNT
        case 38: *value = 40 << 20; break;                  // L2_CACHE_SIZE
        case 41: *value = 1; break;                         // UNIFIED_ADDRESSING
        case 75: *value = sm / 10; break;                   // COMPUTE_CAPABILITY_MAJOR
        case 76: *value = sm % 10; break;                   // COMPUTE_CAPABILITY_MINOR
        case 81: *value = optin_shared_limit() + 1024; break;  // MAX_SHARED_MEMORY_PER_MULTIPROCESSOR
        case 97: *value = optin_shared_limit(); break;      // MAX_SHARED_MEMORY_PER_BLOCK_OPTIN
        default: *value = 0; break;
    }
    return SUCCESS;
}
CUEMU_API cuDeviceCanAccessPeer(int* can, int device, int peer) {
    if (!valid_device(device) || !valid_device(peer)) return INVALID_DEVICE;
    *can = device != peer && config().peer_access;
    return SUCCESS;
}

// ---------------------------------------------------------------- contexts
CUEMU_API cuCtxCreate_v2(void** context, unsigned flags, int device) {
    (void)flags;
    if (!g_initialised) return NOT_INITIALIZED;
    if (!valid_device(device)) return INVALID_DEVICE;
    Context* c = new Context();
    c->device = device;
    c->legacy = new Stream(c);
    *context = c;
    t_current = c;
    return SUCCESS;
}
CUEMU_API cuCtxDestroy_v2(void* context) {
    Context* c = static_cast<Context*>(context);
    if (!c) return INVALID_VALUE;
    delete c->legacy;
    if (t_current == c) t_current = nullptr;
    delete c;
    return SUCCESS;
}
CUEMU_API cuCtxSetCurrent(void* context) {
    t_current = static_cast<Context*>(context);
    return SUCCESS;
}
CUEMU_API cuCtxGetCurrent(void** context) {
    *context = t_current;
    return SUCCESS;
}
CUEMU_API cuCtxGetDevice(int* device) {
    if (!t_current) return INVALID_CONTEXT;
    *device = t_current->device;
    return SUCCESS;
}
CUEMU_API cuCtxSynchronize(void) {
    if (!t_current) return INVALID_CONTEXT;
    if (capture_forbids()) return STREAM_CAPTURE_UNSUPPORTED;
    return synchronize_context(t_current);
}
CUEMU_API cuCtxEnablePeerAccess(void* peer_context, unsigned flags) {
    if (!t_current) return INVALID_CONTEXT;
    Context* peer = static_cast<Context*>(peer_context);
    if (!peer || flags != 0) return INVALID_VALUE;
    if (!config().peer_access || peer->device == t_current->device) return PEER_ACCESS_UNSUPPORTED;
    if (!t_current->peers.insert(peer->device).second) return PEER_ACCESS_ALREADY_ENABLED;
    return SUCCESS;
}
CUEMU_API cuCtxDisablePeerAccess(void* peer_context) {
    if (!t_current) return INVALID_CONTEXT;
    Context* peer = static_cast<Context*>(peer_context);
    if (!peer || !t_current->peers.erase(peer->device)) return PEER_ACCESS_NOT_ENABLED;
    return SUCCESS;
}

// ---------------------------------------------------------------- memory
CUEMU_API cuMemAlloc_v2(CUdeviceptr* pointer, size_t bytes) {
    if (!t_current) return INVALID_CONTEXT;
    if (int sticky = poisoned()) return sticky;
    if (capture_forbids()) return STREAM_CAPTURE_UNSUPPORTED;
    uintptr_t p = 0;
    const Result result = allocate(t_current->device, bytes, MemoryKind::DEVICE, &p);
    if (result == SUCCESS) *pointer = p;
    return result;
}
CUEMU_API cuMemFree_v2(CUdeviceptr pointer) {
    if (capture_forbids()) return STREAM_CAPTURE_UNSUPPORTED;
    if (pointer == 0) return SUCCESS;
    return release((uintptr_t)pointer, MemoryKind::DEVICE);
}
CUEMU_API cuMemGetInfo_v2(size_t* free_bytes, size_t* total_bytes) {
    if (!t_current) return INVALID_CONTEXT;
    *total_bytes = config().memory_bytes;
    *free_bytes = config().memory_bytes - allocated_bytes(t_current->device);
    return SUCCESS;
}
CUEMU_API cuMemAllocHost_v2(void** pointer, size_t bytes) {
    if (!t_current) return INVALID_CONTEXT;
    uintptr_t p = 0;
    const Result result = allocate(-1, bytes, MemoryKind::PINNED_HOST, &p);
    if (result == SUCCESS) *pointer = (void*)p;
    return result;
}
CUEMU_API cuMemFreeHost(void* pointer) { return release((uintptr_t)pointer, MemoryKind::PINNED_HOST); }
// Portable, device-mapped pinned memory (the tensor-parallel exchange where devices have no peer access): every
// context's kernels may touch it, at the same address (unified addressing).
CUEMU_API cuMemHostAlloc(void** pointer, size_t bytes, unsigned flags) {
    (void)flags;
    return cuMemAllocHost_v2(pointer, bytes);
}
CUEMU_API cuMemHostGetDevicePointer_v2(CUdeviceptr* device_pointer, void* host_pointer, unsigned flags) {
    Allocation a;
    if (flags != 0 || !find_allocation((uintptr_t)host_pointer, 1, &a) || a.device >= 0) return INVALID_VALUE;
    *device_pointer = (uintptr_t)host_pointer;
    return SUCCESS;
}

// Synchronous copies run in order with the legacy stream and do not wait for non-blocking streams (as on a GPU):
// a download that forgot to synchronise the stream that computed it reads the old contents.
namespace {
int synchronous_copy(void* dst, const void* src, size_t bytes) {
    if (!t_current) return INVALID_CONTEXT;
    if (int sticky = poisoned()) return sticky;
    if (capture_forbids()) return STREAM_CAPTURE_UNSUPPORTED;
    t_current->legacy->drain();
    memcpy(dst, src, bytes);
    return SUCCESS;
}
}  // namespace
CUEMU_API cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t bytes) {
    if (!device_range(dst, bytes, "cuMemcpyHtoD destination")) return INVALID_VALUE;
    return synchronous_copy((void*)(uintptr_t)dst, src, bytes);
}
CUEMU_API cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t bytes) {
    if (!device_range(src, bytes, "cuMemcpyDtoH source")) return INVALID_VALUE;
    return synchronous_copy(dst, (const void*)(uintptr_t)src, bytes);
}
CUEMU_API cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t bytes, void* stream) {
    if (!device_range(dst, bytes, "cuMemcpyHtoDAsync destination")) return INVALID_VALUE;
    return enqueue(stream, "cuMemcpyHtoDAsync", [=] { memcpy((void*)(uintptr_t)dst, src, bytes); return 0; });
}
CUEMU_API cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t bytes, void* stream) {
    if (!device_range(src, bytes, "cuMemcpyDtoHAsync source")) return INVALID_VALUE;
    return enqueue(stream, "cuMemcpyDtoHAsync", [=] { memcpy(dst, (const void*)(uintptr_t)src, bytes); return 0; });
}
CUEMU_API cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes, void* stream) {
    if (!device_range(dst, bytes, "cuMemcpyDtoDAsync destination") ||
        !device_range(src, bytes, "cuMemcpyDtoDAsync source")) {
        return INVALID_VALUE;
    }
    return enqueue(stream, "cuMemcpyDtoDAsync",
                   [=] { memmove((void*)(uintptr_t)dst, (const void*)(uintptr_t)src, bytes); return 0; });
}
// Unified addressing: cuMemcpyAsync and the peer copies move bytes between any two allocations (a GPU stages a copy
// between devices without peer access; the result is the same).
CUEMU_API cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes, void* stream) {
    return enqueue(stream, "cuMemcpyAsync",
                   [=] { memmove((void*)(uintptr_t)dst, (const void*)(uintptr_t)src, bytes); return 0; });
}
CUEMU_API cuMemcpyPeerAsync(CUdeviceptr dst, void* dst_context, CUdeviceptr src, void* src_context, size_t bytes,
                            void* stream) {
    (void)dst_context, (void)src_context;
    if (!device_range(dst, bytes, "cuMemcpyPeerAsync destination") ||
        !device_range(src, bytes, "cuMemcpyPeerAsync source")) {
        return INVALID_VALUE;
    }
    return cuMemcpyAsync(dst, src, bytes, stream);
}
CUEMU_API cuMemsetD8Async(CUdeviceptr dst, unsigned char value, size_t count, void* stream) {
    if (!device_range(dst, count, "cuMemsetD8Async")) return INVALID_VALUE;
    return enqueue(stream, "cuMemsetD8Async", [=] { memset((void*)(uintptr_t)dst, value, count); return 0; });
}
CUEMU_API cuMemsetD32Async(CUdeviceptr dst, unsigned value, size_t count, void* stream) {
    if ((dst & 3) || !device_range(dst, count * 4, "cuMemsetD32Async")) return INVALID_VALUE;
    return enqueue(stream, "cuMemsetD32Async", [=] {
        unsigned* p = (unsigned*)(uintptr_t)dst;
        for (size_t i = 0; i < count; i++) p[i] = value;
        return 0;
    });
}

// ---------------------------------------------------------------- streams, events, graphs
CUEMU_API cuStreamCreate(void** stream, unsigned flags) {
    (void)flags;
    if (!t_current) return INVALID_CONTEXT;
    *stream = new Stream(t_current);
    return SUCCESS;
}
CUEMU_API cuStreamDestroy_v2(void* stream) {
    if (!stream) return INVALID_HANDLE;
    delete static_cast<Stream*>(stream);
    return SUCCESS;
}
CUEMU_API cuStreamSynchronize(void* stream) {
    if (!t_current) return INVALID_CONTEXT;
    Stream* s = stream_of(stream);
    if (s->capture) return STREAM_CAPTURE_UNSUPPORTED;
    if (capture_forbids()) return STREAM_CAPTURE_UNSUPPORTED;
    return s->synchronize();
}
CUEMU_API cuStreamQuery(void* stream) {
    if (!t_current) return INVALID_CONTEXT;
    if (int sticky = poisoned()) return sticky;
    return stream_of(stream)->idle() ? SUCCESS : NOT_READY;
}
CUEMU_API cuStreamBeginCapture_v2(void* stream, int mode) {
    Stream* s = static_cast<Stream*>(stream);
    if (!s || s->capture) return INVALID_VALUE;  // the legacy stream cannot be captured
    s->capture = new Graph{s->context, {}};
    s->capture_invalidated = false;
    s->capture_global = mode != 2;  // GLOBAL and THREAD_LOCAL modes forbid unsafe calls on this thread
    t_capturing = s;
    return SUCCESS;
}
CUEMU_API cuStreamEndCapture(void* stream, void** graph) {
    Stream* s = static_cast<Stream*>(stream);
    if (!s || !s->capture) return INVALID_VALUE;
    if (t_capturing == s) t_capturing = nullptr;
    Graph* g = s->capture;
    s->capture = nullptr;
    if (s->capture_invalidated) {
        delete g;
        *graph = nullptr;
        return STREAM_CAPTURE_INVALIDATED;
    }
    *graph = g;
    return SUCCESS;
}
CUEMU_API cuGraphInstantiateWithFlags(void** exec, void* graph, unsigned long long flags) {
    (void)flags;
    if (!graph) return INVALID_VALUE;
    *exec = new Graph(*static_cast<Graph*>(graph));
    return SUCCESS;
}
CUEMU_API cuGraphLaunch(void* exec, void* stream) {
    Graph* g = static_cast<Graph*>(exec);
    if (!g) return INVALID_VALUE;
    if (t_current && g->context != t_current) return INVALID_CONTEXT;
    return enqueue(stream, "cuGraphLaunch", [g] {
        for (const auto& op : g->ops) {
            if (int result = op->run()) return result;  // a fault ends the graph, as on a GPU
        }
        return 0;
    });
}
CUEMU_API cuGraphDestroy(void* graph) {
    delete static_cast<Graph*>(graph);
    return SUCCESS;
}
CUEMU_API cuGraphExecDestroy(void* exec) {
    delete static_cast<Graph*>(exec);
    return SUCCESS;
}

namespace {
struct Event {
    std::mutex lock;
    std::condition_variable done;
    uint64_t recorded = 0, completed = 0;  // record calls issued, and completed in stream order
    Stream* stream = nullptr;
    std::chrono::steady_clock::time_point at;
};
}  // namespace
CUEMU_API cuEventCreate(void** event, unsigned flags) {
    (void)flags;
    *event = new Event();
    return SUCCESS;
}
CUEMU_API cuEventDestroy_v2(void* event) {
    delete static_cast<Event*>(event);
    return SUCCESS;
}
CUEMU_API cuEventRecord(void* event, void* stream) {
    Event* e = static_cast<Event*>(event);
    if (!e || !t_current) return INVALID_HANDLE;
    uint64_t ticket;
    {
        std::lock_guard<std::mutex> hold(e->lock);
        ticket = ++e->recorded;
        e->stream = stream_of(stream);
    }
    return enqueue(stream, "cuEventRecord", [e, ticket] {
        std::lock_guard<std::mutex> hold(e->lock);
        e->at = std::chrono::steady_clock::now();
        e->completed = ticket;
        e->done.notify_all();
        return 0;
    });
}
CUEMU_API cuEventQuery(void* event) {
    Event* e = static_cast<Event*>(event);
    std::lock_guard<std::mutex> hold(e->lock);
    return e->completed == e->recorded ? SUCCESS : NOT_READY;
}
CUEMU_API cuEventSynchronize(void* event) {
    Event* e = static_cast<Event*>(event);
    if (!e) return INVALID_HANDLE;
    release_all_streams();
    std::unique_lock<std::mutex> hold(e->lock);
    e->done.wait(hold, [e] { return e->completed == e->recorded || (e->stream && e->stream->context->sticky.load()); });
    return e->stream ? e->stream->context->sticky.load() : SUCCESS;
}
CUEMU_API cuEventElapsedTime(float* ms, void* start, void* end) {
    Event* a = static_cast<Event*>(start);
    Event* b = static_cast<Event*>(end);
    if (!a->completed || !b->completed) return INVALID_HANDLE;
    *ms = std::chrono::duration<float, std::milli>(b->at - a->at).count();
    return SUCCESS;
}
CUEMU_API cuStreamWaitEvent(void* stream, void* event, unsigned flags) {
    (void)flags;
    Event* e = static_cast<Event*>(event);
    uint64_t ticket;
    {
        std::lock_guard<std::mutex> hold(e->lock);
        ticket = e->recorded;
    }
    return enqueue(stream, "cuStreamWaitEvent", [e, ticket] {
        release_all_streams();
        std::unique_lock<std::mutex> hold(e->lock);
        e->done.wait(hold, [&] { return e->completed >= ticket; });
        return 0;
    });
}

// ---------------------------------------------------------------- modules and launches
CUEMU_API cuModuleLoadData(void** module, const void* image) {
    if (!t_current) return INVALID_CONTEXT;
    if (!image) return INVALID_VALUE;
    Module* m = nullptr;
    const Result result = load_module(image, &m);
    if (result == SUCCESS) *module = m;
    return result;
}
CUEMU_API cuModuleUnload(void* module) {
    (void)module;  // host modules stay loaded: other contexts may use them
    return SUCCESS;
}
CUEMU_API cuModuleGetFunction(void** function, void* module, const char* name) {
    Module* m = static_cast<Module*>(module);
    if (!m) return INVALID_HANDLE;
    for (Function& f : m->functions) {
        if (strcmp(f.kernel->name, name) == 0) {
            *function = &f;
            return SUCCESS;
        }
    }
    return NOT_FOUND;
}
CUEMU_API cuFuncSetAttribute(void* function, int attribute, int value) {
    Function* f = static_cast<Function*>(function);
    if (!f) return INVALID_HANDLE;
    if (attribute == 8 /* MAX_DYNAMIC_SHARED_SIZE_BYTES */) {
        if (value < 0 || value > optin_shared_limit()) return INVALID_VALUE;
        f->max_dynamic_shared = value;
    }
    return SUCCESS;
}
CUEMU_API cuFuncGetAttribute(int* value, int attribute, void* function) {
    Function* f = static_cast<Function*>(function);
    if (!f) return INVALID_HANDLE;
    switch (attribute) {
        case 0: *value = f->kernel->max_threads ? f->kernel->max_threads : 1024; break;  // MAX_THREADS_PER_BLOCK
        case 8: *value = f->max_dynamic_shared; break;
        default: *value = 0;
    }
    return SUCCESS;
}

Result cuemu::validate_launch(const Launch& l, std::string* why) {
    const unsigned long long threads = (unsigned long long)l.block[0] * l.block[1] * l.block[2];
    if (!l.grid[0] || !l.grid[1] || !l.grid[2] || !threads || l.grid[1] > 65535 || l.grid[2] > 65535 ||
        l.block[0] > 1024 || l.block[1] > 1024 || l.block[2] > 64 || threads > 1024) {
        *why = "grid or block dimensions outside the device's limits";
        return INVALID_VALUE;
    }
    const cuemu_kernel* k = l.function->kernel;
    if (k->max_threads && threads > (unsigned)k->max_threads) {
        *why = std::to_string(threads) + " threads per block, above the kernel's __launch_bounds__(" +
               std::to_string(k->max_threads) + ")";
        return LAUNCH_OUT_OF_RESOURCES;
    }
    if ((int)l.dynamic_shared > l.function->max_dynamic_shared) {
        *why = std::to_string(l.dynamic_shared) + " bytes of dynamic shared memory, above the " +
               std::to_string(l.function->max_dynamic_shared) + " allowed (above 48 KiB needs cuFuncSetAttribute)";
        return INVALID_VALUE;
    }
    for (int i = 0; i < k->param_count; i++) {
        const cuemu_param& p = k->params[i];
        if (p.kind == CUEMU_PARAM_VALUE) continue;
        for (size_t word = 0; word + 8 <= p.size; word += 8) {
            uintptr_t value;
            memcpy(&value, l.args.get() + p.offset + word, 8);
            Allocation a;
            const bool known = value && (find_allocation(value, 0, &a) || find_allocation(value - 1, 1, &a));
            if (p.kind == CUEMU_PARAM_POINTER && value && !known) {
                *why = "argument " + std::to_string(i) + " is the pointer " + hex(value) + ", " +
                       describe_address(value);
                return ILLEGAL_ADDRESS;
            }
            if (known && !l.context->may_touch(a.device)) {
                *why = "argument " + std::to_string(i) + " points into device " + std::to_string(a.device) +
                       "'s memory, and device " + std::to_string(l.context->device) +
                       " has no peer access to it (cuCtxEnablePeerAccess)";
                return ILLEGAL_ADDRESS;
            }
        }
    }
    return SUCCESS;
}

CUEMU_API cuLaunchKernel(void* function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                         unsigned bz, unsigned shared, void* stream, void** params, void** extra) {
    Function* f = static_cast<Function*>(function);
    if (!t_current) return INVALID_CONTEXT;
    if (int sticky = poisoned()) return sticky;
    if (!f || extra || (!params && f->kernel->param_count)) return INVALID_VALUE;
    auto launch = std::make_shared<Launch>();
    launch->context = t_current;
    launch->function = f;
    launch->grid[0] = gx, launch->grid[1] = gy, launch->grid[2] = gz;
    launch->block[0] = bx, launch->block[1] = by, launch->block[2] = bz;
    launch->dynamic_shared = shared;
    // The driver copies the argument values at launch (JCuda frees them when the call returns; graphs keep them).
    launch->args = std::shared_ptr<char>(new char[f->kernel->args_size + 16](), std::default_delete<char[]>());
    f->kernel->pack(params, launch->args.get());
    std::ostringstream what;
    what << f->kernel->name << "<<<(" << gx << "," << gy << "," << gz << "), (" << bx << "," << by << "," << bz
         << "), " << shared << ">>>";
    launch->what = what.str();
    std::string why;
    const Result invalid = validate_launch(*launch, &why);
    if (invalid == ILLEGAL_ADDRESS) {
        t_current->poison(invalid, launch->what + ": " + why);
        return invalid;
    }
    if (invalid != SUCCESS) {
        log("launch of %s refused: %s", launch->what.c_str(), why.c_str());
        return invalid;
    }
    // A fault drill: the Nth launch of the process faults as a kernel with a wild pointer would (sticky).
    static std::atomic<long> launches{0};
    if (config().fault_at_launch > 0 && ++launches == config().fault_at_launch) {
        return enqueue(stream, launch->what, [launch] {
            launch->context->poison(ILLEGAL_ADDRESS, launch->what + ": injected fault (CUEMU_FAULT_AT_LAUNCH=" +
                                    std::to_string(config().fault_at_launch) + ")");
            return (int)ILLEGAL_ADDRESS;
        });
    }
    return enqueue(stream, launch->what, [launch] { return run_grid(*launch); });
}

// ---------------------------------------------------------------- errors
CUEMU_API cuGetErrorName(int error, const char** name) {
    static const std::map<int, const char*> names = {
        {SUCCESS, "CUDA_SUCCESS"}, {INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE"},
        {OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY"}, {ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS"},
        {MISALIGNED_ADDRESS, "CUDA_ERROR_MISALIGNED_ADDRESS"}, {LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED"},
        {LAUNCH_OUT_OF_RESOURCES, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"}, {NOT_SUPPORTED, "CUDA_ERROR_NOT_SUPPORTED"}};
    auto it = names.find(error);
    if (it == names.end()) return INVALID_VALUE;
    *name = it->second;
    return SUCCESS;
}
// The description of a sticky kernel fault names what the emulator saw (the kernel, the thread, the address);
// other codes get their name.
CUEMU_API cuGetErrorString(int error, const char** text) {
    if (t_current && t_current->sticky.load() == error && error != SUCCESS) {
        std::lock_guard<std::mutex> hold(t_current->fault_lock);
        *text = t_current->fault.c_str();
        return SUCCESS;
    }
    return cuGetErrorName(error, text);
}
