// Time, for the program's clocks and for its CPU-time limit.
//
// `time` (10 MHz on QEMU's virt) counts from power-on; CLOCK_MONOTONIC
// counts from the program's start; CLOCK_REALTIME adds the date QEMU's
// real-time clock (goldfish RTC) gave when the program started.
#pragma once
#include <stdint.h>

#include "linux.hpp"

namespace clock {

inline constexpr uint64_t TICKS_PER_SECOND = 10'000'000;

// Called at each program's start.
void start();

uint64_t now();  // ticks since the program started
linux::Timespec monotonic();
linux::Timespec realtime();
linux::Timespec to_timespec(uint64_t ticks);

// Wait until `deadline` (ticks since the start), the hart asleep (wfi).
// Waiting is not running: it does not count as the program's CPU time.
void wait_until(uint64_t deadline);
// The program's CPU time: ticks since the start, less its waits.
uint64_t cpu_time();

}  // namespace clock
