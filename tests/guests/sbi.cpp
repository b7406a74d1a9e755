// A guest that makes SBI calls the hypervisor must refuse or answer
// carefully: unknown extensions and functions, bad arguments, a timer in
// the past, and floods of calls.
//
// "sbi-calls" prints each call's answer (the test holds the expected
// ones); "timer-in-the-past" waits for the timer interrupt a deadline in
// the past must raise at once; "flood" makes 100,000 well-formed calls and
// 100,000 unsupported ones, and counts the right answers; "dbcn" hands the
// debug console buffers that are not all guest RAM, and good ones.
#include "guest.hpp"

namespace {

struct Call {
    const char* name;
    long extension;
    long function;
    uint64_t arg0, arg1;
};

constexpr long UNKNOWN_EXTENSION = 0x1234'5678;
constexpr long HART_START = 0, HART_STOP = 1, HART_GET_STATUS = 2, SEND_IPI = 0;
constexpr long GET_SPEC_VERSION = 0, PROBE_EXTENSION = 3, SET_TIMER = 0, SYSTEM_RESET = 0;

constexpr Call CALLS[] = {
    {"get_spec_version", sbi::BASE, GET_SPEC_VERSION, 0, 0},
    {"probe_extension(TIME)", sbi::BASE, PROBE_EXTENSION, sbi::TIME, 0},
    {"probe_extension(0x12345678)", sbi::BASE, PROBE_EXTENSION, UNKNOWN_EXTENSION, 0},
    {"BASE function 99", sbi::BASE, 99, 0, 0},
    {"extension 0x12345678", UNKNOWN_EXTENSION, 0, 0, 0},
    {"legacy extension 0xf", 0xf, 0, 0, 0},
    {"TIME function 1", sbi::TIME, 1, 0, 0},
    {"hart_start(5)", sbi::HSM, HART_START, 5, 0x80200000},
    {"hart_start(0)", sbi::HSM, HART_START, 0, 0x80200000},
    {"hart_get_status(0)", sbi::HSM, HART_GET_STATUS, 0, 0},
    {"hart_get_status(1)", sbi::HSM, HART_GET_STATUS, 1, 0},
    {"hart_stop", sbi::HSM, HART_STOP, 0, 0},
    {"send_ipi(mask 0x2, base 0)", sbi::IPI, SEND_IPI, 0x2, 0},
    {"system_reset(type 0x99)", sbi::SRST, SYSTEM_RESET, 0x99, 0},
};

void bad_calls() {
    for (const Call& c : CALLS) {
        const sbi::Result r = sbi::call(c.extension, c.function, c.arg0, c.arg1);
        say("sbi: {} -> error {}, value {}", c.name, r.error, static_cast<uint64_t>(r.value));
    }
    say("sbi: done");
}

volatile bool timer_fired = false;

int timer_pending() { return (read_sip() & SIP_STIP) ? 1 : 0; }

// The SBI spec: a timer interrupt set through SBI shows in sip.STIP while
// it is pending, and the next set_timer takes it back.
void on_timer(TrapFrame&) {
    const int pending = timer_pending();
    sbi::call(sbi::TIME, SET_TIMER, ~0ul);  // no next deadline: the interrupt goes away
    say("timer: interrupt, scause {}, sip.STIP {}, then {} after set_timer(-1)", read_scause(),
        pending, timer_pending());
    timer_fired = true;
}

// Set a deadline with `extension`'s set_timer, and wait for the interrupt.
void expect_timer(const char* how, long extension, uint64_t deadline) {
    timer_fired = false;
    sbi::call(extension, SET_TIMER, deadline);
    while (!timer_fired) asm volatile("wfi");
    say("timer: fired after {}", how);
}

// With interrupts on, wait 20 ms (200,000 ticks of the 10 MHz `time`):
// did the timer fire meanwhile?
bool fires_within_20ms() {
    timer_fired = false;
    write_sstatus(read_sstatus() | SSTATUS_SIE);
    const uint64_t end = read_time() + 200'000;
    while (!timer_fired && read_time() < end) {}
    write_sstatus(read_sstatus() & ~SSTATUS_SIE);
    return timer_fired;
}

void timer_in_the_past() {
    install_trap_handler(on_timer);
    write_sie(SIE_STIE);
    write_sstatus(read_sstatus() | SSTATUS_SIE);
    expect_timer("TIME set_timer(0)", sbi::TIME, 0);
    expect_timer("legacy set_timer(now - 1)", sbi::LEGACY_SET_TIMER, read_time() - 1);
    expect_timer("TIME set_timer(now + 1 ms)", sbi::TIME, read_time() + 10'000);
    write_sstatus(read_sstatus() & ~SSTATUS_SIE);

    // With interrupts off, the pending bit tells: set at once for a
    // deadline that is past, clear for one ahead or none. Whether this
    // CPU shows a due timer in sip at all, its own timer (Sstc's stimecmp,
    // no SBI) says first: QEMU 7.2 never does (its guest's sip shows SSIP
    // only), QEMU 8 and later do. SBI's timer must behave as the CPU's.
    write_stimecmp(0);
    say("timer: the CPU's own timer, due: sip.STIP {}", timer_pending());
    write_stimecmp(~0ul);
    sbi::call(sbi::TIME, SET_TIMER, 0);
    say("timer: set_timer(0): sip.STIP {}", timer_pending());
    sbi::call(sbi::TIME, SET_TIMER, ~0ul);
    say("timer: then set_timer(-1): sip.STIP {}", timer_pending());

    // A deadline in the future, or -1 (none), takes back one that is due:
    // the interrupt is pending (interrupts are off), then no longer.
    sbi::call(sbi::TIME, SET_TIMER, read_time() + 10'000'000);
    say("timer: deadline in 1 s: sip.STIP {}, {}", timer_pending(),
        fires_within_20ms() ? "fired" : "not yet");
    sbi::call(sbi::TIME, SET_TIMER, 0);
    sbi::call(sbi::TIME, SET_TIMER, ~0ul);
    say("timer: due, then -1: {}", fires_within_20ms() ? "fired" : "cleared");
    sbi::call(sbi::TIME, SET_TIMER, 0);
    sbi::call(sbi::TIME, SET_TIMER, read_time() + 10'000'000);
    say("timer: due, then 1 s ahead: {}", fires_within_20ms() ? "fired" : "cleared");
}

void flood() {
    constexpr long CALLS_IN_A_FLOOD = 100'000;
    long right = 0;
    for (long i = 0; i < CALLS_IN_A_FLOOD; i++) {
        const sbi::Result r = sbi::call(sbi::BASE, GET_SPEC_VERSION);
        right += r.error == 0 && r.value == 0x0200'0000;
    }
    say("flood: {} calls of get_spec_version, {} answered 2.0", CALLS_IN_A_FLOOD, right);
    right = 0;
    for (long i = 0; i < CALLS_IN_A_FLOOD; i++)
        right += sbi::call(UNKNOWN_EXTENSION, i).error == -2;
    say("flood: {} calls of extension 0x12345678, {} answered -2", CALLS_IN_A_FLOOD, right);
}

// The debug console (SBI 2.0): a buffer is a guest physical address and
// a length, chosen by the guest, so every way of getting one wrong.
struct Buffer {
    const char* what;
    uint64_t size, address_lo, address_hi;
};

constexpr uint64_t RAM_END = RAM_BASE + RAM_SIZE;
constexpr long CONSOLE_WRITE = 0, CONSOLE_READ = 1, CONSOLE_WRITE_BYTE = 2;

char text[] = "dbcn: this line went out in one call\n";
char typed[64];

void debug_console() {
    const auto address = [](const char* p) { return reinterpret_cast<uint64_t>(p); };
    const Buffer bad[] = {
        {"below RAM", 16, RAM_BASE - 8, 0},
        {"past the end of RAM", 1, RAM_END, 0},
        {"across the end of RAM", 16, RAM_END - 8, 0},
        {"at the UART", 8, UART_BASE, 0},
        {"at the host's test device", 4, 0x100000, 0},
        {"wrapping around 2^64", 0x20, ~0ull - 0xf, 0},
        {"a size that wraps", ~0ull - 0xfff, address(text), 0},
        {"the high half of the address", 8, address(text), 1},
    };
    for (const Buffer& b : bad) {
        const sbi::Result w = sbi::call(sbi::DBCN, CONSOLE_WRITE, b.size, b.address_lo, b.address_hi);
        const sbi::Result r = sbi::call(sbi::DBCN, CONSOLE_READ, b.size, b.address_lo, b.address_hi);
        say("dbcn: {}: write -> error {}, read -> error {}", b.what, w.error, r.error);
    }

    const uint64_t length = sizeof text - 1;
    const sbi::Result w = sbi::call(sbi::DBCN, CONSOLE_WRITE, length, address(text), 0);
    say("dbcn: write -> error {}, value {}", w.error, w.value);
    for (const char* p = "dbcn: byte by byte\n"; *p != '\0'; p++)
        sbi::call(sbi::DBCN, CONSOLE_WRITE_BYTE, static_cast<unsigned char>(*p));

    // The test types a line once it sees the line above: read until its newline.
    uint64_t got = 0;
    while (got == 0 || typed[got - 1] != '\n') {
        const sbi::Result r = sbi::call(sbi::DBCN, CONSOLE_READ, sizeof typed - 1 - got,
                                        address(typed + got), 0);
        if (r.error != 0 || got + r.value >= sizeof typed - 1) fail("dbcn: read");
        got += r.value;
    }
    typed[got - 1] = '\0';
    say("dbcn: read '{}'", typed);
    say("dbcn: function 3 -> error {}", sbi::call(sbi::DBCN, 3).error);
}

}  // namespace

extern "C" void guest_main(uint64_t, uint64_t) {
    if (action_is("sbi-calls")) bad_calls();
    else if (action_is("timer-in-the-past")) timer_in_the_past();
    else if (action_is("flood")) flood();
    else if (action_is("dbcn")) debug_console();
    else fail("sbi: unknown action");
    power_off();
}
