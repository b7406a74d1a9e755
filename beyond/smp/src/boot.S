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
    /*
     * Only the boot hart is meant to come here. But OpenSBI 1.1 marks a
     * hart we start as starting before it writes where the hart is to go;
     * one that wakes in between jumps where the firmware first sent the
     * boot hart: here. It goes on to its own entry.
     */
    la      t0, boot_hart_came
    li      t1, 1
    amoswap.w t1, t1, (t0)
    bnez    t1, secondary_start
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
 * one here, a0 = hart id. Its Hart (hart.hpp) is hart_table[a0] (not a1,
 * which OpenSBI 1.1 may not have written yet, see above); the Hart's first
 * word is the top of a stack of its own. tp points at the Hart from now
 * on; a trap of ours goes to the VM-exit vector, which reports it.
 */
    .global secondary_start
secondary_start:
    la      t0, hart_table
    slli    t1, a0, 3
    add     t0, t0, t1
    ld      a1, 0(t0)
    ld      sp, 0(a1)
    mv      tp, a1
    csrw    sscratch, zero
    la      t0, vm_exit_vector
    csrw    stvec, t0
    mv      a0, a1
    call    hart_main
    j       3b

    .section .data
boot_hart_came:                   /* not .bss: the boot hart clears that */
    .word   0
