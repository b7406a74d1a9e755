/*
 * The first bytes of every test guest: a RISC-V Linux Image header, so that
 * final/ boots the guest exactly as it boots a kernel (same checks, same
 * loading path), then the entry point and the trap vector.
 *
 * The hypervisor starts us like Linux: VS-mode, MMU off, a0 = hart id,
 * a1 = address of the device tree.
 */
    .section .text.header, "ax"
    .global _start
_start:
    .option push
    .option norvc                 /* code0 and code1 are 4 bytes each */
    j       entry                 /* code0: jump over the header */
    nop                           /* code1 */
    .option pop
    .quad   0x200000              /* text_offset: where in RAM, from its start */
    .quad   __image_size          /* image_size: .bss and stack included */
    .quad   0                     /* flags: little-endian */
    .word   2                     /* version 0.2 */
    .word   0                     /* reserved */
    .quad   0                     /* reserved */
    .ascii  "RISCV\0\0\0"         /* magic (deprecated, still checked) */
    .byte   'R', 'S', 'C', 5      /* magic2 */
    .word   0                     /* reserved */

    /*
     * Offset 0x40: what the test wants this guest to do. The test writes a
     * copy of the Image with these 32 bytes filled in (an action name, and
     * an address); see guest.hpp.
     */
    .global test_arguments
test_arguments:
    .space  32

entry:
    la      sp, __stack_top
    la      t0, __bss_start       /* the hypervisor zeroes RAM; don't count on it */
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  call    guest_main            /* a0 = hart id, a1 = device tree */
    tail    power_off

/*
 * The guest's own trap vector (for the guests that install one, with
 * install_trap_handler): save every register in a TrapFrame on the stack,
 * let C++ look at it (and move sepc), restore, sret.
 */
#define FRAME_SIZE (33 * 8)       /* x0..x31, sepc */
    .text
    .balign 4
    .global trap_vector
trap_vector:
    addi    sp, sp, -FRAME_SIZE
    .irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd      x\n, (\n * 8)(sp)
    .endr
    addi    t0, sp, FRAME_SIZE    /* the sp the trap interrupted */
    sd      t0, (2 * 8)(sp)
    csrr    t0, sepc
    sd      t0, (32 * 8)(sp)
    mv      a0, sp
    call    guest_trap            /* guest.cpp */
    ld      t0, (32 * 8)(sp)
    csrw    sepc, t0
    .irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld      x\n, (\n * 8)(sp)
    .endr
    addi    sp, sp, FRAME_SIZE
    sret
