// println and PANIC: the hypervisor's voice.
//
//   println("guest RAM at {:#x}, {} MiB", base, size >> 20);
//   PANIC("no kernel image (size {})", size);
#pragma once
#include "format.hpp"
#include "spinlock.hpp"

// Print to the console, with a newline at the end.
template <typename... Args>
void println(const char* format, const Args&... args);

// Print where and why, then end the machine with a non-zero exit status.
#define PANIC(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)

// For what a guest may do over and over again (call an SBI function we
// lack, execute an instruction it may not): print the first few times,
// then only count, so that a guest cannot flood the console with our
// complaints or slow us down with them.
class LogLimit {
public:
    explicit constexpr LogLimit(const char* what) : what_(what) {}

    // Count one more; true if this one is to be printed.
    bool count() {
        const uint64_t counted = __atomic_add_fetch(&count_, 1, __ATOMIC_RELAXED);  // any hart
        if (counted == PRINTED + 1)
            println("[hypervisor] more {}: counted, no longer printed", what_);
        return counted <= PRINTED;
    }
    uint64_t total() const { return count_; }

    static constexpr uint64_t PRINTED = 8;

private:
    const char* what_;
    uint64_t count_ = 0;
};

// ---- the machinery behind them ----

struct ConsoleOutput : fmt::Output {
    void put(char c) override;
};

// The harts share one console: whoever prints holds this lock, for a whole
// line of ours or a whole write of the guest's, so that lines do not mix.
extern SpinLock console_lock;

// A line of ours: the console is ours until it ends.
struct ConsoleLine : ConsoleOutput {
    ConsoleLine() { console_lock.lock(); }
    ~ConsoleLine() { console_lock.unlock(); }
};

template <typename... Args>
void println(const char* format, const Args&... args) {
    ConsoleLine console;
    fmt::format(console, format, args...);
    console.put('\n');
}

[[noreturn]] void panic_with(const char* file, int line, const char* format,
                             const fmt::Arg* args, size_t count);

template <typename... Args>
[[noreturn]] void panic_at(const char* file, int line, const char* format,
                           const Args&... args) {
    const fmt::Arg erased[] = {fmt::Arg(args)..., fmt::Arg(0)};
    panic_with(file, line, format, erased, sizeof...(args));
}
