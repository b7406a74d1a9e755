// The hypervisor's own timer, which takes the CPU back from the guest twice
// a second.
//
// The guest's timer needs nothing from us: with Sstc, the CPU compares
// `time` with the guest's vstimecmp and interrupts it. But QEMU 7.2 has a
// bug there: when a guest sets its timer to a time already past and then
// waits for an interrupt (wfi) with interrupts masked, as Linux's idle loop
// does, the interrupt is pending and yet the wait never ends. It happens
// rarely, more on a loaded machine (Linux then sets deadlines that are past
// by the time it writes them), and then the guest is stuck for good: it
// stops reading its console. A VM exit ends the wait: after it, the guest
// takes its pending interrupt. So our own timer (stimecmp, Sstc too) makes
// one every half second, costing two exits a second.
//
// It also means a guest can never keep the CPU from the hypervisor for
// longer than that.
#pragma once
#include <stdint.h>

namespace watchdog {

inline constexpr uint64_t PERIOD = 5'000'000;  // ticks of the 10 MHz `time`: 0.5 s

// Enable our timer interrupt and set the first deadline.
void start();
// At each of its VM exits: the next deadline.
void rearm();

}  // namespace watchdog
