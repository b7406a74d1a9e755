#include "vcpu.hpp"

#include "print.hpp"
#include "riscv.hpp"
#include "trap.hpp"

// world_switch.S
extern "C" void enter_guest(GuestContext* context);
extern "C" char vm_exit_vector[];

Vcpu::Vcpu(uint64_t entry, uint64_t stack_pointer) : pc(entry) {
    reg(sp) = stack_pointer;
    reg(a0) = 0;

    // Every trap, from the guest or from us, goes to the VM-exit vector.
    riscv::write_sscratch(0);
    riscv::write_stvec(reinterpret_cast<uint64_t>(vm_exit_vector));

    // Nothing is delegated: there is no guest kernel to take an exception.
    // The program's system calls (ecall from VU), page faults, illegal
    // instructions and breakpoints all come to us.
    riscv::write_hedeleg(0);
    riscv::write_hideleg(0);
    riscv::write_hvip(0);

    // No translation of the guest's own: its addresses are guest physical
    // ones, which our G-stage table maps.
    riscv::write_vsatp(0);
    // Floating point on, at both levels: glibc uses it (printf, memcpy...).
    riscv::write_vsstatus(riscv::sstatus_bits::FS_INITIAL);
    riscv::set_sstatus(riscv::sstatus_bits::FS_INITIAL);

    // The program may read `time` (rdtime), as it may under Linux: VU-mode
    // needs both our counter-enable and the guest's own.
    riscv::write_hcounteren(riscv::HCOUNTEREN_TIME);
    riscv::write_scounteren(riscv::HCOUNTEREN_TIME);

    // Our own timer (watchdog.hpp, for TIMEOUT=) is Sstc's stimecmp. The
    // firmware enables it for us if the CPU has it; henvcfg.STCE can be
    // set only then.
    riscv::set_henvcfg(riscv::HENVCFG_STCE);
    if (!(riscv::read_henvcfg() & riscv::HENVCFG_STCE))
        PANIC("this CPU has no Sstc: the hypervisor would have no timer for TIMEOUT=");
    riscv::write_vstimecmp(~0ull);
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

    // Every exit needs its cause and pc. A system call needs nothing more,
    // so the other CSRs are read only for the other exits: under QEMU each
    // CSR access costs about a tenth of a microsecond, and system calls are
    // most of the exits.
    VmExit exit{riscv::read_scause(), riscv::read_sepc(), 0, 0, 0, true};
    if (exit.scause != static_cast<uint64_t>(trap::Cause::EcallFromUser)) {
        exit.stval = riscv::read_stval();
        exit.htval = riscv::read_htval();
        exit.htinst = riscv::read_htinst();
        exit.from_user = (riscv::read_hstatus() & SPVP) == 0;  // the trap wrote the guest's mode there
    }
    pc = exit.sepc;
    user_mode = exit.from_user;
    return exit;
}

bool Vcpu::fetch_instruction(uint32_t& instruction) const {
    // Two halves, so that a 32-bit instruction may straddle a page boundary.
    uint16_t low = 0, high = 0;
    if (!riscv::hlvx_hu(pc, low)) return false;
    if ((low & 3) == 3 && !riscv::hlvx_hu(pc + 2, high)) return false;
    instruction = uint32_t{high} << 16 | low;
    return true;
}
