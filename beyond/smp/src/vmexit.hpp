// The `catch` block: what the hypervisor does with each VM exit.
//
//   Next next;
//   do {
//       const VmExit exit = vcpu.run();     // try: enter the guest, until it throws
//       next = handler.handle(vcpu, exit);  // catch
//   } while (next == Next::Continue);       // continuation: enter it again
//
// A handled exit leaves the vCPU ready to go on: its pc moved past the
// instruction that trapped, so that the next run() continues the guest
// there. Anything we cannot handle is reported and stops the guest.
#pragma once
#include <stdint.h>

#include "guest_memory.hpp"
#include "print.hpp"
#include "vcpu.hpp"

enum class Next {
    Continue,     // go back into the guest
    HartStopped,  // this vCPU stopped itself: its hart waits for another start
    PowerOff,     // the guest is done: end the machine cleanly
    Stop,         // the guest did something we refuse: end with a report
};

class VmExitHandler {
public:
    explicit VmExitHandler(const GuestMemory& memory) : memory_(memory) {}

    Next handle(Vcpu& vcpu, const VmExit& exit);

    // How many exits of each kind every hart's handler has caught, as a
    // small table: a column per vCPU, and their sum.
    static void print_statistics();

private:
    enum Kind { SbiConsole, SbiTimer, SbiIpi, SbiOther, Mmio, IllegalInstruction, Watchdog,
                Kicked, Stopped, KINDS };

    Next hypervisor_call(Vcpu& vcpu);
    Next refuse_instruction(Vcpu& vcpu, const VmExit& exit);
    Next stop(const char* why, const VmExit& exit);
    uint64_t count(int kind) const;  // kind KINDS: all of them

    const GuestMemory& memory_;
    uint64_t counts_[KINDS] = {};
    LogLimit refused_log_{"instructions the guest may not execute"};
};
