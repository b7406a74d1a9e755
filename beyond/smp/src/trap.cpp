#include "trap.hpp"

#include "print.hpp"
#include "riscv.hpp"

namespace trap {

const char* name(uint64_t scause) {
    if (scause & INTERRUPT) {
        switch (scause & ~INTERRUPT) {
            case 1: return "supervisor software interrupt";
            case 2: return "virtual supervisor software interrupt";
            case 5: return "supervisor timer interrupt";
            case 6: return "virtual supervisor timer interrupt";
            case 9: return "supervisor external interrupt";
            case 10: return "virtual supervisor external interrupt";
            default: return "unknown interrupt";
        }
    }
    switch (static_cast<Cause>(scause)) {
        case Cause::InstructionMisaligned: return "instruction address misaligned";
        case Cause::InstructionAccessFault: return "instruction access fault";
        case Cause::IllegalInstruction: return "illegal instruction";
        case Cause::Breakpoint: return "breakpoint";
        case Cause::LoadMisaligned: return "load address misaligned";
        case Cause::LoadAccessFault: return "load access fault";
        case Cause::StoreMisaligned: return "store address misaligned";
        case Cause::StoreAccessFault: return "store access fault";
        case Cause::EcallFromUser: return "ecall from U-mode";
        case Cause::EcallFromSupervisor: return "ecall from HS-mode";
        case Cause::EcallFromGuest: return "ecall from VS-mode";
        case Cause::InstructionPageFault: return "instruction page fault";
        case Cause::LoadPageFault: return "load page fault";
        case Cause::StorePageFault: return "store page fault";
        case Cause::InstructionGuestPageFault: return "instruction guest-page fault";
        case Cause::LoadGuestPageFault: return "load guest-page fault";
        case Cause::VirtualInstruction: return "virtual instruction";
        case Cause::StoreGuestPageFault: return "store guest-page fault";
        case Cause::SupervisorSoftwareInterrupt: return "supervisor software interrupt";
        case Cause::SupervisorTimerInterrupt: return "supervisor timer interrupt";
    }
    return "unknown exception";
}

}  // namespace trap

// world_switch.S jumps here when the hypervisor itself traps: a bug in
// the hypervisor, never the guest's doing.
extern "C" [[noreturn]] void hypervisor_trap() {
    const uint64_t cause = riscv::read_scause();
    PANIC("the hypervisor itself trapped: {} (scause {:#x}) at pc {:#x}, stval {:#x}",
          trap::name(cause), cause, riscv::read_sepc(), riscv::read_stval());
}
