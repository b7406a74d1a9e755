// A guest with several harts, for beyond/smp: the SBI calls through which
// harts work together (HSM, IPI, RFENCE), and what a hostile guest does
// with them.
//
// "sbi": every HSM, IPI and RFENCE function, with each error the spec
//   lists, one line per call: "smp: <call> -> error E, value V" (the test
//   holds the expected answers). Harts are named by their role: "self"
//   (the boot hart), "other" (the first other hart), "N" (one past the last).
// "start-twice": hart_start, and at once again, on a hart that is starting.
// "ipi-storm": one hart does a fixed amount of work while another sends it
//   IPIs as fast as it can; and without the storm, for comparison.
// "spin-poweroff": one hart spins with its interrupts off; the boot hart
//   powers off. "stray-access": the same, but the other hart is stopped
//   by the hypervisor for a load outside guest RAM.
// "ping-pong": IPI round trips between two harts, timed (scripts/bench_smp.py).
//
// The boot hart prints; the others leave what they saw in memory for it
// (two harts printing at once would mix their characters).
#include "guest.hpp"

namespace {

constexpr long RFENCE = 0x5246'4e43;
constexpr long HART_START = 0, HART_STOP = 1, HART_GET_STATUS = 2, HART_SUSPEND = 3;
constexpr long SEND_IPI = 0, FENCE_I = 0, SFENCE_VMA = 1, SFENCE_VMA_ASID = 2;
constexpr long STARTED = 0, STOPPED = 1, SUSPENDED = 4;
constexpr uint64_t RETENTIVE = 0, NON_RETENTIVE = 0x8000'0000;
constexpr uint64_t ALL = ~0ull;  // hart_mask_base -1: every hart
constexpr uint64_t SIE_SSIE = 1 << 1, SIP_SSIP = 1 << 1;
constexpr uint64_t SOFTWARE_INTERRUPT = 1ull << 63 | 1;  // scause
constexpr uint64_t TICKS_PER_MS = 10'000;                // the 10 MHz `time`
constexpr uint64_t MAX_HARTS = 8;

sbi::Result call5(long extension, long function, uint64_t arg0, uint64_t arg1, uint64_t arg2,
                  uint64_t arg3, uint64_t arg4) {
    register uint64_t a0 asm("a0") = arg0;
    register uint64_t a1 asm("a1") = arg1;
    register uint64_t a2 asm("a2") = arg2;
    register uint64_t a3 asm("a3") = arg3;
    register uint64_t a4 asm("a4") = arg4;
    register long a6 asm("a6") = function;
    register long a7 asm("a7") = extension;
    asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a3), "r"(a4), "r"(a6), "r"(a7)
                 : "memory");
    return {static_cast<long>(a0), static_cast<long>(a1)};
}

sbi::Result hsm(long function, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0) {
    return sbi::call(sbi::HSM, function, a0, a1, a2);
}
sbi::Result send_ipi(uint64_t mask, uint64_t base) { return sbi::call(sbi::IPI, SEND_IPI, mask, base); }
sbi::Result rfence(long function, uint64_t mask, uint64_t base, uint64_t start = 0,
                   uint64_t size = 0, uint64_t asid = 0) {
    return call5(RFENCE, function, mask, base, start, size, asid);
}

void report(const char* call, sbi::Result r) {
    say("smp: {} -> error {}, value {}", call, r.error, static_cast<uint64_t>(r.value));
}
const char* yes(bool b) { return b ? "yes" : "no"; }

// ---- the harts ----

// What a started hart finds in a1: its stack, and what to run there.
struct Start {
    uint64_t stack_top;
    void (*main)(uint64_t hart, Start& start);
};

// a0 = hart id, a1 = its Start. tp keeps the hart id, for self().
asm(R"(
    .text
    .balign 4
    .global secondary_entry
secondary_entry:
    ld      sp, 0(a1)
    mv      tp, a0
    ld      t0, 8(a1)
    jalr    t0
1:  wfi
    j       1b
)");
extern "C" char secondary_entry[];
const uint64_t ENTRY = reinterpret_cast<uint64_t>(secondary_entry);

struct alignas(16) Stack {
    uint8_t bytes[8192];
};
Stack stacks[MAX_HARTS];
Start starts[MAX_HARTS];

uint64_t self() {
    uint64_t id;
    asm volatile("mv %0, tp" : "=r"(id));
    return id;
}

uint64_t count_harts() {
    uint64_t n = 0;
    while (n < 64 && hsm(HART_GET_STATUS, n).error == 0) n++;
    return n;
}

// What `hart` finds in a1 when it starts on `main`.
Start& start_block(uint64_t hart, void (*main)(uint64_t, Start&)) {
    starts[hart] = {reinterpret_cast<uint64_t>(&stacks[hart + 1]), main};
    return starts[hart];
}

sbi::Result start(uint64_t hart, void (*main)(uint64_t, Start&)) {
    return hsm(HART_START, hart, ENTRY, reinterpret_cast<uint64_t>(&start_block(hart, main)));
}

// Spin until `done()`, at most `ms` milliseconds, or fail with `what`.
template <typename Done>
void wait_until(Done done, const char* what, uint64_t ms = 2000) {
    const uint64_t give_up = read_time() + ms * TICKS_PER_MS;
    while (!done())
        if (read_time() > give_up) fail(what);
}

long status(uint64_t hart) { return hsm(HART_GET_STATUS, hart).value; }
void wait_for_status(uint64_t hart, long state) {
    wait_until([&] { return status(hart) == state; }, "a hart never reached the state awaited");
}

// ---- interrupts: IPIs counted, per hart ----

volatile uint64_t ipis[MAX_HARTS];
volatile uint64_t pong_to[MAX_HARTS];  // ping-pong: where an IPI is sent back (~0: nowhere)

void clear_ipi() { asm volatile("csrc sip, %0" ::"r"(SIP_SSIP)); }

void on_trap(TrapFrame&) {
    if (read_scause() != SOFTWARE_INTERRUPT) fail("a trap that is not an IPI");
    clear_ipi();
    ipis[self()] = ipis[self()] + 1;
    if (pong_to[self()] != ~0ull) send_ipi(1, pong_to[self()]);
}

void take_ipis() {
    install_trap_handler(on_trap);
    write_sie(SIE_SSIE);
    write_sstatus(read_sstatus() | SSTATUS_SIE);
}

void interrupts_off() {
    write_sstatus(read_sstatus() & ~SSTATUS_SIE);
    write_sie(0);
}

// ---- "sbi": the other hart, driven by the boot hart through `order` ----

enum Order : uint64_t {
    None, TakeIpis, SpinWithInterruptsOff, SuspendForTimer, SuspendForIpi, SuspendNonRetentive,
    Stop
};
volatile uint64_t order = None, done = None;

struct Seen {
    uint64_t a0_is_hart, a1_is_opaque, satp, sie;  // at its entry
    long error;                                     // of its last call
    uint64_t woke_after_deadline;
};
volatile Seen seen;

void note_entry(uint64_t hart, Start& start) {
    seen.a0_is_hart = hart == self();
    seen.a1_is_opaque = &start == &starts[hart];
    seen.satp = read_satp();
    seen.sie = (read_sstatus() & SSTATUS_SIE) != 0;
}

void obey(uint64_t hart, uint64_t last);

void other_main(uint64_t hart, Start& start) {
    note_entry(hart, start);
    done = None;
    obey(hart, None);
}

// After a non-retentive suspend: it starts here again.
void resumed_main(uint64_t hart, Start& start) {
    note_entry(hart, start);
    done = SuspendNonRetentive;
    obey(hart, SuspendNonRetentive);
}

// Do each new order, then say it is done.
void obey(uint64_t hart, uint64_t last) {
    for (;;) {
        const uint64_t now = order;
        if (now == last) continue;
        last = now;
        switch (now) {
            case TakeIpis: take_ipis(); break;
            case SpinWithInterruptsOff: interrupts_off(); break;
            case SuspendForTimer: {
                const uint64_t deadline = read_time() + 200 * TICKS_PER_MS;
                write_stimecmp(deadline);
                write_sie(SIE_STIE);  // its timer only; interrupts stay off
                seen.error = hsm(HART_SUSPEND, RETENTIVE).error;
                seen.woke_after_deadline = read_time() >= deadline;
                write_stimecmp(~0ull);
                break;
            }
            case SuspendForIpi:
                write_sie(SIE_SSIE);
                seen.error = hsm(HART_SUSPEND, RETENTIVE).error;
                clear_ipi();
                break;
            case SuspendNonRetentive:
                write_sie(SIE_SSIE);
                write_sstatus(read_sstatus() | SSTATUS_SIE);  // the resume must turn it off
                starts[hart].main = resumed_main;
                seen.error = hsm(HART_SUSPEND, NON_RETENTIVE, ENTRY,
                                 reinterpret_cast<uint64_t>(&starts[hart])).error;
                fail("a non-retentive suspend returned");
            case Stop:
                interrupts_off();
                seen.error = hsm(HART_STOP).error;
                fail("hart_stop returned");
        }
        done = now;
    }
}

void tell(uint64_t what) {
    order = what;
    wait_until([&] { return done == what; }, "the other hart did not do what it was told");
}

void sbi_calls(uint64_t me) {
    const uint64_t n = count_harts();
    const uint64_t other = me == 0 ? 1 : 0;
    if (n < 2) fail("sbi: needs at least two harts");
    say("smp: {} harts; self is hart {}, other is hart {}", static_cast<long>(n),
        static_cast<long>(me), static_cast<long>(other));
    const uint64_t ram_end = RAM_BASE + RAM_SIZE;
    const uint64_t block = reinterpret_cast<uint64_t>(&start_block(other, other_main));

    report("hart_get_status(self)", hsm(HART_GET_STATUS, me));
    report("hart_get_status(other)", hsm(HART_GET_STATUS, other));
    report("hart_get_status(N)", hsm(HART_GET_STATUS, n));
    report("hart_get_status(-1)", hsm(HART_GET_STATUS, ~0ull));
    report("hart_start(N)", hsm(HART_START, n, ENTRY, block));
    report("hart_start(self)", hsm(HART_START, me, ENTRY, block));
    report("hart_start(other, below RAM)", hsm(HART_START, other, 0x1000, block));
    report("hart_start(other, at the end of RAM)", hsm(HART_START, other, ram_end, block));
    report("hart_start(other, at the UART)", hsm(HART_START, other, UART_BASE, block));
    report("hart_stop(the last hart running)", hsm(HART_STOP));
    report("send_ipi(other, stopped)", send_ipi(1ull << other, 0));
    report("remote_fence_i(other, stopped)", rfence(FENCE_I, 1ull << other, 0));
    report("hart_suspend(type 0x1, reserved)", hsm(HART_SUSPEND, 1));
    report("hart_suspend(type 0x10000000, the platform's)", hsm(HART_SUSPEND, 0x1000'0000));
    report("hart_suspend(type 0x80000001, reserved)", hsm(HART_SUSPEND, 0x8000'0001));
    report("hart_suspend(type 0x90000000, the platform's)", hsm(HART_SUSPEND, 0x9000'0000));
    report("hart_suspend(non-retentive, resume below RAM)",
           hsm(HART_SUSPEND, NON_RETENTIVE, 0x1000, block));
    report("send_ipi(mask 0, base 12345)", send_ipi(0, 12345));

    report("hart_start(other)", hsm(HART_START, other, ENTRY, block));
    wait_for_status(other, STARTED);
    wait_until([] { return seen.a0_is_hart == 1; }, "the other hart did not start");
    say("smp: other started: a0 is its hart id: {}, a1 is the opaque: {}, satp {}, sstatus.SIE {}",
        yes(seen.a0_is_hart), yes(seen.a1_is_opaque), seen.satp, seen.sie);
    report("hart_get_status(other)", hsm(HART_GET_STATUS, other));
    report("hart_start(other) again", hsm(HART_START, other, ENTRY, block));
    report("hart_start(other, below RAM) again", hsm(HART_START, other, 0x1000, block));

    // IPIs: the other hart takes them, this one leaves them pending.
    tell(TakeIpis);
    auto other_took = [&](uint64_t count, const char* call, sbi::Result r) {
        report(call, r);
        wait_until([&] { return ipis[other] == count; }, "the other hart missed an IPI");
    };
    auto mine_pending = [] {
        const bool pending = (read_sip() & SIP_SSIP) != 0;
        clear_ipi();
        return yes(pending);
    };
    other_took(1, "send_ipi(mask 1 << other, base 0)", send_ipi(1ull << other, 0));
    other_took(2, "send_ipi(mask 1, base other)", send_ipi(1, other));
    other_took(3, "send_ipi(base -1)", send_ipi(0, ALL));
    say("smp: ... and self's sip.SSIP: {}", mine_pending());
    report("send_ipi(self)", send_ipi(1, me));
    say("smp: ... self's sip.SSIP at once: {}", mine_pending());
    report("send_ipi(mask 1 << N, base 0)", send_ipi(1ull << n, 0));
    report("send_ipi(mask 1, base N)", send_ipi(1, n));
    report("send_ipi(mask 0b11, base N-1)", send_ipi(3, n - 1));
    report("send_ipi(mask 0b101, base -2: wraps to 0)", send_ipi(5, ~0ull - 1));
    report("IPI function 1", sbi::call(sbi::IPI, 1, 1ull << other, 0));
    const uint64_t start_wait = read_time();
    while (read_time() - start_wait < 20 * TICKS_PER_MS) {}
    say("smp: ... none of them sent an IPI: {}", yes(ipis[other] == 3 && (read_sip() & SIP_SSIP) == 0));

    // Fences, to a hart that has its interrupts off: our IPI reaches it anyway.
    tell(SpinWithInterruptsOff);
    report("remote_fence_i(other)", rfence(FENCE_I, 1ull << other, 0));
    report("remote_sfence_vma(other, all)", rfence(SFENCE_VMA, 1ull << other, 0, 0, 0));
    report("remote_sfence_vma(other, one page)", rfence(SFENCE_VMA, 1ull << other, 0, RAM_BASE, 4096));
    report("remote_sfence_vma_asid(other, asid 1)", rfence(SFENCE_VMA_ASID, 1, other, 0, ~0ull, 1));
    report("remote_fence_i(base -1)", rfence(FENCE_I, 0, ALL));
    report("remote_sfence_vma(self)", rfence(SFENCE_VMA, 1ull << me, 0));
    report("remote_fence_i(mask 1 << N)", rfence(FENCE_I, 1ull << n, 0));
    report("remote_sfence_vma_asid(mask 1, base N)", rfence(SFENCE_VMA_ASID, 1, n, 0, 0, 1));
    report("remote_hfence_gvma_vmid", rfence(3, 1ull << other, 0));
    report("RFENCE function 7", rfence(7, 1ull << other, 0));

    // Suspends: the other hart's state reads SUSPENDED until it wakes.
    order = SuspendForTimer;
    wait_for_status(other, SUSPENDED);
    say("smp: hart_get_status(other) while it waits for its timer -> value {}", status(other));
    wait_until([] { return done == SuspendForTimer; }, "its timer did not end the suspend");
    say("smp: other's retentive suspend, ended by its timer -> error {}, after the deadline: {}",
        seen.error, yes(seen.woke_after_deadline));
    order = SuspendForIpi;
    wait_for_status(other, SUSPENDED);
    report("send_ipi(other, suspended)", send_ipi(1ull << other, 0));
    wait_until([] { return done == SuspendForIpi; }, "an IPI did not end the suspend");
    say("smp: other's retentive suspend, ended by an IPI -> error {}", seen.error);
    seen.a0_is_hart = 0;
    order = SuspendNonRetentive;
    wait_for_status(other, SUSPENDED);
    send_ipi(1ull << other, 0);
    wait_until([] { return done == SuspendNonRetentive; }, "the non-retentive suspend did not end");
    say("smp: other's non-retentive suspend, ended by an IPI: resumed with a0 its hart id: {}, "
        "a1 the opaque: {}, satp {}, sstatus.SIE {}", yes(seen.a0_is_hart), yes(seen.a1_is_opaque),
        seen.satp, seen.sie);

    order = Stop;
    wait_for_status(other, STOPPED);
    report("hart_get_status(other) after its hart_stop", hsm(HART_GET_STATUS, other));
    report("send_ipi(other, stopped again)", send_ipi(1ull << other, 0));
    order = None;
    seen.a0_is_hart = 0;
    report("hart_start(other) once more", hsm(HART_START, other, ENTRY, block));
    wait_until([] { return seen.a0_is_hart == 1; }, "the other hart did not start again");
    say("smp: done");
}

// ---- "start-twice" ----

volatile uint64_t entries = 0, release = 0;

void enter_and_wait(uint64_t, Start&) {
    entries = entries + 1;
    while (release == 0) {}
    hsm(HART_STOP);
    fail("hart_stop returned");
}

void start_twice(uint64_t me) {
    constexpr long ROUNDS = 200;
    const uint64_t other = me == 0 ? 1 : 0;
    long first_ok = 0, starting = 0, started = 0, others = 0;
    for (long round = 0; round < ROUNDS; round++) {
        release = 0;
        const sbi::Result first = start(other, enter_and_wait);
        const sbi::Result second = start(other, enter_and_wait);
        first_ok += first.error == 0;
        if (second.error == -3) starting++;
        else if (second.error == -6) started++;
        else others++;
        wait_for_status(other, STARTED);
        release = 1;
        wait_for_status(other, STOPPED);
    }
    say("start-twice: {} rounds; the first start answered 0 {} times; the second, at once: "
        "-3 (starting) {} times, -6 (started) {} times, something else {} times",
        ROUNDS, first_ok, starting, started, others);
    say("start-twice: the hart ran its entry {} times", static_cast<long>(entries));
}

// ---- "ipi-storm" ----

volatile uint64_t storm = 0, sent = 0, victim = 0;  // storm 0: spin, 1: send IPIs, 2: stop

void attacker(uint64_t, Start&) {
    while (storm != 2) {
        if (storm != 1) continue;
        send_ipi(1ull << victim, 0);
        sent = sent + 1;
    }
    hsm(HART_STOP);
    fail("hart_stop returned");
}

uint64_t work(uint64_t iterations) {
    const uint64_t begin = read_time();
    for (uint64_t i = 0; i < iterations; i++) asm volatile("" ::: "memory");
    return read_time() - begin;
}

uint64_t best_of_3(uint64_t iterations) {
    uint64_t best = ~0ull;
    for (int i = 0; i < 3; i++) {
        const uint64_t took = work(iterations);
        if (took < best) best = took;
    }
    return best;
}

void ipi_storm(uint64_t me) {
    const uint64_t other = me == 0 ? 1 : 0;
    victim = me;
    take_ipis();  // this hart takes every IPI, as a kernel would
    if (start(other, attacker).error != 0) fail("ipi-storm: hart_start");
    wait_for_status(other, STARTED);
    uint64_t iterations = 1 << 16;  // enough for 100 ms of work, the other hart spinning
    while (work(iterations) < 100 * TICKS_PER_MS) iterations *= 2;
    const uint64_t alone = best_of_3(iterations);
    storm = 1;
    wait_until([] { return sent > 0; }, "the storm did not start");
    const uint64_t sent_before = sent, taken_before = ipis[me];
    const uint64_t stormy = best_of_3(iterations);
    const uint64_t during = sent - sent_before, taken = ipis[me] - taken_before;
    storm = 2;
    wait_for_status(other, STOPPED);
    say("ipi-storm: the same work took {} us with the other hart spinning, {} us while it sent "
        "{} IPIs (this hart took {} interrupts)", static_cast<long>(alone / 10),
        static_cast<long>(stormy / 10), static_cast<long>(during), static_cast<long>(taken));
}

// ---- "spin-poweroff" ----

volatile uint64_t spinning = 0;

void spinner(uint64_t, Start&) {
    interrupts_off();
    spinning = 1;
    for (;;) {}
}

void spin_poweroff(uint64_t me) {
    if (start(me == 0 ? 1 : 0, spinner).error != 0) fail("spin-poweroff: hart_start");
    wait_until([] { return spinning == 1; }, "the other hart did not spin");
    say("spin-poweroff: the other hart spins with its interrupts off; powering off");
}

// ---- "stray-access" ----

void stray(uint64_t, Start&) {
    *reinterpret_cast<volatile uint64_t*>(0x4000'0000);  // neither RAM nor a device
    fail("a load outside guest RAM came back");
}

void stray_access(uint64_t me) {
    say("stray-access: the other hart loads outside guest RAM; this one spins with its "
        "interrupts off");
    if (start(me == 0 ? 1 : 0, stray).error != 0) fail("stray-access: hart_start");
    interrupts_off();
    for (;;) {}
}

// ---- "ping-pong" ----

volatile uint64_t ready = 0;

void ponger(uint64_t, Start&) {
    take_ipis();
    ready = 1;
    for (;;) {}
}

// Each round trip timed on its own, and the median taken: a round trip
// waits for two harts, threads of the host, and the host runs other work.
uint64_t trips[2000];

void ping_pong(uint64_t me) {
    constexpr long ROUNDS = sizeof trips / sizeof trips[0];
    const uint64_t other = me == 0 ? 1 : 0;
    pong_to[other] = me;
    take_ipis();
    if (start(other, ponger).error != 0) fail("ping-pong: hart_start");
    wait_until([] { return ready == 1; }, "the other hart is not ready");
    for (long i = -200; i < ROUNDS; i++) {  // the first 200: QEMU translates both paths
        const uint64_t before = ipis[me], begin = read_time();
        send_ipi(1ull << other, 0);
        wait_until([&] { return ipis[me] != before; }, "no IPI came back");
        if (i >= 0) trips[i] = read_time() - begin;
    }
    uint64_t total = 0;
    for (long i = 0; i < ROUNDS; i++) {  // insertion sort, for the median
        total += trips[i];
        for (long j = i; j > 0 && trips[j - 1] > trips[j]; j--) {
            const uint64_t t = trips[j];
            trips[j] = trips[j - 1];
            trips[j - 1] = t;
        }
    }
    say("ping-pong: {} round trips, median {} ns, mean {} ns", ROUNDS,
        static_cast<long>(trips[ROUNDS / 2] * 100), static_cast<long>(total * 100 / ROUNDS));
}

}  // namespace

extern "C" void guest_main(uint64_t hart, uint64_t) {
    asm volatile("mv tp, %0" ::"r"(hart));
    for (uint64_t& to : const_cast<uint64_t(&)[MAX_HARTS]>(pong_to)) to = ~0ull;
    if (action_is("sbi")) sbi_calls(hart);
    else if (action_is("start-twice")) start_twice(hart);
    else if (action_is("ipi-storm")) ipi_storm(hart);
    else if (action_is("spin-poweroff")) spin_poweroff(hart);
    else if (action_is("stray-access")) stray_access(hart);
    else if (action_is("ping-pong")) ping_pong(hart);
    else fail("smp: unknown action");
    power_off();
}
