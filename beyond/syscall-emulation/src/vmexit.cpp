#include "vmexit.hpp"

#include "clock.hpp"
#include "print.hpp"
#include "trap.hpp"
#include "watchdog.hpp"

using trap::Cause;

extern "C" char vm_exit_vector[];  // world_switch.S: where our stvec points

Next VmExitHandler::handle(Vcpu& vcpu, const VmExit& exit) {
    switch (static_cast<Cause>(exit.scause)) {
        case Cause::EcallFromUser:  // a system call
            counts_[SystemCall]++;
            system_call(process_, vcpu);
            if (process_.memory.out_of_memory())
                return kill(vcpu, exit, linux::SIGKILL, "out of memory (mem=): no page left for it");
            if (process_.signal != 0) {  // kill(), tgkill() (abort does), or Ctrl-C
                counts_[Killed]++;
                println("[hypervisor] the program was killed by signal {} ({}): {}", process_.signal,
                        signal_name(process_.signal),
                        process_.signal == 2 ? "Ctrl-C" : "it sent it to itself");
            }
            return process_.ended ? Next::Ended : Next::Continue;

        case Cause::LoadGuestPageFault: return page_fault(vcpu, exit, prot::READ);
        case Cause::StoreGuestPageFault: return page_fault(vcpu, exit, prot::WRITE);
        case Cause::InstructionGuestPageFault: return page_fault(vcpu, exit, prot::EXEC);

        case Cause::IllegalInstruction:  // not an instruction, or not one for user mode
        case Cause::VirtualInstruction:
            return kill(vcpu, exit, linux::SIGILL, "an instruction it may not execute");
        case Cause::Breakpoint: return kill(vcpu, exit, linux::SIGTRAP, "a breakpoint (ebreak)");
        case Cause::InstructionMisaligned:
        case Cause::LoadMisaligned:
        case Cause::StoreMisaligned:
            return kill(vcpu, exit, linux::SIGBUS, "a misaligned access");
        case Cause::InstructionAccessFault:
        case Cause::LoadAccessFault:
        case Cause::StoreAccessFault:
            return kill(vcpu, exit, linux::SIGSEGV, "an access the machine refused");

        case Cause::SupervisorTimerInterrupt:  // our own timer: see watchdog.hpp
            watchdog::rearm();
            counts_[Watchdog]++;
            if (cpu_limit_ != 0 && clock::cpu_time() >= cpu_limit_)
                return kill(vcpu, exit, linux::SIGXCPU, "its CPU time is up (TIMEOUT=)");
            return Next::Continue;  // an interrupt: the program goes on where it was

        default:
            break;
    }
    return stop("unhandled VM exit", exit);
}

// A page the program touched for the first time, or an access no area
// allows. Populated, the page is there when the program's instruction
// runs again: the continuation is a retry, pc unchanged.
Next VmExitHandler::page_fault(Vcpu& vcpu, const VmExit& exit, uint32_t access) {
    if (process_.memory.fault(exit.guest_physical_address(), access)) {
        counts_[PageFault]++;
        return Next::Continue;
    }
    if (process_.memory.out_of_memory())
        return kill(vcpu, exit, linux::SIGKILL, "out of memory (mem=): no page left for it");
    if (access == prot::EXEC && exit.stval == reinterpret_cast<uintptr_t>(vm_exit_vector)) {
        // The CPU fetched our own trap vector as the program's code: the
        // program's trap was handed to us with the virtualization mode
        // still on. An illegal instruction goes to the firmware first (it
        // keeps that exception, to emulate what it can), which passes it
        // on to us. On QEMU 10.0.13 (Debian 13) our vector then runs with
        // V=1, every time and whichever OpenSBI we tried (1.1, 1.5, 1.6);
        // on QEMU 7.2 and 10.0.2 it never does. The program's pc is lost
        // (the fault overwrote sepc), not its fate. (A
        // program that jumps to that very address itself gets SIGILL
        // here, not SIGSEGV: it ends either way.)
        const Next next = kill(vcpu, exit, linux::SIGILL, "an instruction it may not execute");
        println("[hypervisor]   (its trap came back as a fetch of our trap vector: "
                "its pc is lost)");
        return next;
    }
    const char* what = access == prot::READ    ? "a load from memory it may not read"
                       : access == prot::WRITE ? "a store to memory it may not write"
                                               : "a jump to memory it may not execute";
    return kill(vcpu, exit, linux::SIGSEGV, what);
}

// The program ends as Linux would end it, with the signal. These lines
// show even with QUIET=1, as a shell's "Segmentation fault" does.
Next VmExitHandler::kill(Vcpu& vcpu, const VmExit& exit, int signal, const char* why) {
    counts_[Killed]++;
    process_.kill(signal);
    println("[hypervisor] the program was killed by signal {} ({}): {}", signal,
            signal_name(signal), why);
    uint32_t instruction = 0;
    if (exit.scause & trap::INTERRUPT) {
        println("[hypervisor]   at pc {:#x}", exit.sepc);
    } else if (vcpu.fetch_instruction(instruction)) {
        println("[hypervisor]   at pc {:#x}, address {:#x}, instruction {:#x} ({})", exit.sepc,
                exit.stval, instruction, trap::name(exit.scause));
    } else {
        println("[hypervisor]   at pc {:#x}, address {:#x}, its instruction unreadable ({})",
                exit.sepc, exit.stval, trap::name(exit.scause));
    }
    return Next::Ended;
}

Next VmExitHandler::stop(const char* why, const VmExit& exit) {
    counts_[Stopped]++;
    println("[hypervisor] {}: {} (scause {:#x})", why, trap::name(exit.scause), exit.scause);
    println("[hypervisor]   guest pc {:#x}, stval {:#x}, htinst {:#x}", exit.sepc, exit.stval,
            exit.htinst);
    return Next::Stop;
}

void VmExitHandler::print_statistics() const {
    static constexpr const char* NAMES[KINDS] = {"system call", "page fault", "watchdog",
                                                 "killed", "stopped"};
    uint64_t total = 0;
    println("[hypervisor] VM exits caught:");
    for (int kind = 0; kind < KINDS; kind++) {
        println("[hypervisor]   {:18} {:8}", NAMES[kind], counts_[kind]);
        total += counts_[kind];
    }
    println("[hypervisor]   {:18} {:8}", "total", total);
    println("[hypervisor] system calls, by name:");
    print_system_calls();
}

const char* signal_name(int signal) {
    switch (signal) {
        case 2: return "SIGINT";
        case linux::SIGILL: return "SIGILL";
        case linux::SIGTRAP: return "SIGTRAP";
        case linux::SIGABRT: return "SIGABRT";
        case linux::SIGBUS: return "SIGBUS";
        case linux::SIGKILL: return "SIGKILL";
        case linux::SIGSEGV: return "SIGSEGV";
        case linux::SIGXCPU: return "SIGXCPU";
        default: return "a signal";
    }
}
