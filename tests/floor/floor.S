/*
 * The floor of a hypervisor call: the least any hypervisor can spend on one.
 *
 * This file is linked into a copy of final/ (see Makefile) in place of its
 * trap vector. For exactly the call tests/guests/hypercall.cpp times
 * (ecall from VS-mode, a7 = 0x10 BASE, a6 = 0 get_spec_version), it only
 * steps the guest's pc over the ecall and returns: no register saved, no
 * C++, no answer (the guest's a0 and a1 come back as they were). What is
 * left is what the CPU, here QEMU, costs: the trap into HS-mode and the
 * sret back into the guest, each a change of virtualization mode (QEMU
 * flushes its TLB on both).
 *
 * Every other trap (the guest's console output, its power-off, a fault of
 * the hypervisor itself) goes on, untouched, to final's own vector, which
 * the Makefile renames final_vm_exit_vector.
 *
 * a6 is the one register used, and only once it is known to hold 0: the
 * fast path puts 0 back before sret, the slow one before jumping on.
 */
    .section .text
    .balign 4                      /* stvec: 4-byte aligned, direct mode */
    .global vm_exit_vector
vm_exit_vector:
    bnez    a6, final_vm_exit_vector  /* not function 0: all registers untouched */
    csrr    a6, scause
    addi    a6, a6, -10            /* 10: ecall from VS-mode */
    bnez    a6, 1f
    addi    a6, a7, -0x10          /* extension 0x10: BASE */
    bnez    a6, 1f
    csrr    a6, sepc               /* the fast path: continue after the ecall */
    addi    a6, a6, 4
    csrw    sepc, a6
    li      a6, 0
    sret
1:  li      a6, 0                  /* the guest's a6, as it was */
    j       final_vm_exit_vector
