// Calls down to the SBI firmware (OpenSBI), the hypervisor's own "BIOS".
#pragma once
#include "riscv.hpp"

namespace sbi {

// Extension ids from the SBI specification.
enum class Extension : long {
    LegacyConsolePutchar = 0x01,  // SBI v0.1: one character to the console
    Base = 0x10,                  // version and probing
    SystemReset = 0x5352'5354,    // "SRST"
};

// Error codes returned in a0.
enum class Error : long {
    Success = 0,
    Failed = -1,
    NotSupported = -2,
    InvalidParam = -3,
    Denied = -4,
    InvalidAddress = -5,
    AlreadyAvailable = -6,
};

// SRST reset types.
enum class ResetType : unsigned long { Shutdown = 0, ColdReboot = 1, WarmReboot = 2 };

inline riscv::SbiRet call(Extension ext, long function, unsigned long arg0 = 0,
                          unsigned long arg1 = 0, unsigned long arg2 = 0) {
    return riscv::ecall(static_cast<long>(ext), function, arg0, arg1, arg2);
}

inline void console_putchar(char c) {
    call(Extension::LegacyConsolePutchar, 0, static_cast<unsigned char>(c));
}

// Ask the firmware to power the machine off. QEMU then exits with status 0.
inline void system_reset(ResetType type) {
    constexpr long RESET = 0;
    call(Extension::SystemReset, RESET, static_cast<unsigned long>(type), /*reason=*/0);
}

}  // namespace sbi
