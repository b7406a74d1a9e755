#include "sbi_guest.hpp"

#include "debug_console.hpp"
#include "guest_console.hpp"
#include "host_console.hpp"
#include "print.hpp"
#include "riscv.hpp"
#include "sbi.hpp"

namespace {

using sbi::Error;
using sbi::Extension;

constexpr long SPEC_VERSION_2_0 = 2 << 24;  // major << 24 | minor
constexpr long IMPLEMENTATION_ID = 0x4856;  // "HV": not one of the registered ids
constexpr long IMPLEMENTATION_VERSION = 1;
constexpr uint64_t HART_ID = 0;             // our guest has one hart

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
        case Extension::Snapshot:
            return true;
    }
    return false;
}

// Does a hart mask (SBI v0.2 style: mask, base) name only harts we have?
// A base of -1 means "all harts".
bool valid_hart_mask(uint64_t mask, uint64_t base) {
    if (base == ~0ull) return true;
    if (base > HART_ID) return mask == 0;
    return (mask >> (HART_ID - base)) <= 1;  // no bit above our hart's
}

bool names_our_hart(uint64_t mask, uint64_t base) {
    return base == ~0ull || (base <= HART_ID && ((mask >> (HART_ID - base)) & 1));
}

// The guest's timer: Sstc compares `time` with vstimecmp in hardware and
// raises the guest's timer interrupt itself; we only store the deadline.
void set_timer(uint64_t deadline) { riscv::write_vstimecmp(deadline); }

// One hart: an IPI to ourselves is a software interrupt for the guest.
void send_ipi() { riscv::set_hvip(riscv::guest_interrupt::SOFTWARE); }

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

SbiResult ipi(long function, uint64_t mask, uint64_t base) {
    if (function != 0) return {Error::NotSupported};
    if (!valid_hart_mask(mask, base)) return {Error::InvalidParam};
    if (names_our_hart(mask, base)) send_ipi();
    return {Error::Success};
}

SbiResult rfence(long function, uint64_t mask, uint64_t base) {
    if (function > 6) return {Error::NotSupported};
    if (!valid_hart_mask(mask, base)) return {Error::InvalidParam};
    if (!names_our_hart(mask, base)) return {Error::Success};
    if (function == 0) riscv::fence_i();          // remote_fence_i
    else if (function <= 2) riscv::hfence_vvma_all();  // remote_sfence_vma(_asid)
    else return {Error::NotSupported};            // the HFENCE functions: no nested guests
    return {Error::Success};
}

SbiResult hsm(long function, uint64_t hart) {
    constexpr long STARTED = 0;
    switch (function) {
        case 0:  // hart_start: ours is running already; there are no others
            return {hart == HART_ID ? Error::AlreadyAvailable : Error::InvalidParam};
        case 2:  // hart_get_status
            if (hart != HART_ID) return {Error::InvalidParam};
            return {Error::Success, STARTED};
        default:  // hart_stop, hart_suspend: the only hart may not go away
            return {Error::NotSupported};
    }
}

}  // namespace

SbiOutcome handle_sbi_call(Vcpu& vcpu, GuestMemory& memory) {
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
        case Extension::LegacyConsolePutchar:
            guest_console::put(static_cast<char>(arg0));
            return legacy(0);
        case Extension::LegacyConsoleGetchar:
            return legacy(host_console::take(nullptr));  // the SBI console's keys
        case Extension::LegacyClearIpi:
            riscv::clear_hvip(riscv::guest_interrupt::SOFTWARE);
            return legacy(0);
        case Extension::LegacySendIpi: send_ipi(); return legacy(0);
        case Extension::LegacyRemoteFenceI: riscv::fence_i(); return legacy(0);
        case Extension::LegacyRemoteSfenceVma:
        case Extension::LegacyRemoteSfenceVmaAsid: riscv::hfence_vvma_all(); return legacy(0);
        case Extension::LegacyShutdown: return SbiOutcome::PowerOff;

        case Extension::Base: result = base(function, arg0); break;
        case Extension::Time:
            if (function == 0) set_timer(arg0), result = {Error::Success};
            break;
        case Extension::Ipi: result = ipi(function, arg0, arg1); break;
        case Extension::Rfence: result = rfence(function, arg0, arg1); break;
        case Extension::Hsm: result = hsm(function, arg0); break;
        case Extension::DebugConsole:
            result = debug_console::call(memory, function, arg0, arg1, arg2);
            break;
        case Extension::SystemReset:
            if (function == 0 && arg0 == 0) return SbiOutcome::PowerOff;
            if (function == 0 && (arg0 == 1 || arg0 == 2)) return SbiOutcome::Reboot;
            result = {function == 0 ? Error::InvalidParam : Error::NotSupported};
            break;
        case Extension::Snapshot: break;  // not ours to answer: vmexit.cpp gives it to the sandbox
    }
    if (result.error == Error::NotSupported && unsupported_log.count())
        println("[hypervisor] SBI call not supported: extension {:#x}, function {}", extension,
                function);
    vcpu.reg(a0) = static_cast<uint64_t>(result.error);
    vcpu.reg(a1) = static_cast<uint64_t>(result.value);
    return SbiOutcome::Continue;
}

uint64_t unsupported_sbi_calls() { return unsupported_log.total(); }
