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
