// The life of the guest's harts, as SBI's Hart State Management extension
// lets the guest drive it: start another hart, stop itself, suspend itself
// until an interrupt, read another's state.
//
// Each vCPU is pinned to the hart of ours with its number. While the
// vCPU is stopped, that hart waits in wait_until_started(), in the
// hypervisor, still answering what other harts ask of it, until another
// vCPU names it in a hart_start.
#pragma once
#include <stdint.h>

#include "guest_memory.hpp"
#include "sbi_guest.hpp"
#include "vcpu.hpp"

namespace hsm {

// Where a vCPU starts: its pc and its a1.
struct Start {
    uint64_t address, opaque;
};

// The boot vCPU is started by us: the kernel, and its device tree.
void start_boot_vcpu(uint64_t hart, Start start);
// On a hart whose vCPU is stopped: wait until the guest starts it.
Start wait_until_started();
// Does that vCPU exist, and can it take an interrupt (an IPI, a fence):
// is it started or suspended?
bool interruptible(uint64_t hart);

// HSM function `function`, with the caller's a0..a2, answered in its a0
// and a1. HartStopped if the call was a hart_stop that stopped it; a
// non-retentive suspend that resumes moves the vCPU's pc itself.
SbiOutcome call(Vcpu& vcpu, long function, const GuestMemory& memory);

}  // namespace hsm
