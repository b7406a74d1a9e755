#include "vmexit.hpp"

#include "mmio.hpp"
#include "print.hpp"
#include "sbi_guest.hpp"
#include "trap.hpp"

using trap::Cause;

Next VmExitHandler::handle(Vcpu& vcpu, const VmExit& exit) {
    switch (static_cast<Cause>(exit.scause)) {
        case Cause::EcallFromGuest:  // a hypervisor call
            sbi_calls_++;
            handle_sbi_call(vcpu);
            return Next::Continue;

        case Cause::LoadGuestPageFault:  // a device access (or a stray one)
        case Cause::StoreGuestPageFault:
            switch (handle_mmio(vcpu, exit, memory_)) {
                case MmioOutcome::Done:
                    mmio_accesses_++;
                    return Next::Continue;
                case MmioOutcome::NotADevice:
                    return stop("the guest accessed memory it does not own", exit);
                case MmioOutcome::BadInstruction:
                    return stop("a device access we cannot emulate", exit);
            }
            break;

        default:
            break;
    }
    return stop("unhandled VM exit", exit);
}

Next VmExitHandler::stop(const char* why, const VmExit& exit) {
    unhandled_++;
    println("[hypervisor] {}: {} (scause {:#x})", why, trap::name(exit.scause), exit.scause);
    println("[hypervisor]   guest pc {:#x}, stval {:#x}, htinst {:#x}", exit.sepc, exit.stval,
            exit.htinst);
    if (exit.is_guest_page_fault())
        println("[hypervisor]   guest physical address {:#x}", exit.guest_physical_address());
    return Next::Stop;
}

void VmExitHandler::print_statistics() const {
    println("[hypervisor] VM exits caught:");
    println("[hypervisor]   {:10} {:8}", "SBI call", sbi_calls_);
    println("[hypervisor]   {:10} {:8}", "MMIO", mmio_accesses_);
    println("[hypervisor]   {:10} {:8}", "unhandled", unhandled_);
}
