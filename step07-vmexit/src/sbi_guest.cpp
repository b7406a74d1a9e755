#include "sbi_guest.hpp"

#include "print.hpp"
#include "sbi.hpp"

namespace {

using sbi::Error;
using sbi::Extension;

constexpr long SPEC_VERSION_1_0 = 1 << 24;  // major << 24 | minor
constexpr long IMPLEMENTATION_ID = 0x4856;  // "HV": not one of the registered ids
constexpr long IMPLEMENTATION_VERSION = 1;

struct Result {
    Error error;
    long value;
};

bool implemented(long extension) {
    switch (static_cast<Extension>(extension)) {
        case Extension::Base:
        case Extension::LegacyConsolePutchar:
            return true;
        default:
            return false;
    }
}

Result base(long function, uint64_t arg0) {
    switch (function) {
        case 0: return {Error::Success, SPEC_VERSION_1_0};
        case 1: return {Error::Success, IMPLEMENTATION_ID};
        case 2: return {Error::Success, IMPLEMENTATION_VERSION};
        case 3: return {Error::Success, implemented(static_cast<long>(arg0)) ? 1 : 0};
        case 4:  // mvendorid
        case 5:  // marchid
        case 6:  // mimpid
            return {Error::Success, 0};
        default: return {Error::NotSupported, 0};
    }
}

}  // namespace

void handle_sbi_call(Vcpu& vcpu) {
    const long extension = static_cast<long>(vcpu.reg(a7));
    const long function = static_cast<long>(vcpu.reg(a6));
    vcpu.pc += 4;  // the continuation: the guest goes on after its ecall

    switch (static_cast<Extension>(extension)) {
        case Extension::LegacyConsolePutchar:
            // SBI v0.1 calls return a single value in a0.
            sbi::console_putchar(static_cast<char>(vcpu.reg(a0)));
            vcpu.reg(a0) = 0;
            return;
        case Extension::Base: {
            const Result result = base(function, vcpu.reg(a0));
            vcpu.reg(a0) = static_cast<uint64_t>(result.error);
            vcpu.reg(a1) = static_cast<uint64_t>(result.value);
            return;
        }
        default:
            println("[hypervisor] SBI call not supported: extension {:#x}, function {}",
                    extension, function);
            vcpu.reg(a0) = static_cast<uint64_t>(Error::NotSupported);
            return;
    }
}
