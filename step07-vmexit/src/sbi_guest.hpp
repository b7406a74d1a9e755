// The SBI as the guest sees it: its ecalls land here, in HS-mode, and we
// answer them the way firmware would. This is the "hypervisor call" exit.
//
// Calling convention (SBI spec): a7 = extension id, a6 = function id,
// a0..a5 = arguments; the answer goes back in a0 (error) and a1 (value).
#pragma once
#include "vcpu.hpp"

// Answer the call the guest made with ecall, and step over the ecall.
void handle_sbi_call(Vcpu& vcpu);
