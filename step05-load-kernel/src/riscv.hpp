// One small inline function per RISC-V instruction or CSR we use.
#pragma once
#include <stdint.h>

namespace riscv {

// Wait for interrupt: park the hart cheaply.
inline void wfi() { asm volatile("wfi"); }

// ecall: call down to the firmware (OpenSBI) running in M-mode.
struct SbiRet {
    long error;
    long value;
};

inline SbiRet ecall(long ext, long fid, unsigned long arg0 = 0, unsigned long arg1 = 0,
                     unsigned long arg2 = 0) {
    register unsigned long a0 asm("a0") = arg0;
    register unsigned long a1 asm("a1") = arg1;
    register unsigned long a2 asm("a2") = arg2;
    register unsigned long a6 asm("a6") = fid;
    register unsigned long a7 asm("a7") = ext;
    asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a6), "r"(a7) : "memory");
    return {static_cast<long>(a0), static_cast<long>(a1)};
}

// ---- Hypervisor (H) extension ----

// hgatp: the guest's physical address translation (G-stage) root.
inline uint64_t read_hgatp() {
    uint64_t value;
    asm volatile("csrr %0, hgatp" : "=r"(value));
    return value;
}
inline void write_hgatp(uint64_t value) { asm volatile("csrw hgatp, %0" ::"r"(value) : "memory"); }

// Forget every cached guest-physical translation. GCC 12 rejects the H
// extension in -march, so the instruction is enabled just for this asm.
inline void hfence_gvma_all() {
    asm volatile(".option push\n.option arch, +h\nhfence.gvma zero, zero\n.option pop" ::: "memory");
}

}  // namespace riscv
