// Device and pinned host memory. Each allocation gets its own mapping with a guard page on both sides and ends where
// the upper guard page begins (after rounding its size up to 256 bytes, the driver's granularity), so a kernel that
// reads or writes past the end faults as on a GPU. New memory is filled with 0xFF: NaN in every float type, -1 in
// every integer, so a read of memory nothing wrote shows.
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <shared_mutex>
#include <sstream>

#include "emulator.h"

namespace cuemu {

std::atomic<uint64_t> g_memory_generation{0};

namespace {
std::shared_mutex g_lock;
std::map<uintptr_t, Allocation> g_allocations;  // by begin
std::map<int, size_t> g_allocated;              // by device
uint64_t g_serial = 0;
const size_t kPage = (size_t)sysconf(_SC_PAGESIZE);
constexpr size_t kGranularity = 256;

size_t round_up(size_t v, size_t to) { return (v + to - 1) / to * to; }
}  // namespace

Result allocate(int device, size_t bytes, MemoryKind kind, uintptr_t* out) {
    if (bytes == 0) return INVALID_VALUE;
    const size_t rounded = round_up(bytes, kGranularity), data_pages = round_up(rounded, kPage);
    {
        std::shared_lock<std::shared_mutex> hold(g_lock);
        if (kind == MemoryKind::DEVICE) {
            auto it = g_allocated.find(device);
            const size_t used = it == g_allocated.end() ? 0 : it->second;
            if (used + rounded > config().memory_bytes) return OUT_OF_MEMORY;
        }
    }
    const size_t mapping_bytes = data_pages + 2 * kPage;
    void* mapping = mmap(nullptr, mapping_bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapping == MAP_FAILED) return OUT_OF_MEMORY;
    char* data = static_cast<char*>(mapping) + kPage;
    if (mprotect(data, data_pages, PROT_READ | PROT_WRITE) != 0) {
        munmap(mapping, mapping_bytes);
        return OUT_OF_MEMORY;
    }
    char* begin = data + data_pages - rounded;
    memset(begin, 0xFF, rounded);
    std::unique_lock<std::shared_mutex> hold(g_lock);
    if (kind == MemoryKind::DEVICE) g_allocated[device] += rounded;
    g_allocations[(uintptr_t)begin] = Allocation{(uintptr_t)begin, bytes, kind == MemoryKind::DEVICE ? device : -1,
                                                 kind, ++g_serial, mapping, mapping_bytes};
    *out = (uintptr_t)begin;
    return SUCCESS;
}

Result release(uintptr_t begin, MemoryKind kind) {
    Allocation a;
    {
        std::unique_lock<std::shared_mutex> hold(g_lock);
        auto it = g_allocations.find(begin);
        if (it == g_allocations.end() || it->second.kind != kind) return INVALID_VALUE;
        a = it->second;
        if (kind == MemoryKind::DEVICE) g_allocated[a.device] -= round_up(a.bytes, kGranularity);
        g_allocations.erase(it);
        g_memory_generation++;
    }
    munmap(a.mapping, a.mapping_bytes);
    return SUCCESS;
}

size_t allocated_bytes(int device) {
    std::shared_lock<std::shared_mutex> hold(g_lock);
    auto it = g_allocated.find(device);
    return it == g_allocated.end() ? 0 : it->second;
}

bool find_allocation(uintptr_t address, size_t bytes, Allocation* out) {
    std::shared_lock<std::shared_mutex> hold(g_lock);
    auto it = g_allocations.upper_bound(address);
    if (it == g_allocations.begin()) return false;
    --it;
    const Allocation& a = it->second;
    if (address + bytes > a.begin + a.bytes) return false;
    *out = a;
    return true;
}

bool is_guard_page(uintptr_t address) {
    std::shared_lock<std::shared_mutex> hold(g_lock);
    for (const auto& [begin, a] : g_allocations) {
        const uintptr_t m = (uintptr_t)a.mapping;
        if (address >= m && address < m + a.mapping_bytes) return true;
    }
    return false;
}

std::string hex(uintptr_t value) {
    std::ostringstream s;
    s << "0x" << std::hex << value;
    return s.str();
}

std::string describe_address(uintptr_t address) {
    std::shared_lock<std::shared_mutex> hold(g_lock);
    auto name = [](const Allocation& a) {
        std::ostringstream s;
        s << (a.kind == MemoryKind::DEVICE ? "device " + std::to_string(a.device) + " allocation #"
                                           : std::string("pinned host allocation #"))
          << a.serial << " of " << a.bytes << " bytes at " << hex(a.begin);
        return s.str();
    };
    std::ostringstream s;
    auto above = g_allocations.upper_bound(address);
    if (above != g_allocations.begin()) {
        const Allocation& a = std::prev(above)->second;
        if (address < a.begin + a.bytes) return "offset " + std::to_string(address - a.begin) + " of " + name(a);
        if (address - (a.begin + a.bytes) < 1u << 20) {
            return std::to_string(address - (a.begin + a.bytes)) + " bytes past the end of " + name(a);
        }
    }
    if (above != g_allocations.end() && above->second.begin - address < 1u << 20) {
        return std::to_string(above->second.begin - address) + " bytes before " + name(above->second);
    }
    return hex(address) + ", which is not device memory";
}

}  // namespace cuemu
