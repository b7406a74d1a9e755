// A guest that touches the emulated UART (guest physical 0x10000000..
// 0x10000100) in odd ways: every width, registers that do not exist, and
// (as separate actions, since the hypervisor stops the guest for them)
// misaligned accesses.
//
// "uart-widths" prints what each access returned; the test holds the
// expected values, which are the policy (final/ISOLATION.md): the UART's
// registers are bytes; an aligned access of any width reaches the register
// at its offset (a read zero-extends it, then sign-extends as the load
// instruction says; a write stores the low byte); offsets 8..0xff hold no
// register: they read as 0 and ignore writes.
#include "guest.hpp"

namespace {

volatile uint8_t* const uart = reinterpret_cast<volatile uint8_t*>(UART_BASE);

// One access each, of the width and signedness its name says.
uint64_t lb(uint64_t off) { return static_cast<int64_t>(*reinterpret_cast<volatile int8_t*>(uart + off)); }
uint64_t lbu(uint64_t off) { return *(uart + off); }
uint64_t lh(uint64_t off) { return static_cast<int64_t>(*reinterpret_cast<volatile int16_t*>(uart + off)); }
uint64_t lw(uint64_t off) { return static_cast<int64_t>(*reinterpret_cast<volatile int32_t*>(uart + off)); }
uint64_t lwu(uint64_t off) { return *reinterpret_cast<volatile uint32_t*>(uart + off); }
uint64_t ld(uint64_t off) { return *reinterpret_cast<volatile uint64_t*>(uart + off); }
void sb(uint64_t off, uint64_t v) { *(uart + off) = static_cast<uint8_t>(v); }
void sh(uint64_t off, uint64_t v) { *reinterpret_cast<volatile uint16_t*>(uart + off) = static_cast<uint16_t>(v); }
void sw(uint64_t off, uint64_t v) { *reinterpret_cast<volatile uint32_t*>(uart + off) = static_cast<uint32_t>(v); }
void sd(uint64_t off, uint64_t v) { *reinterpret_cast<volatile uint64_t*>(uart + off) = v; }

// Compressed loads and stores (c.lw, c.sd) decode differently: try them too.
// They take only registers x8..x15: a0 and a1 are x10 and x11. (GCC 12's
// "cr" constraint would pick one, but GCC 14 no longer knows it.)
uint64_t c_lw(uint64_t off) {
    register uint64_t value asm("a0");
    register volatile uint8_t* address asm("a1") = uart + off;
    asm volatile("c.lw %0, 0(%1)" : "=r"(value) : "r"(address) : "memory");
    return value;
}
void c_sd(uint64_t off, uint64_t v) {
    register uint64_t value asm("a0") = v;
    register volatile uint8_t* address asm("a1") = uart + off;
    asm volatile("c.sd %0, 0(%1)" ::"r"(value), "r"(address) : "memory");
}

constexpr uint64_t DATA = 0, LINE_STATUS = 5, MODEM_CONTROL = 4, SCRATCH = 7;

void widths() {
    say("uart: lbu +5 = {}", lbu(LINE_STATUS));
    say("uart: ld +0 = {}", ld(DATA));  // no input waiting: the receive buffer reads 0
    sb(SCRATCH, 0xa5);
    say("uart: lb +7 = {}", lb(SCRATCH));
    say("uart: lbu +7 = {}", lbu(SCRATCH));
    sw(MODEM_CONTROL, 0x12345603);
    say("uart: lw +4 = {}", lw(MODEM_CONTROL));
    sh(MODEM_CONTROL, 0xff0b);
    say("uart: lh +4 = {}", lh(MODEM_CONTROL));
    say("uart: c.lw +4 = {}", c_lw(MODEM_CONTROL));
    // A wide write to the transmit register sends its low byte: "ok\n".
    sd(DATA, 0x4142434445464700 | 'o');
    c_sd(DATA, 0x4142434445464700 | 'k');
    sb(DATA, '\n');
    // Offsets with no register behind them.
    sd(0x8, ~0ul);
    sw(0x80, ~0ul);
    sb(0xff, 0xff);
    say("uart: ld +8 = {}", ld(0x8));
    say("uart: lwu +0x80 = {}", lwu(0x80));
    say("uart: lb +0xff = {}", lb(0xff));
    say("uart: ld +0xf8 = {}", ld(0xf8));
    say("uart: done");
}

[[gnu::noinline]] uint64_t misaligned_load(volatile uint32_t* address) {
    uint64_t value;
    asm volatile(".global misaligned_lw\nmisaligned_lw: lw %0, 0(%1)" : "=r"(value) : "r"(address) : "memory");
    return value;
}

[[gnu::noinline]] void misaligned_store(volatile uint64_t* address) {
    asm volatile(".global misaligned_sd\nmisaligned_sd: sd %0, 0(%1)" ::"r"(0ul), "r"(address) : "memory");
}

}  // namespace

extern "C" void guest_main(uint64_t, uint64_t) {
    const uint64_t address = test_arguments.address;
    if (action_is("uart-widths")) {
        widths();
        power_off();
    } else if (action_is("misaligned-load")) {
        say("uart: 4-byte load from {}", address);
        const uint64_t value = misaligned_load(reinterpret_cast<volatile uint32_t*>(address));
        say("uart: it gave {}", value);
    } else if (action_is("misaligned-store")) {
        say("uart: 8-byte store to {}", address);
        misaligned_store(reinterpret_cast<volatile uint64_t*>(address));
        say("uart: it went through");
    } else {
        fail("uart: unknown action");
    }
    fail("uart: the hypervisor let a misaligned device access through");
}
