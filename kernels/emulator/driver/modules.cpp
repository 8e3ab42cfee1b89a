// Kernel modules. The project's fatbin (what cuModuleLoadData receives from the Java backend) is mapped to the host
// module built by g++ from the same sources: build-fatbin.sh compiles the SHA-256 of kernels/src/main/cuda into the
// fatbin, gen-kernel-table.sh into the host module, and a pair that differ is refused (a stale module would test
// other code than the fatbin holds). Tests may also load a host module by path (CUEMU_HOST_MODULE_IMAGE).
#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>

#include <cstring>

#include "emulator.h"

namespace cuemu {

namespace {
std::mutex g_modules_lock;
std::map<std::string, Module*> g_modules;  // by path; host modules stay loaded for the process

// The fatbin container's header: magic, version, header size, then the size of what follows.
struct FatbinHeader { uint32_t magic; uint16_t version, header_bytes; uint64_t body_bytes; };
constexpr uint32_t kFatbinMagic = 0xBA55ED50;

std::string own_directory() {
    Dl_info info{};
    dladdr((void*)&own_directory, &info);
    std::string path = info.dli_fname ? info.dli_fname : "";
    return path.substr(0, path.rfind('/') + 1);
}

// The host module for the project's fatbin: CUEMU_KERNELS, else the one beside this library (checked with
// CUEMU_CHECKS=1: memcheck and racecheck, several times slower).
std::string project_module_path() {
    const char* chosen = getenv("CUEMU_KERNELS");
    if (chosen && *chosen) return chosen;
    const char* checks = getenv("CUEMU_CHECKS");
    const bool checked = checks && strcmp(checks, "1") == 0;
    return own_directory() + (checked ? "libaqlm_kernels_emu_checked.so" : "libaqlm_kernels_emu.so");
}

void allow_module_segments(void* handle) {
    struct link_map* map = nullptr;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || !map) return;
    dl_iterate_phdr([](struct dl_phdr_info* info, size_t, void* data) {
        const char* name = static_cast<const char*>(data);
        if (!info->dlpi_name || strcmp(info->dlpi_name, name) != 0) return 0;
        for (int i = 0; i < info->dlpi_phnum; i++) {
            const ElfW(Phdr)& segment = info->dlpi_phdr[i];
            if (segment.p_type == PT_LOAD) {
                allow_module_data(info->dlpi_addr + segment.p_vaddr, info->dlpi_addr + segment.p_vaddr + segment.p_memsz);
            }
        }
        return 1;
    }, (void*)map->l_name);
}

Result open_host_module(const std::string& path, Module** out) {
    std::lock_guard<std::mutex> hold(g_modules_lock);
    auto it = g_modules.find(path);
    if (it != g_modules.end()) {
        *out = it->second;
        return SUCCESS;
    }
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        log("cannot load the host kernel module: %s", dlerror());
        return INVALID_IMAGE;
    }
    auto entry = reinterpret_cast<const cuemu_module_info* (*)()>(dlsym(handle, "cuemu_module"));
    const cuemu_module_info* info = entry ? entry() : nullptr;
    if (!info || info->abi_version != CUEMU_ABI_VERSION) {
        log("%s is not a host kernel module of this emulator (ABI %d)", path.c_str(), CUEMU_ABI_VERSION);
        return INVALID_IMAGE;
    }
    allow_module_segments(handle);
    Module* module = new Module{handle, info, path, {}};
    for (int i = 0; i < info->kernel_count; i++) module->functions.push_back(Function{module, &info->kernels[i]});
    g_modules[path] = module;
    *out = module;
    return SUCCESS;
}
}  // namespace

Result load_module(const void* image, Module** out) {
    const char* bytes = static_cast<const char*>(image);
    if (strncmp(bytes, CUEMU_HOST_MODULE_IMAGE, strlen(CUEMU_HOST_MODULE_IMAGE)) == 0) {
        return open_host_module(bytes + strlen(CUEMU_HOST_MODULE_IMAGE), out);
    }
    FatbinHeader header;
    memcpy(&header, bytes, sizeof header);
    if (header.magic != kFatbinMagic) return INVALID_IMAGE;
    if (config().sm < 80) return NO_BINARY_FOR_GPU;  // the fatbin holds sm_80+ code and compute_90 PTX
    const size_t size = header.header_bytes + header.body_bytes;
    const size_t marker = strlen(CUEMU_FATBIN_HASH_MARKER);
    const char* found = static_cast<const char*>(memmem(bytes, size, CUEMU_FATBIN_HASH_MARKER, marker));
    if (!found) {
        log("the fatbin carries no kernel-sources hash (it was not built by kernels/build-fatbin.sh)");
        return INVALID_IMAGE;
    }
    const std::string fatbin_hash(found + marker, 64);
    const std::string path = project_module_path();
    Module* module = nullptr;
    Result result = open_host_module(path, &module);
    if (result != SUCCESS) return result;
    if (fatbin_hash != module->info->sources_sha256) {
        log("stale host kernel module %s: built from kernel sources %.12s, but the fatbin from %.12s; rebuild both "
            "from the same sources (mvn -pl kernels package)", path.c_str(), module->info->sources_sha256,
            fatbin_hash.c_str());
        return SHARED_OBJECT_INIT_FAILED;
    }
    *out = module;
    return SUCCESS;
}

}  // namespace cuemu
