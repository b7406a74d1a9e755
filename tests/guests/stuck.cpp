// A guest that never ends and never exits to the hypervisor: "spin" loops
// with its interrupts off (a timer already due cannot stop it), "wfi"
// waits for an interrupt with no timer set. Nothing in the hypervisor runs
// again; what ends the machine is the test's timeout. The test checks
// that the hypervisor had not crashed before that.
#include "guest.hpp"

extern "C" void guest_main(uint64_t, uint64_t) {
    if (action_is("spin")) {
        write_sstatus(read_sstatus() & ~SSTATUS_SIE);
        write_sie(SIE_STIE);
        sbi::call(sbi::TIME, 0, 0);  // a timer interrupt, pending but masked
        say("stuck: about to spin with interrupts off");
        for (;;) asm volatile("");
    } else if (action_is("wfi")) {
        say("stuck: about to wait for an interrupt, with no timer set");
        for (;;) asm volatile("wfi");
    }
    fail("stuck: unknown action");
}
