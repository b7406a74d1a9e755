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
#include "vcpu.hpp"

enum class Next { Continue, Stop };

class VmExitHandler {
public:
    explicit VmExitHandler(const GuestMemory& memory) : memory_(memory) {}

    Next handle(Vcpu& vcpu, const VmExit& exit);

    // How many exits of each kind we have caught, as a small table.
    void print_statistics() const;

private:
    Next stop(const char* why, const VmExit& exit);

    const GuestMemory& memory_;
    uint64_t sbi_calls_ = 0;
    uint64_t mmio_accesses_ = 0;
    uint64_t unhandled_ = 0;
};
