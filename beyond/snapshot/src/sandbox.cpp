#include "sandbox.hpp"

#include "control.hpp"
#include "guest_console.hpp"
#include "host_console.hpp"
#include "sbi.hpp"

namespace {

constexpr uint64_t TICKS_PER_US = 10;  // QEMU virt's `time`: 10 MHz
constexpr long RESUMED = 1;            // take's a1 when the guest resumes from it

enum Function : long { Take = 0, Restore = 1, DirtyPages = 2, Restores = 3 };

}  // namespace

void Sandbox::hypercall(Vcpu& vcpu) {
    const long function = static_cast<long>(vcpu.reg(a6));
    vcpu.pc += 4;  // past the ecall, whatever the answer
    sbi::Error error = sbi::Error::Success;
    long value = 0;
    if (function < Take || function > Restores) error = sbi::Error::NotSupported;
    else if (function != Take && !snapshot_.taken()) error = sbi::Error::InvalidState;
    else if (function == Take) asked_ = Asked::Take;
    else if (function == Restore) asked_ = Asked::Restore;
    else if (function == DirtyPages) value = static_cast<long>(snapshot_.dirty_pages());
    else value = static_cast<long>(snapshot_.restores());
    vcpu.reg(a0) = static_cast<uint64_t>(error);
    vcpu.reg(a1) = static_cast<uint64_t>(value);
}

void Sandbox::between_exits(Vcpu& vcpu) {
    control::poll();  // the controller's frames, if it has a channel of its own
    if (guest_console::prompt_waiting()) {  // the shell's first prompt: ready
        take(vcpu, false);
        guest_console::release_prompt();
    }
    const Asked asked = asked_;
    asked_ = Asked::Nothing;
    if (asked == Asked::Take) take(vcpu, true);
    if (asked == Asked::Restore) restore(vcpu, false, true);
    // Commands, in the order typed; reading goes on after each.
    for (char key; (key = host_console::take_command()) != 0; host_console::read_on()) obey(vcpu, key);
}

void Sandbox::obey(Vcpu& vcpu, char key) {
    switch (key) {
        case 's': take(vcpu, false); return;
        case 'r': restore(vcpu, false, false); return;
        case 'f': restore(vcpu, true, false); return;
        case 'i':
            if (!snapshot_.taken()) {
                control::report("[snapshot] status none");
                return;
            }
            control::report("[snapshot] status pages={} dirty={} restores={} age_ms={}",
                            snapshot_.pages(), snapshot_.dirty_pages(), snapshot_.restores(),
                            (riscv::read_time() - snapshot_.taken_at()) / (1000 * TICKS_PER_US));
            return;
        default:
            control::report("[snapshot] refused reason=unknown-command key={:#x}",
                            static_cast<unsigned>(static_cast<uint8_t>(key)));
    }
}

void Sandbox::take(Vcpu& vcpu, bool by_guest) {
    const Snapshot::Cost cost = snapshot_.take(vcpu);
    if (by_guest) snapshot_.resume_with(a1, RESUMED);
    if (answer(by_guest))
        control::report("[snapshot] taken pages={} copied={} us={}", snapshot_.pages(),
                        cost.pages, cost.ticks / TICKS_PER_US);
    verify();
}

void Sandbox::restore(Vcpu& vcpu, bool full, bool by_guest) {
    if (!snapshot_.taken()) {  // (the guest's call was answered already)
        if (answer(by_guest)) control::report("[snapshot] refused reason=no-snapshot");
        return;
    }
    const Snapshot::Cost cost = full ? snapshot_.restore_full(vcpu) : snapshot_.restore(vcpu);
    if (answer(by_guest))
        control::report("[snapshot] restored pages={} us={} copy={}", cost.pages,
                        cost.ticks / TICKS_PER_US, full ? "full" : "dirty");
    verify();
}

bool Sandbox::answer(bool by_guest) { return !by_guest || guest_answers_.count(); }

// The debug check: all of guest RAM against the copy, after each snapshot
// and restore. A page that differs is a write the dirty log missed.
void Sandbox::verify() {
#ifdef SNAPSHOT_VERIFY
    const uint64_t start = riscv::read_time();
    uint64_t first = 0;
    const size_t differing = snapshot_.differing_pages(first);
    // The check's time is not the guest's: its clock stands still meanwhile.
    riscv::write_htimedelta(riscv::read_htimedelta() - (riscv::read_time() - start));
    if (differing == 0)
        control::report("[snapshot] verified pages={} differing=0", snapshot_.pages());
    else
        control::report("[snapshot] verified pages={} differing={} first={:#x}", snapshot_.pages(),
                        differing, first);
#endif
}
