// A guest that executes what VS-mode may not: hypervisor CSRs, hypervisor
// fences, machine-mode CSRs, counters the hypervisor keeps to itself.
//
// Policy (final/ISOLATION.md): the guest gets an illegal-instruction
// exception, in its own trap handler, as on a machine with no hypervisor
// under it. "privileged" installs a handler that prints each trap and steps
// over the instruction; "no-handler" leaves stvec at 0; "user-mode" does the
// same things from the guest's user mode (VU).
//
// Each instruction is at a global label (priv_*) for the test to find its
// pc and its bits in the symbol table and the Image.
#include "guest.hpp"

namespace {

#define AT(label, instruction) \
    asm volatile(".option push\n.option arch, +h\n.global " label "\n" label ": " instruction "\n.option pop" ::: "a0", "memory")

void forbidden_instructions() {
    AT("priv_hgatp", "csrr a0, hgatp");          // hypervisor CSRs: virtual instruction
    AT("priv_hstatus", "csrw hstatus, zero");
    AT("priv_hfence_gvma", "hfence.gvma zero, zero");
    AT("priv_hlv", "hlv.d a0, (sp)");             // hypervisor loads
    AT("priv_rdcycle", "rdcycle a0");             // a counter not given to the guest (hcounteren)
    AT("priv_mstatus", "csrr a0, mstatus");       // machine CSRs: illegal instruction
    AT("priv_unimp", ".4byte 0xc0001073");        // unimp: write to the read-only cycle CSR
}

void print_and_step_over(TrapFrame& frame) {
    const bool from_user = (read_sstatus() & SSTATUS_SPP) == 0;
    say("trap: scause {}, stval {}, sepc {}{}", read_scause(), read_stval(), frame.sepc,
        from_user ? ", from user mode" : "");
    frame.sepc += 4;
}

// User mode: an MMIO read (the hypervisor emulates it), a supervisor CSR
// (which user mode may not read), then an ecall to come back. If the
// ecall reaches the hypervisor rather than our handler, the guest was no
// longer in user mode.
extern "C" void user_came_back_in_kernel_mode() {
    fail("privileged: the ecall from user mode went to the hypervisor: the guest was in VS-mode");
}

asm(R"(
    .text
    .balign 4
user_code:
    li      t0, 0x10000000
    .global user_mmio
user_mmio:
    lbu     s1, 5(t0)              /* the UART's line status */
    .global user_sstatus
user_sstatus:
    csrr    s2, sstatus            /* must trap: user mode */
    .global user_rdcycle
user_rdcycle:
    rdcycle s2                     /* must trap too */
    li      a7, 0xbad
    .global user_ecall
user_ecall:
    ecall                          /* back to the guest kernel (scause 8) */
    call    user_came_back_in_kernel_mode
)");
extern "C" char user_code[];

void user_mode_handler(TrapFrame& frame) {
    if (read_scause() == 8) {
        say("user mode: ecall at {}, s1 (line status) = {}", frame.sepc, frame.x[9]);
        power_off();
    }
    print_and_step_over(frame);
}

void enter_user_mode(void (*code)()) {
    write_sstatus(read_sstatus() & ~SSTATUS_SPP);
    asm volatile("csrw sepc, %0\nsret" ::"r"(code));
}

}  // namespace

extern "C" void guest_main(uint64_t, uint64_t) {
    if (action_is("privileged")) {
        install_trap_handler(print_and_step_over);
        forbidden_instructions();
        say("privileged: done");
        power_off();
    } else if (action_is("no-handler")) {
        write_stvec(0);
        say("privileged: csrr hgatp with stvec = 0");
        AT("no_handler_hgatp", "csrr a0, hgatp");
    } else if (action_is("user-mode")) {
        install_trap_handler(user_mode_handler);
        enter_user_mode(reinterpret_cast<void (*)()>(user_code));
    } else {
        fail("privileged: unknown action");
    }
    fail("privileged: went on after the instruction");
}
