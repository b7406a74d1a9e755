// A virtual CPU: the guest's registers, and run(), which enters the guest.
//
// run() is the `try` of "virtualization is a try/catch with continuation":
// it switches to the guest with sret and returns only when the guest traps
// back to us (a VM exit, the `throw`). The VmExit it returns is the
// exception object; the caller's handler is the `catch`.
#pragma once
#include <stdint.h>

#include "trap.hpp"

// Saved by world_switch.S; the layout is shared with it (offsets below).
struct GuestContext {
    uint64_t x[32];     // guest registers x0..x31 (x0 is always 0)
    uint64_t host[16];  // the hypervisor's ra, sp, gp, tp and s0..s11 while the guest runs
};

// Why the guest stopped: the trap CSRs, read right after the exit.
struct VmExit {
    uint64_t scause;  // what happened
    uint64_t sepc;    // guest pc of the trapping instruction
    uint64_t stval;   // faulting guest virtual address (or instruction bits)
    uint64_t htval;   // guest physical address >> 2, for guest-page faults
    uint64_t htinst;  // the trapping instruction, if the hardware says (else 0)
    bool from_user;   // the guest was in its user mode (VU), not its kernel (VS)

    // The guest physical address of a guest-page fault.
    uint64_t guest_physical_address() const { return (htval << 2) | (stval & 3); }
    bool is_guest_page_fault() const {
        using trap::Cause;
        return scause == static_cast<uint64_t>(Cause::InstructionGuestPageFault) ||
               scause == static_cast<uint64_t>(Cause::LoadGuestPageFault) ||
               scause == static_cast<uint64_t>(Cause::StoreGuestPageFault);
    }
};

// Register numbers, for reading arguments and writing results.
enum Reg { ra = 1, sp = 2, a0 = 10, a1 = 11, a2 = 12, a3 = 13, a4 = 14, a5 = 15, a6 = 16, a7 = 17 };

class Vcpu {
public:
    // The state Linux expects at its entry: a0 = hart id, a1 = device tree,
    // guest MMU off, running in (virtual) supervisor mode.
    Vcpu(uint64_t entry, uint64_t hart_id, uint64_t device_tree);

    // Enter the guest; return when it exits.
    VmExit run();

    // Make the guest take exception `cause` in its own trap handler, as the
    // CPU does with the exceptions delegated to it: the `catch` re-throws
    // the exception to the guest (the README's "re-throw to the guest").
    // Call it with pc at the trapping instruction.
    void inject_exception(uint64_t cause, uint64_t tval);

    // The instruction at pc, read from guest memory as the CPU fetched it
    // (through the guest's page table and ours); false if it cannot be read.
    bool fetch_instruction(uint32_t& instruction) const;

    // Where the guest (re-)enters: run() writes it to sepc. The `catch` moves
    // it past an instruction it emulated: the continuation.
    uint64_t pc = 0;
    bool user_mode = false;  // the guest runs its user mode (VU), not its kernel (VS)
    GuestContext context{};
    uint64_t& reg(int n) { return context.x[n]; }
};
