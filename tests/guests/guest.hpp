// The little runtime every test guest shares: talk to the hypervisor
// through SBI, print, end, catch its own traps, and read what the test
// asked it to do.
//
// A test guest is a bare-metal program in VS-mode that does one wrong or
// hostile thing; tests/test_hostile_guests.py checks how final/ reacts.
#pragma once
#include <stddef.h>
#include <stdint.h>

// ---- what the test asks for (start.S: 32 bytes at offset 0x40 of the Image) ----

struct TestArguments {
    char action[24];   // e.g. "load"; NUL-padded
    uint64_t address;  // an address the action uses, if any
};
extern "C" const TestArguments test_arguments;

// Is the action the test asked for `name`?
bool action_is(const char* name);

// ---- the guest's machine, as the hypervisor describes it ----

inline constexpr uint64_t RAM_BASE = 0x8000'0000;
inline constexpr uint64_t RAM_SIZE = 64 * 1024 * 1024;
inline constexpr uint64_t UART_BASE = 0x1000'0000;

// ---- SBI: the hypervisor's interface to the guest ----

namespace sbi {

struct Result {
    long error;
    long value;
};

inline constexpr long BASE = 0x10;
inline constexpr long TIME = 0x5449'4d45;
inline constexpr long IPI = 0x0073'5049;
inline constexpr long HSM = 0x0048'534d;
inline constexpr long SRST = 0x5352'5354;
inline constexpr long DBCN = 0x4442'434e;
inline constexpr long LEGACY_SET_TIMER = 0x00;
inline constexpr long LEGACY_PUTCHAR = 0x01;

inline Result call(long extension, long function, uint64_t arg0 = 0, uint64_t arg1 = 0,
                   uint64_t arg2 = 0) {
    register uint64_t a0 asm("a0") = arg0;
    register uint64_t a1 asm("a1") = arg1;
    register uint64_t a2 asm("a2") = arg2;
    register long a6 asm("a6") = function;
    register long a7 asm("a7") = extension;
    asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a6), "r"(a7) : "memory");
    return {static_cast<long>(a0), static_cast<long>(a1)};
}

}  // namespace sbi

// ---- output ----

void putchar(char c);

// One argument of say(): a signed number prints in decimal, an unsigned
// one in hex (0x...), a string as it is.
struct Arg {
    enum Kind { Signed, Unsigned, String } kind;
    uint64_t number;
    const char* text;
    Arg(int v) : kind(Signed), number(static_cast<uint64_t>(v)), text(nullptr) {}
    Arg(long v) : kind(Signed), number(static_cast<uint64_t>(v)), text(nullptr) {}
    Arg(unsigned v) : kind(Unsigned), number(v), text(nullptr) {}
    Arg(unsigned long v) : kind(Unsigned), number(v), text(nullptr) {}
    Arg(const char* s) : kind(String), number(0), text(s) {}
};

void say_args(const char* format, const Arg* args, size_t count);

// say("load from {} gave {}", address, value): a line, {} replaced in order.
template <typename... Args>
void say(const char* format, const Args&... args) {
    const Arg erased[] = {Arg(args)..., Arg(0)};
    say_args(format, erased, sizeof...(args));
}

// ---- the end ----

// SBI System Reset: the hypervisor ends the machine cleanly (QEMU exits 0).
extern "C" [[noreturn]] void power_off();

// The guest saw something wrong: "FAIL why", then power off. The tests
// look for the FAIL line (a guest cannot make QEMU exit non-zero: the test
// device is not mapped into it, on purpose).
[[noreturn]] void fail(const char* why);

// ---- the guest's own traps ----

struct TrapFrame {
    uint64_t x[32];  // registers at the trap (x[2] = sp)
    uint64_t sepc;   // where the trap happened; the handler may move it
};

// Point stvec at start.S's trap vector, which calls `handler` for every trap.
void install_trap_handler(void (*handler)(TrapFrame&));

// ---- CSRs, as the guest (VS-mode) sees them ----

#define GUEST_CSR(name)                                              \
    inline uint64_t read_##name() {                                  \
        uint64_t v;                                                  \
        asm volatile("csrr %0, " #name : "=r"(v));                   \
        return v;                                                    \
    }                                                                \
    inline void write_##name(uint64_t v) { asm volatile("csrw " #name ", %0" ::"r"(v) : "memory"); }

GUEST_CSR(sstatus)
GUEST_CSR(sie)
GUEST_CSR(sip)
GUEST_CSR(stimecmp)  // Sstc: the guest's own timer (vstimecmp, as we see it)
GUEST_CSR(stvec)
GUEST_CSR(scause)
GUEST_CSR(stval)
GUEST_CSR(satp)

inline constexpr uint64_t SSTATUS_SIE = 1 << 1;
inline constexpr uint64_t SSTATUS_SPP = 1 << 8;
inline constexpr uint64_t SIE_STIE = 1 << 5;
inline constexpr uint64_t SIP_STIP = 1 << 5;  // a timer interrupt is pending

inline uint64_t read_time() {
    uint64_t v;
    asm volatile("rdtime %0" : "=r"(v));
    return v;
}
