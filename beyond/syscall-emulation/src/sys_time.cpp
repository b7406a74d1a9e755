// The time calls: clocks, and sleeping (the hart sleeps too: wfi).
#include "clock.hpp"
#include "linux.hpp"
#include "process.hpp"
#include "user_memory.hpp"

using namespace linux;

namespace {

enum Clock : uint64_t {
    REALTIME = 0, MONOTONIC = 1, PROCESS_CPUTIME = 2, THREAD_CPUTIME = 3, MONOTONIC_RAW = 4,
    REALTIME_COARSE = 5, MONOTONIC_COARSE = 6, BOOTTIME = 7,
};
constexpr uint64_t TIMER_ABSTIME = 1;

bool read_clock(uint64_t id, Timespec& time) {
    switch (id) {
        case REALTIME: case REALTIME_COARSE: time = clock::realtime(); return true;
        case MONOTONIC: case MONOTONIC_RAW: case MONOTONIC_COARSE: case BOOTTIME:
            time = clock::monotonic(); return true;
        case PROCESS_CPUTIME: case THREAD_CPUTIME: time = clock::to_timespec(clock::cpu_time()); return true;
        default: return false;
    }
}

bool valid(const Timespec& t) { return t.seconds >= 0 && t.nanoseconds >= 0 && t.nanoseconds < 1'000'000'000; }

uint64_t ticks_of(const Timespec& t) {
    const uint64_t most = ~0ull / clock::TICKS_PER_SECOND - 1;  // about 58,000 years: for ever
    const uint64_t seconds = static_cast<uint64_t>(t.seconds) < most ? static_cast<uint64_t>(t.seconds) : most;
    return seconds * clock::TICKS_PER_SECOND + static_cast<uint64_t>(t.nanoseconds) / 100;
}

// Sleep for `request` (relative), or until it (absolute, on clock `id`).
long sleep(Process& p, uint64_t id, uint64_t flags, uint64_t request) {
    Timespec t, now;
    if (!user::read(p.memory, t, request)) return -EFAULT;
    if (!valid(t)) return -EINVAL;
    if (!read_clock(id, now) || id == THREAD_CPUTIME) return -EINVAL;
    uint64_t wait = ticks_of(t);
    if (flags & TIMER_ABSTIME) {
        const uint64_t at = ticks_of(now);
        wait = wait > at ? wait - at : 0;
    }
    const uint64_t from = clock::now();
    clock::wait_until(from + wait > from ? from + wait : ~0ull);
    return 0;  // never interrupted: no signal is ever delivered
}

}  // namespace

bool is_time_call(uint64_t number) {
    switch (number) {
        case CLOCK_GETTIME: case CLOCK_GETRES: case GETTIMEOFDAY: case NANOSLEEP:
        case CLOCK_NANOSLEEP: return true;
        default: return false;
    }
}

long sys_time(Process& p, uint64_t number, const Arguments& a) {
    switch (number) {
        case CLOCK_GETTIME: {
            Timespec t;
            if (!read_clock(a.a[0], t)) return -EINVAL;
            return user::write(p.memory, a.a[1], t) ? 0 : -EFAULT;
        }
        case CLOCK_GETRES: {
            Timespec t;
            if (!read_clock(a.a[0], t)) return -EINVAL;
            const Timespec resolution{0, 100};  // one tick of the 10 MHz `time`
            return a.a[1] == 0 || user::write(p.memory, a.a[1], resolution) ? 0 : -EFAULT;
        }
        case GETTIMEOFDAY: {
            const Timespec t = clock::realtime();
            const Timeval tv{t.seconds, t.nanoseconds / 1000};
            if (a.a[0] != 0 && !user::write(p.memory, a.a[0], tv)) return -EFAULT;
            const uint32_t zone[2] = {0, 0};  // UTC
            if (a.a[1] != 0 && !user::write(p.memory, a.a[1], zone)) return -EFAULT;
            return 0;
        }
        case NANOSLEEP: return sleep(p, MONOTONIC, 0, a.a[0]);
        case CLOCK_NANOSLEEP: return sleep(p, a.a[0], a.a[1], a.a[2]);
        default: return -ENOSYS;
    }
}
