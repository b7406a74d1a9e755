#include "guest.hpp"

bool action_is(const char* name) {
    const char* action = test_arguments.action;
    for (size_t i = 0; i < sizeof test_arguments.action; i++) {
        if (action[i] != name[i]) return false;
        if (name[i] == '\0') return true;
    }
    return name[sizeof test_arguments.action] == '\0';
}

void putchar(char c) { sbi::call(sbi::LEGACY_PUTCHAR, 0, static_cast<unsigned char>(c)); }

namespace {

void print(const char* s) {
    while (*s) putchar(*s++);
}

void print_unsigned(uint64_t value, unsigned base) {
    char digits[24];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[value % base];
        value /= base;
    } while (value != 0);
    while (n > 0) putchar(digits[--n]);
}

void print_arg(const Arg& arg) {
    switch (arg.kind) {
        case Arg::String: print(arg.text); break;
        case Arg::Unsigned: print("0x"); print_unsigned(arg.number, 16); break;
        case Arg::Signed:
            if (static_cast<int64_t>(arg.number) < 0) {
                putchar('-');
                print_unsigned(-arg.number, 10);
            } else {
                print_unsigned(arg.number, 10);
            }
            break;
    }
}

void (*trap_handler)(TrapFrame&) = nullptr;

}  // namespace

void say_args(const char* format, const Arg* args, size_t count) {
    size_t next = 0;
    for (const char* p = format; *p; p++) {
        if (p[0] == '{' && p[1] == '}' && next < count) {
            print_arg(args[next++]);
            p++;
        } else {
            putchar(*p);
        }
    }
    putchar('\n');
}

extern "C" [[noreturn]] void power_off() {
    sbi::call(sbi::SRST, 0, /*shutdown=*/0, /*reason=*/0);
    for (;;) asm volatile("wfi");  // not reached: the hypervisor ends the machine
}

[[noreturn]] void fail(const char* why) {
    say("FAIL {}", why);
    power_off();
}

extern "C" char trap_vector[];  // start.S

void install_trap_handler(void (*handler)(TrapFrame&)) {
    trap_handler = handler;
    write_stvec(reinterpret_cast<uint64_t>(trap_vector));
}

extern "C" void guest_trap(TrapFrame* frame) {
    if (trap_handler == nullptr) fail("a trap with no handler");
    trap_handler(*frame);
}

// The compiler may call these for loops and struct copies.
extern "C" void* memset(void* dest, int c, size_t n) {
    auto* d = static_cast<unsigned char*>(dest);
    while (n--) *d++ = static_cast<unsigned char>(c);
    return dest;
}

extern "C" void* memcpy(void* dest, const void* src, size_t n) {
    auto* d = static_cast<unsigned char*>(dest);
    auto* s = static_cast<const unsigned char*>(src);
    while (n--) *d++ = *s++;
    return dest;
}
