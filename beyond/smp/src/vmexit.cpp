#include "vmexit.hpp"

#include "debug_console.hpp"
#include "hart.hpp"
#include "memlayout.hpp"
#include "mmio.hpp"
#include "print.hpp"
#include "sbi.hpp"
#include "sbi_guest.hpp"
#include "trap.hpp"
#include "watchdog.hpp"

using trap::Cause;

namespace {

// The devices are shared: one hart at a time plays them.
SpinLock device_lock;

MmioOutcome emulate_device(Vcpu& vcpu, const VmExit& exit, const GuestMemory& memory) {
    Locked guard(device_lock);
    return handle_mmio(vcpu, exit, memory);
}

}  // namespace

Next VmExitHandler::handle(Vcpu& vcpu, const VmExit& exit) {
    switch (static_cast<Cause>(exit.scause)) {
        case Cause::EcallFromGuest:  // a hypervisor call
            return hypervisor_call(vcpu);

        case Cause::LoadGuestPageFault:  // a device access (or a stray one)
        case Cause::StoreGuestPageFault:
            switch (emulate_device(vcpu, exit, memory_)) {
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
            counts_[Watchdog]++;
            return Next::Continue;  // an interrupt: the guest goes on where it was

        case Cause::SupervisorSoftwareInterrupt:  // another hart's IPI: see hart.hpp
            counts_[Kicked]++;
            hart::serve();  // which does not return if it was told to halt
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
        case sbi::Extension::Ipi:
        case sbi::Extension::Rfence: counts_[SbiIpi]++; break;
        default: counts_[SbiOther]++; break;
    }
    switch (handle_sbi_call(vcpu, memory_)) {
        case SbiOutcome::Continue: return Next::Continue;
        case SbiOutcome::HartStopped: return Next::HartStopped;
        case SbiOutcome::PowerOff: println("[hypervisor] the guest powered off"); break;
        case SbiOutcome::Reboot: println("[hypervisor] the guest asked for a reboot; ending"); break;
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
    return Next::Stop;
}

uint64_t VmExitHandler::count(int kind) const {
    if (kind < KINDS) return counts_[kind];
    uint64_t total = 0;
    for (uint64_t count : counts_) total += count;
    return total;
}

void VmExitHandler::print_statistics() {
    static constexpr const char* NAMES[KINDS + 1] = {"SBI console", "SBI timer", "SBI IPI",
                                                     "SBI other", "MMIO", "illegal insn",
                                                     "watchdog", "kicked", "stopped", "total"};
    println("[hypervisor] VM exits caught, per vCPU:");
    for (int kind = -1; kind <= KINDS; kind++) {  // the heading, each kind, the total
        ConsoleLine line;
        fmt::format(line, "[hypervisor]   {:12}", kind < 0 ? "" : NAMES[kind]);
        uint64_t all = 0;
        for (uint64_t id = 0; id < memlayout::MAX_HARTS; id++) {
            const hart::Hart* hart = hart::find(id);
            if (hart == nullptr || hart->exits == nullptr) continue;
            const uint64_t count = kind < 0 ? id : hart->exits->count(kind);
            fmt::format(line, kind < 0 ? "   vCPU {}" : " {:8}", count);
            all += count;
        }
        fmt::format(line, kind < 0 ? "      all\n" : " {:8}\n", all);
    }
    for (uint64_t id = 0; id < memlayout::MAX_HARTS; id++)
        if (const hart::Hart* hart = hart::find(id))
            println("[hypervisor] hart {} did for the others: {} guest IPIs, {} fence.i, {} TLB flushes",
                    id, hart->served.guest_ipis, hart->served.fences_i, hart->served.tlb_flushes);
    const debug_console::Counts console = debug_console::counts();
    println("[hypervisor] debug console: {} writes of {} bytes, {} reads of {} bytes",
            console.writes, console.bytes_written, console.reads, console.bytes_read);
    const MmioDecodeCounts decoded = mmio_decode_counts();
    println("[hypervisor] MMIO: {} decoded from htinst, {} fetched with hlvx",
            decoded.from_htinst, decoded.fetched);
    if (unsupported_sbi_calls() != 0)
        println("[hypervisor] SBI calls not supported: {}", unsupported_sbi_calls());
}
