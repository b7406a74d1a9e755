// println and PANIC: the hypervisor's voice.
//
//   println("guest RAM at {:#x}, {} MiB", base, size >> 20);
//   PANIC("no kernel image (size {})", size);
#pragma once
#include "format.hpp"

// Print to the console, with a newline at the end.
template <typename... Args>
void println(const char* format, const Args&... args);

// Print where and why, then end the machine with a non-zero exit status.
#define PANIC(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)

// ---- the machinery behind them ----

struct ConsoleOutput : fmt::Output {
    void put(char c) override;
};

template <typename... Args>
void println(const char* format, const Args&... args) {
    ConsoleOutput console;
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
