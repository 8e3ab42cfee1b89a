// The emulator's settings (environment variables read once by cuInit) and its log on stderr.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <thread>

#include "emulator.h"

namespace cuemu {
namespace {
Config g_config;

long env_long(const char* name, long fallback) {
    const char* v = getenv(name);
    return v && *v ? strtol(v, nullptr, 10) : fallback;
}
}  // namespace

const Config& config() { return g_config; }

void load_config() {
    Config c;
    c.devices = (int)env_long("CUEMU_DEVICES", 1);
    c.memory_bytes = (size_t)env_long("CUEMU_MEMORY_MB", 8192) << 20;
    c.sm = (int)env_long("CUEMU_SM", 80);
    c.multiprocessors = (int)env_long("CUEMU_SMS", 108);
    c.grid_threads = (unsigned)env_long("CUEMU_THREADS", 0);
    if (c.grid_threads == 0) c.grid_threads = std::max(1u, std::thread::hardware_concurrency());
    const char* execution = getenv("CUEMU_EXECUTION");
    c.deferred = !(execution && strcmp(execution, "eager") == 0);
    c.peer_access = env_long("CUEMU_PEER_ACCESS", 1) != 0;
    c.trace = env_long("CUEMU_TRACE", 0) != 0;
    c.fault_at_launch = env_long("CUEMU_FAULT_AT_LAUNCH", 0);
    c.kernel_timeout_s = (int)env_long("CUEMU_KERNEL_TIMEOUT_S", 300);
    g_config = c;
}

namespace {
void print_line(const char* format, va_list args) {
    char line[4096];
    vsnprintf(line, sizeof line, format, args);
    fprintf(stderr, "[cuda-emulator] %s\n", line);
}
}  // namespace

void log(const char* format, ...) {
    va_list args;
    va_start(args, format);
    print_line(format, args);
    va_end(args);
}

void trace(const char* format, ...) {
    if (!g_config.trace) return;
    va_list args;
    va_start(args, format);
    print_line(format, args);
    va_end(args);
}

}  // namespace cuemu
