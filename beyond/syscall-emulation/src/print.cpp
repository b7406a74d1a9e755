#include "print.hpp"

#include "control.hpp"
#include "power.hpp"
#include "sbi.hpp"

// With a control channel our lines go there, an 'H' frame each, apart
// from the program's output (a panic's stays on the console).
void ConsoleOutput::put(char c) {
    if (!control::active()) return sbi::console_putchar(c);
    static char line[256];
    static size_t size = 0;
    if (c != '\n' && size < sizeof line) line[size++] = c;
    if (c == '\n') {
        control::send('H', line, size);
        size = 0;
    }
}

void panic_with(const char* file, int line, const char* format, const fmt::Arg* args,
                size_t count) {
    struct : fmt::Output {
        void put(char c) override { sbi::console_putchar(c); }
    } console;
    fmt::format(console, "PANIC at {}:{}: ", file, line);
    fmt::format_args(console, format, args, count);
    console.put('\n');
    power::fail(power::PANIC_EXIT_STATUS);
}

// The compiler calls this if a pure virtual function is ever called (only
// possible on a half-built object). There is no C++ runtime to provide it.
extern "C" void __cxa_pure_virtual() { PANIC("pure virtual function called"); }
