// The SBI as the guest sees it: its ecalls land here, in HS-mode, and we
// answer them the way firmware would. This is the "hypervisor call" exit.
//
// Calling convention (SBI spec): a7 = extension id, a6 = function id,
// a0..a5 = arguments; the answer goes back in a0 (error) and a1 (value).
// Legacy (v0.1) calls return one value, in a0.
#pragma once
#include "guest_memory.hpp"
#include "sbi.hpp"
#include "vcpu.hpp"

// The answer to an SBI call: a0 = error, a1 = value.
struct SbiResult {
    sbi::Error error;
    long value = 0;
};

enum class SbiOutcome {
    Continue,  // answered; the guest goes on
    PowerOff,  // the guest asked to power the machine off
    Reboot,    // the guest asked to reboot: we end the machine too
    HartStopped,  // the calling vCPU stopped itself (HSM hart_stop)
};

// Answer the call the guest made with ecall, and step over the ecall.
// `memory` is where the guest's buffers (debug console) must lie.
SbiOutcome handle_sbi_call(Vcpu& vcpu, const GuestMemory& memory);

// How many calls the guest made to an extension or function we lack.
uint64_t unsupported_sbi_calls();
