#include "sbi_guest.hpp"

#include "debug_console.hpp"
#include "hart.hpp"
#include "hsm.hpp"
#include "memlayout.hpp"
#include "print.hpp"
#include "riscv.hpp"
#include "sbi.hpp"

namespace {

using sbi::Error;
using sbi::Extension;

constexpr long SPEC_VERSION_2_0 = 2 << 24;  // major << 24 | minor
constexpr long IMPLEMENTATION_ID = 0x4856;  // "HV": not one of the registered ids
constexpr long IMPLEMENTATION_VERSION = 1;

LogLimit unsupported_log{"SBI calls not supported"};

bool implemented(long extension) {
    switch (static_cast<Extension>(extension)) {
        case Extension::LegacySetTimer:
        case Extension::LegacyConsolePutchar:
        case Extension::LegacyConsoleGetchar:
        case Extension::LegacyClearIpi:
        case Extension::LegacySendIpi:
        case Extension::LegacyRemoteFenceI:
        case Extension::LegacyRemoteSfenceVma:
        case Extension::LegacyRemoteSfenceVmaAsid:
        case Extension::LegacyShutdown:
        case Extension::Base:
        case Extension::Time:
        case Extension::Ipi:
        case Extension::Rfence:
        case Extension::Hsm:
        case Extension::SystemReset:
        case Extension::DebugConsole:
            return true;
    }
    return false;
}

// The vCPUs a hart mask names (mask, base; base -1: all that can take an
// IPI), as bits by hart id. False if it names one that does not exist, or
// is not started (stopped, or starting): the spec's INVALID_PARAM for a
// hart "not available to the supervisor". The spec says nothing of those
// states; OpenSBI answers so today (its 1.1 and 1.5, QEMU's, skip such
// harts), and sends nothing then, as we do. An empty mask is no error,
// whatever its base: the spec since 3.0 and OpenSBI today.
bool targets(uint64_t mask, uint64_t base, uint64_t& harts) {
    harts = 0;
    if (base == ~0ull) {
        for (uint64_t id = 0; id < memlayout::MAX_HARTS; id++)
            if (hsm::interruptible(id)) harts |= 1ull << id;
        return true;
    }
    for (uint64_t bit = 0; bit < 64; bit++) {
        if (!(mask >> bit & 1)) continue;
        const uint64_t id = base + bit;
        if (id < base || !hsm::interruptible(id)) return false;  // id < base: past 2^64
        harts |= 1ull << id;
    }
    return true;
}

// The guest's timer: Sstc compares `time` with vstimecmp in hardware and
// raises the guest's timer interrupt itself; we only store the deadline.
void set_timer(uint64_t deadline) { riscv::write_vstimecmp(deadline); }

SbiResult base(long function, uint64_t arg0) {
    switch (function) {
        case 0: return {Error::Success, SPEC_VERSION_2_0};
        case 1: return {Error::Success, IMPLEMENTATION_ID};
        case 2: return {Error::Success, IMPLEMENTATION_VERSION};
        case 3: return {Error::Success, implemented(static_cast<long>(arg0)) ? 1 : 0};
        case 4:  // mvendorid
        case 5:  // marchid
        case 6:  // mimpid
            return {Error::Success, 0};
        default: return {Error::NotSupported};
    }
}

// Each target hart sets the pending bit of its own guest (our IPI, if it
// is another): no need to wait for it. But a kick costs the target's
// guest some 25 to 40 us (a trap into the firmware, a VM exit and back),
// and a vCPU that sent IPIs in a loop would take most of another's time.
// So a hart gets 100 us of its guest's time after each guest IPI before it
// is kicked for the next: a sender that comes sooner waits, in its own VM
// exit. And an IPI that finds the last one still on its way merges with
// it, as two IPIs do in the guest's one pending bit.
SbiResult ipi(long function, uint64_t mask, uint64_t base) {
    constexpr uint64_t GUEST_TIME_BETWEEN_KICKS = 1000;  // ticks of the 10 MHz `time`: 100 us
    if (function != 0) return {Error::NotSupported};
    uint64_t harts = 0;
    if (!targets(mask, base, harts)) return {Error::InvalidParam};
    for (uint64_t id = 0; id < 64; id++) {
        if (!(harts >> id & 1)) continue;
        hart::Hart& target = *hart::find(id);
        if (&target != &hart::current()) {
            if (__atomic_fetch_or(&target.requests, hart::GuestIpi, __ATOMIC_SEQ_CST) & hart::GuestIpi)
                continue;  // on its way
            while (riscv::read_time() - __atomic_load_n(&target.guest_ipi_at, __ATOMIC_RELAXED) <
                   GUEST_TIME_BETWEEN_KICKS)
                hart::serve();  // what others ask of us, meanwhile
        }
        hart::ask(target, hart::GuestIpi);
    }
    return {Error::Success};
}

// A fence is done by each target hart on itself; the guest may count on it
// when the call returns, so we wait for every answer. A whole flush answers
// any range or address space (ASID) asked for.
SbiResult rfence(long function, uint64_t mask, uint64_t base) {
    if (function > 2) return {Error::NotSupported};  // the HFENCEs: no nested guests
    uint64_t harts = 0;
    if (!targets(mask, base, harts)) return {Error::InvalidParam};
    uint64_t tickets[64];
    const uint32_t request = function == 0 ? hart::FenceI : hart::FlushTlb;
    for (uint64_t id = 0; id < 64; id++)
        if (harts >> id & 1) tickets[id] = hart::ask(*hart::find(id), request);
    for (uint64_t id = 0; id < 64; id++)
        if (harts >> id & 1) hart::wait(*hart::find(id), tickets[id]);
    return {Error::Success};
}

}  // namespace

SbiOutcome handle_sbi_call(Vcpu& vcpu, const GuestMemory& memory) {
    const long extension = static_cast<long>(vcpu.reg(a7));
    const long function = static_cast<long>(vcpu.reg(a6));
    const uint64_t arg0 = vcpu.reg(a0), arg1 = vcpu.reg(a1), arg2 = vcpu.reg(a2);
    vcpu.pc += 4;  // the continuation: the guest goes on after its ecall

    auto legacy = [&](long value) {
        vcpu.reg(a0) = static_cast<uint64_t>(value);
        return SbiOutcome::Continue;
    };
    SbiResult result{Error::NotSupported};
    switch (static_cast<Extension>(extension)) {
        case Extension::LegacySetTimer: set_timer(arg0); return legacy(0);
        case Extension::LegacyConsolePutchar: {
            Locked guard(console_lock);
            sbi::console_putchar(static_cast<char>(arg0));
            return legacy(0);
        }
        case Extension::LegacyConsoleGetchar: {
            Locked guard(console_lock);
            return legacy(sbi::console_getchar());
        }
        case Extension::LegacyClearIpi:
            riscv::clear_hvip(riscv::guest_interrupt::SOFTWARE);
            return legacy(0);
        // v0.1's hart mask is the address of one in the guest's virtual
        // memory; our kernels never use these calls: we send to every hart,
        // which only adds an IPI or a fence that nobody asked for.
        case Extension::LegacySendIpi: ipi(0, 0, ~0ull); return legacy(0);
        case Extension::LegacyRemoteFenceI: rfence(0, 0, ~0ull); return legacy(0);
        case Extension::LegacyRemoteSfenceVma:
        case Extension::LegacyRemoteSfenceVmaAsid: rfence(1, 0, ~0ull); return legacy(0);
        case Extension::LegacyShutdown: return SbiOutcome::PowerOff;

        case Extension::Base: result = base(function, arg0); break;
        case Extension::Time:
            if (function == 0) set_timer(arg0), result = {Error::Success};
            break;
        case Extension::Ipi: result = ipi(function, arg0, arg1); break;
        case Extension::Rfence: result = rfence(function, arg0, arg1); break;
        case Extension::Hsm:
            if (function > 3) break;
            return hsm::call(vcpu, function, memory);
        case Extension::DebugConsole:
            result = debug_console::call(memory, function, arg0, arg1, arg2);
            break;
        case Extension::SystemReset:
            if (function == 0 && arg0 == 0) return SbiOutcome::PowerOff;
            if (function == 0 && (arg0 == 1 || arg0 == 2)) return SbiOutcome::Reboot;
            result = {function == 0 ? Error::InvalidParam : Error::NotSupported};
            break;
    }
    if (result.error == Error::NotSupported && unsupported_log.count())
        println("[hypervisor] SBI call not supported: extension {:#x}, function {}", extension,
                function);
    vcpu.reg(a0) = static_cast<uint64_t>(result.error);
    vcpu.reg(a1) = static_cast<uint64_t>(result.value);
    return SbiOutcome::Continue;
}

uint64_t unsupported_sbi_calls() { return unsupported_log.total(); }
