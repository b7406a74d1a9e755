// A microbenchmark, not a hostile guest: what does one hypervisor call
// cost? It makes the same SBI call (BASE get_spec_version: a7 = 0x10,
// a6 = 0) many times in a tight loop, reads `time` (10 MHz on QEMU's virt
// machine) around the loop, and prints the time per call.
//
// scripts/bench.py (`make bench`) boots it three ways and compares:
//   - straight on OpenSBI (QEMU -kernel): each call is an S->M->S firmware call;
//   - under final/: VS->HS->VS, through final's world switch and handler;
//   - under tests/floor/: final/ with a trap vector that answers exactly
//     this call by advancing sepc and returning, the least a hypervisor
//     can cost on this QEMU.
//
// It prints, for each of ROUNDS rounds of CALLS calls (after one round to
// warm up),
//   hypercall: round 1: 50000 calls in 2881234 ticks
// and last, the median of the rounds, in nanoseconds per call:
//   hypercall: 5762 ns per call (median of 5 rounds of 50000 calls)
// Under the floor the call returns the guest's own a0 and a1, so the loop
// ignores the answer; it is printed once, before the loop, for the reader.
#include "guest.hpp"

namespace {

constexpr long CALLS = 50'000;  // per round: ~0.3 s at the floor of QEMU 7.2
constexpr int ROUNDS = 5;
constexpr uint64_t TICKS_PER_SECOND = 10'000'000;  // QEMU virt's `time`
constexpr long GET_SPEC_VERSION = 0;

// `calls` times: a7 = BASE, a6 = get_spec_version, ecall. In assembly, so
// that the loop is exactly this whatever the compiler does.
void call_loop(long calls) {
    asm volatile(
        "1: li      a7, 0x10\n"
        "   li      a6, 0\n"
        "   ecall\n"
        "   addi    %0, %0, -1\n"
        "   bnez    %0, 1b\n"
        : "+r"(calls)
        :
        : "a0", "a1", "a6", "a7", "memory");
}

uint64_t timed_round() {
    const uint64_t start = read_time();
    call_loop(CALLS);
    return read_time() - start;
}

}  // namespace

extern "C" void guest_main(uint64_t, uint64_t) {
    const sbi::Result version = sbi::call(sbi::BASE, GET_SPEC_VERSION);
    say("hypercall: get_spec_version -> error {}, value {}", version.error,
        static_cast<uint64_t>(version.value));

    timed_round();  // warm up: QEMU translates the loop and the path it takes
    uint64_t ticks[ROUNDS];
    for (int round = 0; round < ROUNDS; round++) {
        ticks[round] = timed_round();
        say("hypercall: round {}: {} calls in {} ticks", round + 1, CALLS,
            static_cast<long>(ticks[round]));
    }
    for (int i = 1; i < ROUNDS; i++)  // sort, for the median
        for (int j = i; j > 0 && ticks[j - 1] > ticks[j]; j--) {
            const uint64_t t = ticks[j];
            ticks[j] = ticks[j - 1];
            ticks[j - 1] = t;
        }
    const uint64_t median = ticks[ROUNDS / 2];
    const long ns = static_cast<long>(median * (1'000'000'000 / TICKS_PER_SECOND) / CALLS);
    say("hypercall: {} ns per call (median of {} rounds of {} calls)", ns, ROUNDS, CALLS);
}
