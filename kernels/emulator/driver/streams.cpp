// Streams: each runs its work in order on its own OS thread, so two devices' work overlaps (a kernel waiting on a
// flag that another device's kernel writes completes). Deferred execution (the default) holds queued work until the
// host reaches a synchronisation point (stream, context or event synchronisation), which releases the work of every
// stream: a host read that did not synchronise sees the old contents instead of racing to the right answer.
#include <algorithm>

#include "emulator.h"

namespace cuemu {

thread_local Stream* t_capturing = nullptr;

namespace {
std::mutex g_streams_lock;
std::vector<Stream*> g_streams;
}  // namespace

void register_stream(Stream* stream) {
    std::lock_guard<std::mutex> hold(g_streams_lock);
    g_streams.push_back(stream);
}

void unregister_stream(Stream* stream) {
    std::lock_guard<std::mutex> hold(g_streams_lock);
    g_streams.erase(std::remove(g_streams.begin(), g_streams.end(), stream), g_streams.end());
}

void release_all_streams() {
    std::lock_guard<std::mutex> hold(g_streams_lock);
    for (Stream* s : g_streams) s->release();
}

Stream::Stream(Context* context) : context(context) {
    thread = std::thread([this] { run_loop(); });
    register_stream(this);
}

Stream::~Stream() {
    unregister_stream(this);
    synchronize();
    {
        std::lock_guard<std::mutex> hold(lock);
        stopping = true;
    }
    changed.notify_all();
    thread.join();
    delete capture;
}

Result Stream::enqueue(std::shared_ptr<Op> op) {
    if (capture) {
        capture->ops.push_back(std::move(op));
        return SUCCESS;
    }
    std::lock_guard<std::mutex> hold(lock);
    queue.push_back(std::move(op));
    if (!config().deferred) released = queue.size();
    changed.notify_all();
    return SUCCESS;
}

void Stream::release() {
    std::lock_guard<std::mutex> hold(lock);
    released = queue.size();
    changed.notify_all();
}

bool Stream::idle() {
    std::lock_guard<std::mutex> hold(lock);
    return queue.empty() && !busy;
}

Result Stream::synchronize() {
    release_all_streams();
    drain();
    return (Result)context->sticky.load();
}

void Stream::drain() {
    std::unique_lock<std::mutex> hold(lock);
    released = queue.size();
    changed.notify_all();
    changed.wait(hold, [this] { return queue.empty() && !busy; });
}

Result synchronize_context(Context* context) {
    release_all_streams();
    std::vector<Stream*> streams;
    {
        std::lock_guard<std::mutex> hold(g_streams_lock);
        for (Stream* s : g_streams)
            if (s->context == context) streams.push_back(s);
    }
    for (Stream* s : streams) s->drain();
    return (Result)context->sticky.load();
}

void Stream::run_loop() {
    std::unique_lock<std::mutex> hold(lock);
    for (;;) {
        changed.wait(hold, [this] { return stopping || released > 0; });
        if (released == 0 && stopping) return;
        std::shared_ptr<Op> op = std::move(queue.front());
        queue.pop_front();
        released--;
        busy = true;
        hold.unlock();
        // A poisoned context runs nothing more (the work of a faulted step must not land).
        if (context->sticky.load() == SUCCESS) {
            trace("run %s", op->what.c_str());
            op->run();
        }
        hold.lock();
        busy = false;
        changed.notify_all();
    }
}

void Context::poison(int code, const std::string& report) {
    int expected = SUCCESS;
    std::lock_guard<std::mutex> hold(fault_lock);
    if (sticky.compare_exchange_strong(expected, code)) {
        fault = report;
        log("device %d: %s; the context is unusable from now on (as on a GPU)", device, report.c_str());
    }
}

}  // namespace cuemu
