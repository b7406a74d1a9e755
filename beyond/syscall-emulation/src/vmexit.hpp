// The `catch` block: what the hypervisor does with each VM exit.
//
//   Next next;
//   do {
//       const VmExit exit = vcpu.run();     // try: enter the guest, until it throws
//       next = handler.handle(vcpu, exit);  // catch
//   } while (next == Next::Continue);       // continuation: enter it again
//
// The guest is a Linux program, with no kernel under it. Its exits are
// the ones a kernel would take: a system call (answered: process.hpp), a
// page fault (its page populated, or the program killed: SIGSEGV), an
// illegal instruction (SIGILL), a breakpoint (SIGTRAP), and our own timer,
// which keeps count of its CPU time.
#pragma once
#include <stdint.h>

#include "print.hpp"
#include "process.hpp"
#include "vcpu.hpp"

enum class Next {
    Continue,  // go back into the program
    Ended,     // it exited, or was killed: see the process
    Stop,      // an exit we do not understand: end with a report
};

class VmExitHandler {
public:
    // `cpu_limit`: ticks of CPU time it may use (0: no limit).
    VmExitHandler(Process& process, uint64_t cpu_limit) : process_(process), cpu_limit_(cpu_limit) {}

    Next handle(Vcpu& vcpu, const VmExit& exit);

    // How many exits of each kind we have caught, and its system calls.
    void print_statistics() const;

private:
    enum Kind { SystemCall, PageFault, Watchdog, Killed, Stopped, KINDS };

    Next page_fault(Vcpu& vcpu, const VmExit& exit, uint32_t access);
    Next kill(Vcpu& vcpu, const VmExit& exit, int signal, const char* why);
    Next stop(const char* why, const VmExit& exit);

    Process& process_;
    uint64_t cpu_limit_;
    uint64_t counts_[KINDS] = {};
};

// "SIGSEGV" for 11...
const char* signal_name(int signal);
