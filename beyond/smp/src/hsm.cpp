#include "hsm.hpp"

#include "hart.hpp"
#include "memlayout.hpp"
#include "riscv.hpp"
#include "spinlock.hpp"

namespace hsm {
namespace {

using sbi::Error;

// The SBI's numbers for a hart's state. STOP_PENDING and SUSPEND_PENDING
// never show: here those changes take one step.
enum State : long { Started = 0, Stopped = 1, StartPending = 2, Suspended = 4 };
// hart_suspend's default types; the others are reserved, or the
// platform's own, and this platform has none.
constexpr uint64_t RETENTIVE = 0, NON_RETENTIVE = 0x8000'0000;

struct Life {
    State state = Stopped;
    Start start{};
};
Life lives[memlayout::MAX_HARTS];
SpinLock lock;  // for every vCPU's life: its changes are few and short

void set_state(uint64_t hart, State state) {
    Locked guard(lock);
    lives[hart].state = state;
}

bool in_ram(const GuestMemory& memory, uint64_t address) {
    return memory.host_pointer(address, 2) != nullptr;  // room for an instruction, at least
}

SbiResult hart_start(uint64_t hart, uint64_t address, uint64_t opaque, const GuestMemory& memory) {
    if (hart::find(hart) == nullptr) return {Error::InvalidParam};
    if (!in_ram(memory, address)) return {Error::InvalidAddress};  // before the state, as OpenSBI
    Locked guard(lock);
    Life& life = lives[hart];
    if (life.state == Started) return {Error::AlreadyAvailable};
    // Still starting, or suspended: the spec says nothing. OpenSBI answers
    // INVALID_PARAM to the start of a hart in any state but stopped and
    // started, and so do we.
    if (life.state != Stopped) return {Error::InvalidParam};
    life = {StartPending, {address, opaque}};
    hart::ask(*hart::find(hart), hart::Wake);
    return {Error::Success};
}

// The spec lets a stop fail. Ours fails for the last vCPU that is not
// stopped: none would be left to start another, and the machine would idle
// for ever.
SbiResult hart_stop(uint64_t self) {
    Locked guard(lock);
    for (uint64_t other = 0; other < memlayout::MAX_HARTS; other++) {
        if (other != self && hart::find(other) != nullptr && lives[other].state != Stopped) {
            lives[self].state = Stopped;
            return {Error::Success};
        }
    }
    return {Error::Failed};
}

// Wait as a wfi does: until an interrupt of the guest's is pending and
// enabled in its sie, whatever its sstatus.SIE says. Its timer, or its
// software interrupt, which other harts' IPIs set (hart::serve).
void wait_for_guest_interrupt() {
    using namespace riscv::guest_interrupt;
    for (;; hart::idle()) {
        hart::serve();
        uint64_t pending = riscv::read_hvip();
        if (riscv::read_time() >= riscv::read_vstimecmp()) pending |= TIMER;
        if (pending & (riscv::read_vsie() << 1) & (SOFTWARE | TIMER)) return;  // vsie: one place lower
    }
}

SbiResult hart_suspend(uint64_t type, uint64_t resume_address, const GuestMemory& memory) {
    type &= 0xffff'ffff;  // the type is 32 bits wide
    if (type != RETENTIVE && type != NON_RETENTIVE) return {Error::InvalidParam};
    if (type == NON_RETENTIVE && !in_ram(memory, resume_address)) return {Error::InvalidAddress};
    set_state(hart::current().id, Suspended);
    wait_for_guest_interrupt();
    set_state(hart::current().id, Started);
    return {Error::Success};
}

// After a non-retentive suspend the vCPU starts again, at the address it
// gave, as after a hart_start: MMU off, interrupts off, a0 and a1 set.
void resume_at(Vcpu& vcpu, uint64_t address, uint64_t opaque) {
    vcpu.pc = address;
    vcpu.reg(a0) = hart::current().id;
    vcpu.reg(a1) = opaque;
    riscv::write_vsatp(0);
    riscv::clear_vsstatus(riscv::sstatus_bits::SIE);
}

}  // namespace

void start_boot_vcpu(uint64_t hart, Start start) { lives[hart] = {StartPending, start}; }

Start wait_until_started() {
    for (;; hart::idle()) {
        hart::serve();  // before looking: an IPI that comes after it ends the idle
        Locked guard(lock);
        Life& life = lives[hart::current().id];
        if (life.state == StartPending) {
            life.state = Started;
            return life.start;
        }
    }
}

bool interruptible(uint64_t hart) {
    if (hart::find(hart) == nullptr) return false;
    Locked guard(lock);
    return lives[hart].state == Started || lives[hart].state == Suspended;
}

SbiOutcome call(Vcpu& vcpu, long function, const GuestMemory& memory) {
    const uint64_t arg0 = vcpu.reg(a0), arg1 = vcpu.reg(a1), arg2 = vcpu.reg(a2);
    SbiResult result{Error::NotSupported};
    switch (function) {
        case 0: result = hart_start(arg0, arg1, arg2, memory); break;
        case 1:
            result = hart_stop(hart::current().id);
            if (result.error == Error::Success) return SbiOutcome::HartStopped;
            break;
        case 2:  // hart_get_status
            result = {Error::InvalidParam};
            if (hart::find(arg0) != nullptr) {
                Locked guard(lock);
                result = {Error::Success, lives[arg0].state};
            }
            break;
        case 3:
            result = hart_suspend(arg0, arg1, memory);
            if (result.error == Error::Success && (arg0 & 0xffff'ffff) == NON_RETENTIVE) {
                resume_at(vcpu, arg1, arg2);
                return SbiOutcome::Continue;
            }
            break;
    }
    vcpu.reg(a0) = static_cast<uint64_t>(result.error);
    vcpu.reg(a1) = static_cast<uint64_t>(result.value);
    return SbiOutcome::Continue;
}

}  // namespace hsm
