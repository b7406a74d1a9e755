#include "print.hpp"

#include "power.hpp"
#include "sbi.hpp"

void ConsoleOutput::put(char c) { sbi::console_putchar(c); }

void panic_with(const char* file, int line, const char* format, const fmt::Arg* args,
                size_t count) {
    ConsoleOutput console;
    fmt::format(console, "PANIC at {}:{}: ", file, line);
    fmt::format_args(console, format, args, count);
    console.put('\n');
    power::fail(power::PANIC_EXIT_STATUS);
}

// The compiler calls this if a pure virtual function is ever called (only
// possible on a half-built object). There is no C++ runtime to provide it.
extern "C" void __cxa_pure_virtual() { PANIC("pure virtual function called"); }
