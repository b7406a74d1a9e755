#include "vcpu.hpp"

#include "print.hpp"
#include "riscv.hpp"
#include "trap.hpp"

// world_switch.S
extern "C" void enter_guest(GuestContext* context);
extern "C" char vm_exit_vector[];

Vcpu::Vcpu(uint64_t entry, uint64_t hart_id, uint64_t device_tree) : pc(entry) {
    reg(a0) = hart_id;
    reg(a1) = device_tree;

    // Every trap, from the guest or from us, goes to the VM-exit vector.
    riscv::write_sscratch(0);
    riscv::write_stvec(reinterpret_cast<uint64_t>(vm_exit_vector));

    // The guest handles its own page faults, breakpoints and system calls.
    riscv::write_hedeleg(trap::GUEST_OWN_EXCEPTIONS);

    // The guest starts as a CPU out of reset: its MMU off, its status clear,
    // and nothing cached (a vCPU that was stopped missed the others' fences).
    riscv::write_vsatp(0);
    riscv::write_vsstatus(0);
    riscv::hfence_vvma_all();
    riscv::fence_i();
    // The guest may use the FPU only if it is on at our level too.
    riscv::set_sstatus(riscv::sstatus_bits::FS_INITIAL);

    // The guest's timer, without a VM exit per tick: it may read `time`
    // (hcounteren), Sstc raises its timer interrupt when time >= vstimecmp
    // (henvcfg.STCE), and its interrupts go straight to it (hideleg).
    riscv::write_hcounteren(riscv::HCOUNTEREN_TIME);
    riscv::set_henvcfg(riscv::HENVCFG_STCE);
    if (!(riscv::read_henvcfg() & riscv::HENVCFG_STCE))
        PANIC("this CPU has no Sstc: the guest would get no timer (and its shell no keys)");
    riscv::write_vstimecmp(~0ull);  // no timer interrupt until it asks for one
    riscv::write_hideleg(riscv::guest_interrupt::SOFTWARE | riscv::guest_interrupt::TIMER |
                         riscv::guest_interrupt::EXTERNAL);
    riscv::write_hvip(0);
}

VmExit Vcpu::run() {
    // sret goes to the guest (SPV), at pc, in the mode it was in when it
    // left: its kernel (SPP and, for hlvx, SPVP) or its user mode. Always
    // VS-mode would let a user program that touched a device come back
    // with the privileges of its kernel.
    using namespace riscv::hstatus_bits;
    riscv::write_hstatus(SPV | VSXL_64 | (user_mode ? 0 : SPVP));
    if (user_mode) riscv::clear_sstatus(riscv::sstatus_bits::SPP);
    else riscv::set_sstatus(riscv::sstatus_bits::SPP);
    riscv::write_sepc(pc);

    enter_guest(&context);  // returns at the next VM exit

    // Every exit needs its cause and pc. A hypercall needs nothing more (and
    // comes from VS-mode: hedeleg leaves the ecalls of VU to the guest), so
    // the other CSRs are read only for the other exits: under QEMU each CSR
    // access costs about a tenth of a microsecond, and hypercalls are most
    // of the exits.
    VmExit exit{riscv::read_scause(), riscv::read_sepc(), 0, 0, 0, false};
    if (exit.scause != static_cast<uint64_t>(trap::Cause::EcallFromGuest)) {
        exit.stval = riscv::read_stval();
        exit.htval = riscv::read_htval();
        exit.htinst = riscv::read_htinst();
        exit.from_user = (riscv::read_hstatus() & SPVP) == 0;  // the trap wrote the guest's mode there
    }
    pc = exit.sepc;
    user_mode = exit.from_user;
    return exit;
}

void Vcpu::inject_exception(uint64_t cause, uint64_t tval) {
    using namespace riscv::sstatus_bits;
    riscv::write_vsepc(pc);
    riscv::write_vscause(cause);
    riscv::write_vstval(tval);
    // Interrupts off in the handler, and what sret needs to undo the trap:
    // the interrupt state (SPIE) and the mode the guest came from (SPP).
    const uint64_t status = riscv::read_vsstatus();
    uint64_t trapped = status & ~(SIE | SPIE | SPP);
    if (status & SIE) trapped |= SPIE;
    if (!user_mode) trapped |= SPP;
    riscv::write_vsstatus(trapped);
    // Exceptions go to the handler's base address, whatever stvec's mode.
    pc = riscv::read_vstvec() & ~3ull;
    user_mode = false;
}

bool Vcpu::fetch_instruction(uint32_t& instruction) const {
    // Two halves, so that a 32-bit instruction may straddle a page boundary.
    uint16_t low = 0, high = 0;
    if (!riscv::hlvx_hu(pc, low)) return false;
    if ((low & 3) == 3 && !riscv::hlvx_hu(pc + 2, high)) return false;
    instruction = uint32_t{high} << 16 | low;
    return true;
}
