/*
 * The guest's floating-point registers, saved and put back for a snapshot.
 *
 * The hypervisor is built for integer registers only (-march=rv64imac), so
 * the FP registers always hold the guest's values, even while we run. The
 * instructions are enabled for this file alone; sstatus.FS is on (vcpu.cpp).
 *
 * save_fp_state(FpState*): f0..f31 then fcsr;  load_fp_state(const FpState*).
 */
    .option push
    .option arch, +d

    .section .text
    .global save_fp_state
save_fp_state:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fsd     f\n, (\n * 8)(a0)
    .endr
    frcsr   t0
    sd      t0, (32 * 8)(a0)
    ret

    .global load_fp_state
load_fp_state:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fld     f\n, (\n * 8)(a0)
    .endr
    ld      t0, (32 * 8)(a0)
    fscsr   t0
    ret

    .option pop
