// The guest's CPU, all of it: what a snapshot must keep so that the guest,
// put back, cannot tell it ever went on.
//
// Some of it the world switch already keeps in Vcpu (the integer registers,
// pc, the mode). The rest lives in the CPU's own registers while we run:
// the hypervisor never touches the FP registers (it is built without FP) or
// the guest's VS CSRs, so they still hold the guest's values, and saving
// them is a plain read.
#pragma once
#include <stdint.h>

#include "vcpu.hpp"

struct FpState {
    uint64_t f[32];
    uint64_t fcsr;
};

// fp_state.S
extern "C" void save_fp_state(FpState* state);
extern "C" void load_fp_state(const FpState* state);

struct CpuState {
    uint64_t x[32];  // x0..x31, as Vcpu keeps them
    uint64_t pc;
    bool user_mode;  // VU, not VS: hstatus.SPVP and sstatus.SPP at the next entry
    FpState fp;
    // The guest's supervisor CSRs: in VS-mode, sstatus is vsstatus, and so on.
    uint64_t vsstatus, vsie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp;
    // Its pending interrupts (sip.SSIP is hvip.VSSIP) and its timer.
    uint64_t hvip, vstimecmp;
    uint64_t guest_time;  // the guest's `time` when saved: ours + htimedelta
    // The CSRs it reaches in ours: senvcfg and scounteren have no VS copy.
    // henvcfg we set, but the guest sees what it allows (Sstc, ...).
    uint64_t senvcfg, scounteren, henvcfg;
};

CpuState save_cpu(const Vcpu& vcpu);
// Put the guest's CPU back as saved. Its clock too: the guest's `time`
// goes on from the moment of the save, as if no time had passed since.
void load_cpu(Vcpu& vcpu, const CpuState& state);
