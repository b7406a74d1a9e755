#include "vmexit.hpp"

#include "mmio.hpp"
#include "print.hpp"
#include "sbi.hpp"
#include "sbi_guest.hpp"
#include "trap.hpp"

using trap::Cause;

Next VmExitHandler::handle(Vcpu& vcpu, const VmExit& exit) {
    switch (static_cast<Cause>(exit.scause)) {
        case Cause::EcallFromGuest:  // a hypervisor call
            return hypervisor_call(vcpu);

        case Cause::LoadGuestPageFault:  // a device access (or a stray one)
        case Cause::StoreGuestPageFault:
            switch (handle_mmio(vcpu, exit, memory_)) {
                case MmioOutcome::Done:
                    counts_[Mmio]++;
                    return Next::Continue;
                case MmioOutcome::NotADevice:
                    return stop("the guest accessed memory it does not own", exit);
                case MmioOutcome::BadInstruction:
                    return stop("a device access we cannot emulate", exit);
            }
            break;

        case Cause::InstructionGuestPageFault:  // a jump outside guest RAM
            return stop("the guest accessed memory it does not own", exit);

        default:
            break;
    }
    return stop("unhandled VM exit", exit);
}

Next VmExitHandler::hypervisor_call(Vcpu& vcpu) {
    switch (static_cast<sbi::Extension>(vcpu.reg(a7))) {
        case sbi::Extension::LegacyConsolePutchar:
        case sbi::Extension::LegacyConsoleGetchar: counts_[SbiConsole]++; break;
        case sbi::Extension::LegacySetTimer:
        case sbi::Extension::Time: counts_[SbiTimer]++; break;
        default: counts_[SbiOther]++; break;
    }
    switch (handle_sbi_call(vcpu)) {
        case SbiOutcome::Continue: return Next::Continue;
        case SbiOutcome::PowerOff: println("[hypervisor] the guest powered off"); break;
        case SbiOutcome::Reboot: println("[hypervisor] the guest asked for a reboot; ending"); break;
    }
    return Next::PowerOff;
}

Next VmExitHandler::stop(const char* why, const VmExit& exit) {
    counts_[Stopped]++;
    println("[hypervisor] {}: {} (scause {:#x})", why, trap::name(exit.scause), exit.scause);
    println("[hypervisor]   guest pc {:#x}, stval {:#x}, htinst {:#x}", exit.sepc, exit.stval,
            exit.htinst);
    if (exit.is_guest_page_fault())
        println("[hypervisor]   guest physical address {:#x}", exit.guest_physical_address());
    return Next::Stop;
}

void VmExitHandler::print_statistics() const {
    static constexpr const char* NAMES[KINDS] = {"SBI console", "SBI timer", "SBI other",
                                                 "MMIO", "stopped"};
    uint64_t total = 0;
    println("[hypervisor] VM exits caught:");
    for (int kind = 0; kind < KINDS; kind++) {
        println("[hypervisor]   {:12} {:10}", NAMES[kind], counts_[kind]);
        total += counts_[kind];
    }
    println("[hypervisor]   {:12} {:10}", "total", total);
}
