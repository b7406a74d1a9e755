/*
 * long take_scribble_restore(void): the register half of snapshot.cpp's
 * "scribble" test, in assembly because C++ cannot set every register.
 *
 * It puts a known pattern in every register it can (x1..x31 but the four
 * the call uses, f0..f31, fcsr), takes a snapshot (beyond/snapshot's
 * hypercall, function 0), and then:
 *
 *   first return (a1 = 0): calls scribble() (C++: memory, CSRs, devices),
 *     puts other values in every register, and asks for a restore, which
 *     does not return. If it does, returns -1.
 *   resumed from the snapshot (a1 = 1): stores every register as it found
 *     it in resumed_x[] (x0..x31) and resumed_f[] (f0..f31, then fcsr),
 *     and returns 1, for C++ to compare with the patterns.
 *
 * The C++ caller's registers are kept in cpp_context meanwhile (not on the
 * stack: sp holds a pattern too). sp's pattern is the end of resumed_x[],
 * so that the resumed path can store through it at once.
 */
#define SNAPSHOT_EXTENSION 0x0A004856
#define X_PATTERN(n) ((0x5a5a << 48) + (n))
#define F_PATTERN(n) ((0xf1f1 << 48) + (n))
#define X_OTHER(n) ((0xdead << 48) + (n))
#define F_OTHER(n) ((0xbeef << 48) + (n))
#define FCSR_PATTERN 0x41   /* frm 2 (round down), fflags NX */
#define FCSR_OTHER 0x9f     /* frm 4, all flags */

    .bss
    .balign 8
cpp_context:    .space 16 * 8           /* ra, sp, gp, tp, s0..s11 */
    .global resumed_x, resumed_x_end, resumed_f
resumed_x:      .space 32 * 8
resumed_x_end:
resumed_f:      .space 33 * 8

    .text
    .global take_scribble_restore
take_scribble_restore:
    la      t0, cpp_context
    sd      ra, 0(t0)
    sd      sp, 8(t0)
    sd      gp, 16(t0)
    sd      tp, 24(t0)
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
    sd      s\n, (32 + \n * 8)(t0)
    .endr

    /* The patterns: FP first (through t0), then the integer registers. */
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    li      t0, F_PATTERN(\n)
    fmv.d.x f\n, t0
    .endr
    li      t0, FCSR_PATTERN
    fscsr   t0
    la      sp, resumed_x_end
    .irp n, 1,3,4,5,6,7,8,9,12,13,14,15,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    li      x\n, X_PATTERN(\n)
    .endr
    li      a7, SNAPSHOT_EXTENSION
    li      a6, 0                       /* take */
    li      a0, 0
    li      a1, 0
    ecall
    bnez    a1, resumed

    /* The first return: C++ scribbles over memory, CSRs and the UART... */
    call    load_cpp_context
    call    scribble
    /* ... and over every register. */
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    li      t0, F_OTHER(\n)
    fmv.d.x f\n, t0
    .endr
    li      t0, FCSR_OTHER
    fscsr   t0
    .irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    li      x\n, X_OTHER(\n)
    .endr
    li      a7, SNAPSHOT_EXTENSION
    li      a6, 1                       /* restore: does not return */
    ecall
    call    load_cpp_context
    li      a0, -1
    ret

resumed:
    .irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd      x\n, (\n * 8 - 32 * 8)(sp)
    .endr
    la      t0, resumed_f
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fsd     f\n, (\n * 8)(t0)
    .endr
    frcsr   t1
    sd      t1, (32 * 8)(t0)
    call    load_cpp_context
    li      a0, 1
    ret

/* The C++ caller's registers back, but ra: the return address of this call. */
load_cpp_context:
    la      t0, cpp_context
    ld      sp, 8(t0)
    ld      gp, 16(t0)
    ld      tp, 24(t0)
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
    ld      s\n, (32 + \n * 8)(t0)
    .endr
    mv      t1, ra
    ld      ra, 0(t0)
    jr      t1
