// Trap causes (scause values) and their names, as the privileged spec lists them.
#pragma once
#include <stdint.h>

namespace trap {

inline constexpr uint64_t INTERRUPT = 1ull << 63;

enum class Cause : uint64_t {
    InstructionMisaligned = 0,
    InstructionAccessFault = 1,
    IllegalInstruction = 2,
    Breakpoint = 3,
    LoadMisaligned = 4,
    LoadAccessFault = 5,
    StoreMisaligned = 6,
    StoreAccessFault = 7,
    EcallFromUser = 8,
    EcallFromSupervisor = 9,  // from HS: the hypervisor itself
    EcallFromGuest = 10,      // from VS: a hypervisor call (SBI)
    InstructionPageFault = 12,
    LoadPageFault = 13,
    StorePageFault = 15,
    InstructionGuestPageFault = 20,
    LoadGuestPageFault = 21,
    VirtualInstruction = 22,
    StoreGuestPageFault = 23,
    SupervisorSoftwareInterrupt = INTERRUPT | 1,  // another hart's IPI
    SupervisorTimerInterrupt = INTERRUPT | 5,  // our own timer
};

// Exceptions the guest handles itself (hedeleg): a page fault in the
// guest's own page table, a breakpoint, a system call from guest user mode,
// an illegal instruction (Linux turns one in a program into SIGILL; were it
// ours, a guest's user program could stop the whole guest)...
inline constexpr uint64_t GUEST_OWN_EXCEPTIONS =
    1 << 0 | 1 << 2 | 1 << 3 | 1 << 8 | 1 << 12 | 1 << 13 | 1 << 15;

const char* name(uint64_t scause);

}  // namespace trap
