/*
 * The first instructions of the hypervisor.
 *
 * OpenSBI jumps here in HS-mode with the MMU off, a0 = hart id and
 * a1 = address of the device tree that describes the machine. There is no
 * stack yet and .bss holds whatever RAM held: C++ may assume neither, so we
 * set up both, then call main(hart_id, dtb) with a0 and a1 untouched.
 */
    .section .text.boot, "ax"
    .global _start
_start:
    la      sp, __stack_top

    /* Zero .bss: C++ promises that globals without an initializer are 0. */
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:
    call    main

    /* main never returns; if it ever does, stop this hart quietly. */
3:  wfi
    j       3b

/*
 * The other harts: main's hart::start_others() has the firmware start each
 * one here, a0 = hart id, a1 = its Hart (hart.hpp), whose first word is the
 * top of a stack of its own. tp points at its Hart from now on; a trap of
 * ours goes to the VM-exit vector, which reports it (sscratch 0).
 */
    .global secondary_start
secondary_start:
    ld      sp, 0(a1)
    mv      tp, a1
    csrw    sscratch, zero
    la      t0, vm_exit_vector
    csrw    stvec, t0
    mv      a0, a1
    call    hart_main
    j       3b
