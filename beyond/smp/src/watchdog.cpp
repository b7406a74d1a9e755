#include "watchdog.hpp"

#include "riscv.hpp"

namespace watchdog {

void rearm() { riscv::write_stimecmp(riscv::read_time() + PERIOD); }

// While the guest runs, our interrupts are on whatever sstatus.SIE says
// (it only masks them while we run, and we leave it off): sie.STIE is all
// it takes.
void start() {
    rearm();
    riscv::set_sie(riscv::SIE_STIE);
}

}  // namespace watchdog
