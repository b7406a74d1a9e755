#include "clock.hpp"

#include "memlayout.hpp"
#include "riscv.hpp"
#include "watchdog.hpp"

namespace clock {
namespace {

uint64_t started = 0;        // `time` at the start
uint64_t realtime_ns = 0;    // nanoseconds since 1970 then
uint64_t waited = 0;         // ticks spent in wait_until

// The goldfish RTC: reading TIME_LOW latches TIME_HIGH, so low goes first.
uint64_t read_rtc() {
    auto* rtc = reinterpret_cast<volatile uint32_t*>(memlayout::RTC);
    const uint64_t low = rtc[0];
    const uint64_t high = rtc[1];
    return high << 32 | low;
}

}  // namespace

void start() {
    started = riscv::read_time();
    realtime_ns = read_rtc();
    waited = 0;
}

uint64_t now() { return riscv::read_time() - started; }

linux::Timespec to_timespec(uint64_t ticks) {
    return {static_cast<int64_t>(ticks / TICKS_PER_SECOND),
            static_cast<int64_t>(ticks % TICKS_PER_SECOND * 100)};
}

linux::Timespec monotonic() { return to_timespec(now()); }

linux::Timespec realtime() {
    const uint64_t ns = realtime_ns + now() * 100;
    return {static_cast<int64_t>(ns / 1'000'000'000), static_cast<int64_t>(ns % 1'000'000'000)};
}

void wait_until(uint64_t deadline) {
    const uint64_t from = now();
    // Our timer wakes the hart from wfi (its interrupt is pending, not
    // taken: we run with interrupts off). The watchdog's deadline is
    // moved meanwhile, and set again after.
    while (now() < deadline) {
        riscv::write_stimecmp(started + deadline);
        riscv::wfi();
    }
    watchdog::rearm();
    waited += now() - from;
}

uint64_t cpu_time() { return now() - waited; }

}  // namespace clock
