// Kernel table entries, deduced from each kernel's own signature: cuLaunchKernel's void** kernelParams are copied into
// a buffer laid out as the CUDA ABI lays out parameters (each at its alignment, in order), and unpacked into exactly
// the parameter types the kernel declares.
#pragma once
#include <array>
#include <utility>

#include "cuemu/device.h"
#include "cuemu/kernel_abi.h"

namespace cuemu {

template <typename... A>
struct ParamLayout {
    static constexpr size_t count = sizeof...(A);
    static constexpr std::array<size_t, count + 1> offsets() {
        std::array<size_t, count + 1> at{};
        const size_t sizes[] = {sizeof(A)..., 0}, aligns[] = {alignof(A)..., 1};
        size_t offset = 0;
        for (size_t i = 0; i < count; i++) {
            offset = (offset + aligns[i] - 1) / aligns[i] * aligns[i];
            at[i] = offset;
            offset += sizes[i];
        }
        at[count] = (offset + 15) / 16 * 16;  // the buffer's size
        return at;
    }
    static constexpr std::array<size_t, count + 1> at = offsets();
};

template <typename P>
constexpr int param_kind() {
    return std::is_pointer<P>::value ? CUEMU_PARAM_POINTER
           : std::is_class<P>::value ? CUEMU_PARAM_STRUCT
                                     : CUEMU_PARAM_VALUE;
}

template <typename F> struct Entry;
template <typename... A>
struct Entry<void (*)(A...)> {
    using Layout = ParamLayout<std::decay_t<A>...>;

    static constexpr std::array<cuemu_param, sizeof...(A) + 1> params() {
        std::array<cuemu_param, sizeof...(A) + 1> out{};
        const size_t sizes[] = {sizeof(std::decay_t<A>)..., 0};
        const int kinds[] = {param_kind<std::decay_t<A>>()..., 0};
        for (size_t i = 0; i < sizeof...(A); i++) out[i] = cuemu_param{Layout::at[i], sizes[i], kinds[i]};
        return out;
    }
    static constexpr std::array<cuemu_param, sizeof...(A) + 1> param_table = params();

    template <size_t... I>
    static void pack_each(void* const* params, char* out, std::index_sequence<I...>) {
        (memcpy(out + Layout::at[I], params[I], sizeof(std::decay_t<A>)), ...);
    }
    static void pack(void* const* params, void* out) {
        pack_each(params, static_cast<char*>(out), std::index_sequence_for<A...>{});
    }

    template <typename P>
    static P load(const char* args, size_t offset) {
        P value;
        memcpy(static_cast<void*>(&value), args + offset, sizeof(P));
        return value;
    }
    template <void (*F)(A...), size_t... I>
    static void call(const char* args, std::index_sequence<I...>) {
        F(load<std::decay_t<A>>(args, Layout::at[I])...);
    }
    template <void (*F)(A...)>
    static void run_thread(const void* args) {
        call<F>(static_cast<const char*>(args), std::index_sequence_for<A...>{});
    }
};

}  // namespace cuemu

#define CUEMU_KERNEL(NAME, BOUND)                                                                               \
    cuemu_kernel {                                                                                              \
        #NAME, (int)(BOUND), ::cuemu::Entry<decltype(&NAME)>::Layout::at.back(),                               \
            (int)::cuemu::Entry<decltype(&NAME)>::Layout::count, ::cuemu::Entry<decltype(&NAME)>::param_table.data(), \
            &::cuemu::Entry<decltype(&NAME)>::pack, &::cuemu::Entry<decltype(&NAME)>::template run_thread<&NAME> \
    }

#define CUEMU_MODULE(TABLE, SOURCES_SHA256, CHECKED, SHARED_ARRAYS, SHARED_CAPACITY)                   \
    extern "C" __attribute__((visibility("default"))) const cuemu_module_info* cuemu_module(void) { \
        static const cuemu_module_info info{CUEMU_ABI_VERSION, SOURCES_SHA256, CHECKED,              \
                                            (int)(sizeof(TABLE) / sizeof(TABLE[0])), TABLE,         \
                                            SHARED_ARRAYS, SHARED_CAPACITY};                        \
        return &info;                                                                               \
    }
