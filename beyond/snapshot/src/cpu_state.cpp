#include "cpu_state.hpp"

#include "riscv.hpp"

CpuState save_cpu(const Vcpu& vcpu) {
    CpuState s;
    for (int i = 0; i < 32; i++) s.x[i] = vcpu.context.x[i];
    s.pc = vcpu.pc;
    s.user_mode = vcpu.user_mode;
    save_fp_state(&s.fp);
    s.vsstatus = riscv::read_vsstatus();
    s.vsie = riscv::read_vsie();
    s.vstvec = riscv::read_vstvec();
    s.vsscratch = riscv::read_vsscratch();
    s.vsepc = riscv::read_vsepc();
    s.vscause = riscv::read_vscause();
    s.vstval = riscv::read_vstval();
    s.vsatp = riscv::read_vsatp();
    s.hvip = riscv::read_hvip();
    s.vstimecmp = riscv::read_vstimecmp();
    s.guest_time = riscv::read_time() + riscv::read_htimedelta();
    s.senvcfg = riscv::read_senvcfg();
    s.scounteren = riscv::read_scounteren();
    s.henvcfg = riscv::read_henvcfg();
    return s;
}

void load_cpu(Vcpu& vcpu, const CpuState& s) {
    for (int i = 0; i < 32; i++) vcpu.context.x[i] = s.x[i];
    vcpu.pc = s.pc;
    vcpu.user_mode = s.user_mode;
    load_fp_state(&s.fp);
    riscv::write_vsstatus(s.vsstatus);
    riscv::write_vsie(s.vsie);
    riscv::write_vstvec(s.vstvec);
    riscv::write_vsscratch(s.vsscratch);
    riscv::write_vsepc(s.vsepc);
    riscv::write_vscause(s.vscause);
    riscv::write_vstval(s.vstval);
    riscv::write_vsatp(s.vsatp);
    riscv::write_hvip(s.hvip);
    // The clock first, then the deadline that is compared with it.
    riscv::write_htimedelta(s.guest_time - riscv::read_time());
    riscv::write_vstimecmp(s.vstimecmp);
    riscv::write_senvcfg(s.senvcfg);
    riscv::write_scounteren(s.scounteren);
    riscv::write_henvcfg(s.henvcfg);
}
