#include "vcpu.hpp"

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

    // The guest starts as a CPU out of reset: its MMU off, its status clear.
    riscv::write_vsatp(0);
    riscv::write_vsstatus(0);
    // The guest may use the FPU only if it is on at our level too.
    riscv::set_sstatus(riscv::sstatus_bits::FS_INITIAL);

    // The guest's timer, without a VM exit per tick: it may read `time`
    // (hcounteren), Sstc raises its timer interrupt when time >= vstimecmp
    // (henvcfg.STCE), and its interrupts go straight to it (hideleg).
    riscv::write_hcounteren(riscv::HCOUNTEREN_TIME);
    riscv::set_henvcfg(riscv::HENVCFG_STCE);
    riscv::write_vstimecmp(~0ull);  // no timer interrupt until it asks for one
    riscv::write_hideleg(riscv::guest_interrupt::SOFTWARE | riscv::guest_interrupt::TIMER |
                         riscv::guest_interrupt::EXTERNAL);
    riscv::write_hvip(0);
}

VmExit Vcpu::run() {
    // sret goes to the guest (SPV) in its supervisor mode (SPP), at pc.
    riscv::write_hstatus(riscv::hstatus_bits::SPV | riscv::hstatus_bits::SPVP |
                         riscv::hstatus_bits::VSXL_64);
    riscv::set_sstatus(riscv::sstatus_bits::SPP);
    riscv::write_sepc(pc);

    enter_guest(&context);  // returns at the next VM exit

    VmExit exit{riscv::read_scause(), riscv::read_sepc(), riscv::read_stval(),
                riscv::read_htval(), riscv::read_htinst()};
    pc = exit.sepc;
    return exit;
}
