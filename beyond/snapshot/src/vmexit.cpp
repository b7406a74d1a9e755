#include "vmexit.hpp"

#include "control.hpp"
#include "debug_console.hpp"
#include "host_console.hpp"
#include "mmio.hpp"
#include "print.hpp"
#include "sbi.hpp"
#include "sbi_guest.hpp"
#include "trap.hpp"
#include "virtio_mmio.hpp"
#include "watchdog.hpp"

using trap::Cause;

Next VmExitHandler::handle(Vcpu& vcpu, const VmExit& exit) {
    switch (static_cast<Cause>(exit.scause)) {
        case Cause::EcallFromGuest:  // a hypervisor call
            return hypervisor_call(vcpu);

        case Cause::StoreGuestPageFault:  // the first store to a page since the snapshot?
            if (memory_.dirty_log().log_store(exit.guest_physical_address())) {
                counts_[DirtyPage]++;
                return Next::Continue;  // pc stays: the store runs again, on a writable page
            }
            [[fallthrough]];  // else a device access (or a stray one)
        case Cause::LoadGuestPageFault:
            switch (handle_mmio(vcpu, exit, memory_)) {
                case MmioOutcome::Done:
                    counts_[Mmio]++;
                    return Next::Continue;
                case MmioOutcome::NotADevice:
                    return stop("the guest accessed memory it does not own", exit);
                case MmioOutcome::UnreadableInstruction:
                    return stop("cannot read the guest's instruction at its pc", exit);
                case MmioOutcome::BadInstruction:
                    return stop("a device access we cannot emulate", exit);
                case MmioOutcome::Misaligned:
                    return stop("a misaligned device access", exit);
            }
            break;

        case Cause::InstructionGuestPageFault:  // a jump outside guest RAM
            return stop("the guest accessed memory it does not own", exit);

        case Cause::VirtualInstruction:  // a hypervisor CSR or instruction, from the guest
            return refuse_instruction(vcpu, exit);

        case Cause::SupervisorTimerInterrupt:  // our own timer: see watchdog.hpp
            watchdog::rearm();
            VirtioMmio::tick_all();
            host_console::tick();  // the controller's keys, even past a guest that never reads
            counts_[Watchdog]++;
            return Next::Continue;  // an interrupt: the guest goes on where it was

        case Cause::SupervisorExternalInterrupt:  // the machine's UART: keys (host_console.hpp)
            host_console::on_interrupt();
            counts_[Keys]++;
            return Next::Continue;

        default:
            break;
    }
    return stop("unhandled VM exit", exit);
}

Next VmExitHandler::hypervisor_call(Vcpu& vcpu) {
    switch (static_cast<sbi::Extension>(vcpu.reg(a7))) {
        case sbi::Extension::LegacyConsolePutchar:
        case sbi::Extension::LegacyConsoleGetchar:
        case sbi::Extension::DebugConsole: counts_[SbiConsole]++; break;
        case sbi::Extension::LegacySetTimer:
        case sbi::Extension::Time: counts_[SbiTimer]++; break;
        default: counts_[SbiOther]++; break;
    }
    if (vcpu.reg(a7) == static_cast<uint64_t>(sbi::Extension::Snapshot)) {
        sandbox_.hypercall(vcpu);
        return Next::Continue;
    }
    switch (handle_sbi_call(vcpu, memory_)) {
        case SbiOutcome::Continue: return Next::Continue;
        case SbiOutcome::PowerOff: control::report("[hypervisor] the guest powered off"); break;
        case SbiOutcome::Reboot:
            control::report("[hypervisor] the guest asked for a reboot; ending");
            break;
    }
    return Next::PowerOff;
}

// VS-mode may not touch the hypervisor's CSRs or run its instructions
// (hfence.gvma, hlv...), nor read counters we keep from it. On a CPU with
// no hypervisor under it, the guest's kernel would get an illegal
// instruction exception for these; so it does here, in its own handler,
// like the illegal instructions hedeleg sends it directly (trap.hpp). What
// it does then is up to it.
Next VmExitHandler::refuse_instruction(Vcpu& vcpu, const VmExit& exit) {
    counts_[IllegalInstruction]++;
    // The guest expects the instruction in stval. We read it ourselves:
    // QEMU 7.2's stval is stale after some of these (hlv.d); 0 if the
    // instruction cannot be read, which the architecture also allows.
    uint32_t instruction = 0;
    vcpu.fetch_instruction(instruction);
    if (refused_log_.count())
        println("[hypervisor] the guest may not execute {:#x} at pc {:#x}: "
                "illegal instruction for it", instruction, exit.sepc);
    vcpu.inject_exception(static_cast<uint64_t>(Cause::IllegalInstruction), instruction);
    return Next::Continue;
}

Next VmExitHandler::stop(const char* why, const VmExit& exit) {
    counts_[Stopped]++;
    println("[hypervisor] {}: {} (scause {:#x})", why, trap::name(exit.scause), exit.scause);
    println("[hypervisor]   guest pc {:#x}, stval {:#x}, htinst {:#x}", exit.sepc, exit.stval,
            exit.htinst);
    if (exit.is_guest_page_fault())
        println("[hypervisor]   guest physical address {:#x}", exit.guest_physical_address());
    if (control::active()) control::report("[hypervisor] the guest stopped: {}", why);
    return Next::Stop;
}

void VmExitHandler::print_statistics() const {
    static constexpr const char* NAMES[KINDS] = {"SBI console", "SBI timer", "SBI other",
                                                 "MMIO", "dirty page", "illegal insn", "watchdog",
                                                 "keys", "stopped"};
    uint64_t total = 0;
    println("[hypervisor] VM exits caught:");
    for (int kind = 0; kind < KINDS; kind++) {
        println("[hypervisor]   {:12} {:10}", NAMES[kind], counts_[kind]);
        total += counts_[kind];
    }
    println("[hypervisor]   {:12} {:10}", "total", total);
    const debug_console::Counts console = debug_console::counts();
    println("[hypervisor] debug console: {} writes of {} bytes, {} reads of {} bytes",
            console.writes, console.bytes_written, console.reads, console.bytes_read);
    const MmioDecodeCounts decoded = mmio_decode_counts();
    println("[hypervisor] MMIO: {} decoded from htinst, {} fetched with hlvx",
            decoded.from_htinst, decoded.fetched);
    if (host_console::dropped() != 0)
        println("[hypervisor] keys dropped, the guest's queue full: {}", host_console::dropped());
    if (unsupported_sbi_calls() != 0)
        println("[hypervisor] SBI calls not supported: {}", unsupported_sbi_calls());
}
