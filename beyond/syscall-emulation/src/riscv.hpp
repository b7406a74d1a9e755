// One small inline function per RISC-V instruction or CSR we use.
#pragma once
#include <stdint.h>

namespace riscv {

// Wait for interrupt: park the hart cheaply.
inline void wfi() { asm volatile("wfi"); }

// The `time` counter: 10 MHz on QEMU's virt machine.
inline uint64_t read_time() {
    uint64_t ticks;
    asm volatile("rdtime %0" : "=r"(ticks));
    return ticks;
}

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

// read_NAME(), write_NAME(value), set_NAME(bits) and clear_NAME(bits)
// for a control and status register.
#define RISCV_CSR(name)                                                          \
    inline uint64_t read_##name() {                                              \
        uint64_t value;                                                          \
        asm volatile("csrr %0, " #name : "=r"(value));                           \
        return value;                                                            \
    }                                                                            \
    inline void write_##name(uint64_t value) {                                   \
        asm volatile("csrw " #name ", %0" ::"r"(value) : "memory");              \
    }                                                                            \
    inline void set_##name(uint64_t bits) {                                      \
        asm volatile("csrs " #name ", %0" ::"r"(bits) : "memory");               \
    }                                                                            \
    inline void clear_##name(uint64_t bits) {                                    \
        asm volatile("csrc " #name ", %0" ::"r"(bits) : "memory");               \
    }

// ---- Supervisor CSRs: the hypervisor's own, or the guest's exit details ----

RISCV_CSR(sstatus)   // privilege and interrupt state
RISCV_CSR(sie)       // which of our own interrupts are enabled
RISCV_CSR(stimecmp)  // our own timer (Sstc): interrupt when time >= stimecmp
RISCV_CSR(stvec)     // where traps go: our VM-exit vector
RISCV_CSR(sscratch)  // the vCPU's context while the guest runs, 0 otherwise
RISCV_CSR(sepc)      // the pc a trap came from; where sret returns to
RISCV_CSR(scause)    // why we trapped
RISCV_CSR(stval)     // the faulting address (or instruction)
RISCV_CSR(scounteren)  // which counters user mode may read (the guest's VU-mode too)

// Also the bits of the guest's own vsstatus, at the same places.
namespace sstatus_bits {
inline constexpr uint64_t SIE = 1ull << 1;         // interrupts on (in supervisor mode)
inline constexpr uint64_t SPIE = 1ull << 5;        // SIE before the last trap; sret restores it
inline constexpr uint64_t SPP = 1ull << 8;         // sret returns to S-mode (VS with SPV)
inline constexpr uint64_t FS_INITIAL = 1ull << 13;  // floating point on
inline constexpr uint64_t MXR = 1ull << 19;         // loads may read execute-only pages
}  // namespace sstatus_bits

// ---- Hypervisor (H) extension ----

RISCV_CSR(hstatus)  // hypervisor status: where sret goes, guest XLEN
RISCV_CSR(hedeleg)  // which guest exceptions go straight to the guest
RISCV_CSR(htval)    // guest physical address of a guest page fault, >> 2
RISCV_CSR(htinst)   // the trapping instruction, transformed (0 if unknown)
RISCV_CSR(hgatp)    // the guest's physical address translation (G-stage) root
RISCV_CSR(hideleg)     // which guest interrupts go straight to the guest
RISCV_CSR(hvip)        // interrupts we inject into the guest
RISCV_CSR(hcounteren)  // which counters (time) the guest may read
RISCV_CSR(henvcfg)     // guest environment: Sstc timer on or off
RISCV_CSR(vsstatus)    // the guest's own sstatus
RISCV_CSR(vsatp)       // the guest's own page table root
RISCV_CSR(vstvec)      // the guest's own trap handler
RISCV_CSR(vsepc)       // ... and the trap details it reads there
RISCV_CSR(vscause)
RISCV_CSR(vstval)
RISCV_CSR(vstimecmp)   // the guest's timer: interrupt when time >= vstimecmp

namespace hstatus_bits {
inline constexpr uint64_t SPV = 1ull << 7;   // sret enters the guest (V=1)
inline constexpr uint64_t SPVP = 1ull << 8;  // the guest was in VS-mode (for hlv/hsv)
inline constexpr uint64_t VSXL_64 = 2ull << 32;
}  // namespace hstatus_bits

// Guest interrupts (hideleg, hvip): software, timer, external.
namespace guest_interrupt {
inline constexpr uint64_t SOFTWARE = 1ull << 2;  // VSSIP
inline constexpr uint64_t TIMER = 1ull << 6;     // VSTIP
inline constexpr uint64_t EXTERNAL = 1ull << 10;  // VSEIP
}  // namespace guest_interrupt

inline constexpr uint64_t SIE_STIE = 1ull << 5;  // our timer interrupt (stimecmp)
inline constexpr uint64_t SIE_SEIE = 1ull << 9;  // our devices' interrupts, through the PLIC
inline constexpr uint64_t HCOUNTEREN_TIME = 1ull << 1;
inline constexpr uint64_t HENVCFG_STCE = 1ull << 63;  // Sstc: vstimecmp works

// Forget every cached guest-physical translation. GCC 12 rejects the H
// extension in -march, so the instruction is enabled just for this asm.
inline void hfence_gvma_all() {
    asm volatile(".option push\n.option arch, +h\nhfence.gvma zero, zero\n.option pop" ::: "memory");
}

// Forget the guest's own cached translations (its sfence.vma, done for it).
inline void hfence_vvma_all() {
    asm volatile(".option push\n.option arch, +h\nhfence.vvma zero, zero\n.option pop" ::: "memory");
}

inline void fence_i() { asm volatile("fence.i" ::: "memory"); }

// Read 16 bits of guest memory as instruction fetch would: through the
// guest's own page table (vsatp) and ours (hgatp), with execute permission.
// Returns false if that address cannot be read.
//
// It can fail: the guest owns its page table, and may have unmapped the
// page since it ran the instruction (the CPU may still use the old
// translation until the guest's sfence.vma). The fault must not reach our
// trap vector, which takes any trap of ours for a bug: for this one
// instruction, stvec points just past it, so a fault lands there with
// `value` still all ones. A try/catch of the hypervisor's own.
//
// sstatus.MXR ("make executable readable") is on for the read because
// QEMU 7.2's hlvx wrongly asks for read permission besides execute: without
// it, code on an execute-only guest page could not be read.
inline bool hlvx_hu(uint64_t guest_virtual, uint16_t& halfword) {
    uint64_t value = ~0ull, saved_stvec;
    set_sstatus(sstatus_bits::MXR);
    asm volatile(
        ".option push\n.option arch, +h\n"
        "   la      %1, 1f\n"
        "   csrrw   %1, stvec, %1\n"  // a fault in hlvx.hu goes to 1:
        "   hlvx.hu %0, (%2)\n"
        "   .balign 4\n"             // stvec needs a 4-byte aligned address
        "1: csrw    stvec, %1\n"
        ".option pop"
        : "+&r"(value), "=&r"(saved_stvec)
        : "r"(guest_virtual)
        : "memory");
    clear_sstatus(sstatus_bits::MXR);
    halfword = static_cast<uint16_t>(value);
    return value != ~0ull;
}

}  // namespace riscv
