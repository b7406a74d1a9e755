/*
 * The world switch: from the hypervisor into the guest, and back.
 *
 * enter_guest(context) saves the hypervisor's callee-saved registers,
 * loads every guest register and executes sret, which (with hstatus.SPV=1)
 * drops into the guest at sepc: the `try`. Nothing returns from there...
 * until the guest traps (a VM exit, the `throw`). The trap lands on
 * vm_exit_vector, which saves every guest register, restores the
 * hypervisor's and returns from enter_guest as if it had been an ordinary
 * function call, into Vcpu::run(). run() reads the trap CSRs into a VmExit
 * (the exception object) for its caller's handler (the `catch`).
 *
 * sscratch tells the two kinds of trap apart: it holds the context while
 * the guest runs and 0 while the hypervisor does.
 */

#define GUEST(n)  ((n) * 8)        /* GuestContext::x[n]    */
#define HOST(n)   ((32 + (n)) * 8)  /* GuestContext::host[n] */

    .section .text
    .global enter_guest
enter_guest:
    /* Save the hypervisor's registers that a C++ caller expects back. */
    sd      ra, HOST(0)(a0)
    sd      sp, HOST(1)(a0)
    sd      gp, HOST(2)(a0)
    sd      tp, HOST(3)(a0)
    sd      s0, HOST(4)(a0)
    sd      s1, HOST(5)(a0)
    sd      s2, HOST(6)(a0)
    sd      s3, HOST(7)(a0)
    sd      s4, HOST(8)(a0)
    sd      s5, HOST(9)(a0)
    sd      s6, HOST(10)(a0)
    sd      s7, HOST(11)(a0)
    sd      s8, HOST(12)(a0)
    sd      s9, HOST(13)(a0)
    sd      s10, HOST(14)(a0)
    sd      s11, HOST(15)(a0)
    csrw    sscratch, a0

    /* Load the guest's registers; a0 last, since it points at them. */
    .irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld      x\n, GUEST(\n)(a0)
    .endr
    ld      a0, GUEST(10)(a0)
    sret                           /* try { guest } */

    .align 4
    .global vm_exit_vector
vm_exit_vector:                    /* throw: the guest trapped */
    csrrw   a0, sscratch, a0       /* a0 = context, sscratch = guest a0 */
    beqz    a0, hypervisor_fault   /* sscratch was 0: the hypervisor itself trapped */

    .irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd      x\n, GUEST(\n)(a0)
    .endr
    csrrw   t0, sscratch, zero     /* the guest's a0; sscratch = 0: hypervisor again */
    sd      t0, GUEST(10)(a0)

    ld      ra, HOST(0)(a0)
    ld      sp, HOST(1)(a0)
    ld      gp, HOST(2)(a0)
    ld      tp, HOST(3)(a0)
    ld      s0, HOST(4)(a0)
    ld      s1, HOST(5)(a0)
    ld      s2, HOST(6)(a0)
    ld      s3, HOST(7)(a0)
    ld      s4, HOST(8)(a0)
    ld      s5, HOST(9)(a0)
    ld      s6, HOST(10)(a0)
    ld      s7, HOST(11)(a0)
    ld      s8, HOST(12)(a0)
    ld      s9, HOST(13)(a0)
    ld      s10, HOST(14)(a0)
    ld      s11, HOST(15)(a0)
    ret                            /* back in Vcpu::run(), which builds the VmExit */

hypervisor_fault:
    csrrw   a0, sscratch, a0       /* put a0 and sscratch (0) back */
    j       hypervisor_trap        /* trap.cpp: report and stop */
