#include "print.hpp"

#include "power.hpp"
#include "sbi.hpp"

void ConsoleOutput::put(char c) { sbi::console_putchar(c); }

SpinLock console_lock;

void panic_with(const char* file, int line, const char* format, const fmt::Arg* args,
                size_t count) {
    // Print even if the console is never let go: its holder may be this
    // very hart, which faulted while printing.
    const uint64_t give_up = riscv::read_time() + 1'000'000;  // 0.1 s
    while (!console_lock.try_lock() && riscv::read_time() < give_up) {}
    ConsoleOutput console;
    fmt::format(console, "PANIC at {}:{}: ", file, line);
    fmt::format_args(console, format, args, count);
    console.put('\n');
    power::fail(power::PANIC_EXIT_STATUS);
}

// The compiler calls this if a pure virtual function is ever called (only
// possible on a half-built object). There is no C++ runtime to provide it.
extern "C" void __cxa_pure_virtual() { PANIC("pure virtual function called"); }
