// The system call exit: the `catch` of this stage.
//
// The program runs in VU-mode with nothing below it in the guest, and
// hedeleg leaves ecall-from-U with us: its `ecall` traps straight to the
// hypervisor, number in a7, arguments in a0..a5, as it would trap into
// Linux. We answer in a0 and step over the ecall: the continuation.
#include "linux.hpp"
#include "print.hpp"
#include "process.hpp"
#include "syscall_names.hpp"

namespace {

uint64_t counts[SYSCALL_NUMBERS + 1];  // the last one: numbers past Linux 6.12's
bool reported[SYSCALL_NUMBERS + 1];

long dispatch(Process& p, uint64_t number, const Arguments& args) {
    if (is_file_call(number)) return sys_files(p, number, args);
    if (is_memory_call(number)) return sys_memory(p, number, args);
    if (is_process_call(number)) return sys_process(p, number, args);
    if (is_time_call(number)) return sys_time(p, number, args);
    // Not emulated: the program is told, as an old kernel would tell it,
    // and we say so, once per call.
    const uint64_t slot = number < SYSCALL_NUMBERS ? number : SYSCALL_NUMBERS;
    if (!reported[slot]) {
        reported[slot] = true;
        note("[hypervisor] system call {} ({}) is not emulated: -ENOSYS", number,
                syscall_name(number));
    }
    return -linux::ENOSYS;
}

}  // namespace

void system_call(Process& process, Vcpu& vcpu) {
    const uint64_t number = vcpu.reg(a7);
    counts[number < SYSCALL_NUMBERS ? number : SYSCALL_NUMBERS]++;
    const Arguments args{{vcpu.reg(a0), vcpu.reg(a1), vcpu.reg(a2), vcpu.reg(a3), vcpu.reg(a4),
                          vcpu.reg(a5)}};
    const long result = dispatch(process, number, args);
    vcpu.reg(a0) = static_cast<uint64_t>(result);
    vcpu.pc += 4;  // the continuation: the program goes on after its ecall
}

void print_system_calls() {
    uint64_t total = 0;
    for (uint64_t n = 0; n <= SYSCALL_NUMBERS; n++) {
        if (counts[n] == 0) continue;
        println("[hypervisor]   {:18} {:8}", n < SYSCALL_NUMBERS ? syscall_name(n) : "unknown",
                counts[n]);
        total += counts[n];
    }
    println("[hypervisor]   {:18} {:8}", "system calls", total);
}
