// A guest that drives the interrupt controller of beyond/interrupts (an
// emulated PLIC at guest physical 0x0c000000) the right way and the wrong
// way.
//
// "plic-registers": what each register keeps (priorities are 3 bits, source
// 0 does not exist, the pending bits are read-only, other contexts' registers
// are not there), claims with nothing pending, completions of sources never
// claimed; then the UART's "room to send" interrupt, which needs no typing:
// held back by the threshold, then taken, claimed and completed.
// "plic-key": a key typed by the test arrives by interrupt.
#include "guest.hpp"

namespace {

constexpr uint64_t PLIC = 0x0c00'0000;
constexpr uint64_t PRIORITY = 0x000000, PENDING = 0x001000, ENABLE = 0x002000;
constexpr uint64_t THRESHOLD = 0x200000, CLAIM = 0x200004;
constexpr uint32_t UART_IRQ = 10;
constexpr uint64_t SIE_SEIE = 1 << 9;
constexpr uint64_t EXTERNAL_INTERRUPT = (1ull << 63) | 9;

volatile uint32_t& plic(uint64_t offset) { return *reinterpret_cast<volatile uint32_t*>(PLIC + offset); }
volatile uint8_t& uart(uint64_t offset) { return *reinterpret_cast<volatile uint8_t*>(UART_BASE + offset); }
constexpr uint64_t DATA = 0, INTERRUPT_ENABLE = 1, INTERRUPT_ID = 2, LINE_STATUS = 5;

volatile uint32_t claimed = 0;
volatile uint32_t interrupt_id = 0;
volatile uint32_t key = 0;

void on_interrupt(TrapFrame&) {
    if (read_scause() != EXTERNAL_INTERRUPT) fail("plic: not an external interrupt");
    claimed = plic(CLAIM);
    interrupt_id = uart(INTERRUPT_ID);
    if (uart(LINE_STATUS) & 1) key = uart(DATA);
    uart(INTERRUPT_ENABLE) = 0;  // served: the line goes down
    plic(CLAIM) = claimed;       // complete
}

// With interrupts on, wait up to 10 ms for the handler to run.
bool taken_within_10ms() {
    claimed = 0;
    write_sstatus(read_sstatus() | SSTATUS_SIE);
    const uint64_t end = read_time() + 100'000;
    while (claimed == 0 && read_time() < end) {}
    write_sstatus(read_sstatus() & ~SSTATUS_SIE);
    return claimed != 0;
}

void registers() {
    plic(PRIORITY + 4 * UART_IRQ) = 0xff;
    say("plic: priority 0xff -> {}", plic(PRIORITY + 4 * UART_IRQ));
    plic(PRIORITY) = 5;
    say("plic: priority of source 0 -> {}", plic(PRIORITY));
    plic(ENABLE) = 0xffff'ffff;
    say("plic: enable 0xffffffff -> {}", plic(ENABLE));
    plic(THRESHOLD) = 9;
    say("plic: threshold 9 -> {}", plic(THRESHOLD));
    say("plic: claim with nothing pending -> {}", plic(CLAIM));
    plic(CLAIM) = 0;
    plic(CLAIM) = 99;
    plic(CLAIM) = UART_IRQ;
    plic(PENDING) = 0xffff'ffff;
    say("plic: pending after completing unclaimed sources and writing it -> {}", plic(PENDING));
    plic(THRESHOLD + 0x1000) = 3;  // context 1: not there
    say("plic: another context's threshold -> {}, the last word -> {}", plic(THRESHOLD + 0x1000),
        plic(0x3f'fffc));

    // The UART asks for room to send: its line goes high at once.
    install_trap_handler(on_interrupt);
    write_sie(SIE_SEIE);
    plic(PRIORITY + 4 * UART_IRQ) = 1;
    plic(THRESHOLD) = 1;  // priority 1 is not above it: held back
    uart(INTERRUPT_ENABLE) = 2;
    say("plic: pending {}, at the threshold: {}", plic(PENDING),
        taken_within_10ms() ? "taken" : "not taken");
    plic(THRESHOLD) = 0;
    const bool taken = taken_within_10ms();
    say("plic: below it: {}, claimed {}, IIR {}", taken ? "taken" : "not taken", claimed,
        interrupt_id);
    say("plic: after completion, pending {}, claim -> {}", plic(PENDING), plic(CLAIM));
}

void a_key() {
    install_trap_handler(on_interrupt);
    write_sie(SIE_SEIE);
    plic(PRIORITY + 4 * UART_IRQ) = 1;
    plic(ENABLE) = 1u << UART_IRQ;
    plic(THRESHOLD) = 0;
    uart(INTERRUPT_ENABLE) = 1;  // a key to read
    say("plic: waiting for a key");
    write_sstatus(read_sstatus() | SSTATUS_SIE);
    while (claimed == 0) asm volatile("wfi");
    say("plic: key {} by interrupt, source {}, IIR {}", key, claimed, interrupt_id);
}

}  // namespace

extern "C" void guest_main(uint64_t, uint64_t) {
    if (action_is("plic-registers")) registers();
    else if (action_is("plic-key")) a_key();
    else fail("plic: unknown action");
    power_off();
}
