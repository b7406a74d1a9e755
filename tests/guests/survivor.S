/*
 * survive(start, end): overwrite guest memory [start, end) with a pattern,
 * all but this page (the code, and its strings, that does it), then check
 * that the hypervisor still answers SBI calls right, say so, and power off.
 *
 * The range may hold everything else the guest had: its image, its stack,
 * the device tree. So this runs on registers alone, and even sp, ra, gp
 * and tp hold the pattern while it makes its calls: they are only data to
 * the hypervisor, which saves and restores them and must not care.
 */
#define PATTERN 0x5ca1ab1e0ddba11

    .section .own_page, "ax"
    .global survive
survive:
    la      t0, __own_page_start
    la      t1, __own_page_end
    li      t2, PATTERN
    mv      s0, a0                /* keep the range: checked at the end */
    mv      s1, a1
    mv      t3, a0
1:  bgeu    t3, a1, 3f
    bltu    t3, t0, 2f            /* below this page: fill */
    bgeu    t3, t1, 2f            /* above it: fill */
    mv      t3, t1                /* this page: skip it */
    j       1b
2:  sd      t2, 0(t3)
    addi    t3, t3, 8
    j       1b

3:  mv      sp, t2
    mv      ra, t2
    mv      gp, t2
    mv      tp, t2

    /* BASE get_spec_version: 2.0 */
    li      a7, 0x10
    li      a6, 0
    ecall
    la      s2, wrong_version
    bnez    a0, fail
    li      t0, 0x02000000
    bne     a1, t0, fail

    /* BASE probe_extension(HSM): present */
    li      a7, 0x10
    li      a6, 3
    li      a0, 0x48534d
    ecall
    la      s2, wrong_probe
    bnez    a0, fail
    li      t0, 1
    bne     a1, t0, fail

    /* HSM hart_get_status(0): started */
    li      a7, 0x48534d
    li      a6, 2
    li      a0, 0
    ecall
    la      s2, wrong_status
    bnez    a0, fail
    bnez    a1, fail

    /* The pattern is still where we put it: nobody wrote over our RAM. */
    la      s2, pattern_gone
    li      t2, PATTERN
    ld      t0, 0(s0)
    bne     t0, t2, fail
    ld      t0, -8(s1)
    bne     t0, t2, fail

    la      s2, all_right
    j       say_and_power_off

fail:
    la      a0, fail_prefix
    jal     s3, print
say_and_power_off:
    mv      a0, s2
    jal     s3, print
    li      a7, 0x53525354        /* SRST shutdown */
    li      a6, 0
    li      a0, 0
    li      a1, 0
    ecall
4:  j       4b

/* print(a0 = string): returns with jal s3; no stack, no memory but this page */
print:
    mv      s4, a0
5:  lbu     a0, 0(s4)
    beqz    a0, 6f
    li      a7, 1                 /* legacy console_putchar */
    ecall
    addi    s4, s4, 1
    j       5b
6:  jr      s3

all_right:      .asciz "survivor: the hypervisor still answers right: SBI 2.0, HSM present, hart 0 started; the pattern is intact\n"
fail_prefix:    .asciz "FAIL survivor: "
wrong_version:  .asciz "wrong answer to get_spec_version\n"
wrong_probe:    .asciz "wrong answer to probe_extension(HSM)\n"
wrong_status:   .asciz "wrong answer to hart_get_status(0)\n"
pattern_gone:   .asciz "the pattern was overwritten\n"
