// Calls down to the SBI firmware (OpenSBI), the hypervisor's own "BIOS".
#pragma once
#include "riscv.hpp"

namespace sbi {

// Extension ids from the SBI specification.
enum class Extension : long {
    // SBI v0.1 ("legacy"): one function each, the result in a0 only.
    LegacySetTimer = 0x00,
    LegacyConsolePutchar = 0x01,
    LegacyConsoleGetchar = 0x02,
    LegacyClearIpi = 0x03,
    LegacySendIpi = 0x04,
    LegacyRemoteFenceI = 0x05,
    LegacyRemoteSfenceVma = 0x06,
    LegacyRemoteSfenceVmaAsid = 0x07,
    LegacyShutdown = 0x08,
    // SBI v0.2 and later.
    Base = 0x10,                  // version and probing
    Time = 0x5449'4d45,           // "TIME": set_timer
    Ipi = 0x0073'5049,            // "sPI": send_ipi
    Rfence = 0x5246'4e43,         // "RFNC": remote fences
    Hsm = 0x0048'534d,            // "HSM": hart state management
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

// A key from the console, or -1 when none is waiting.
inline long console_getchar() { return call(Extension::LegacyConsoleGetchar, 0).error; }

// Ask the firmware to power the machine off. QEMU then exits with status 0.
inline void system_reset(ResetType type) {
    constexpr long RESET = 0;
    call(Extension::SystemReset, RESET, static_cast<unsigned long>(type), /*reason=*/0);
}

}  // namespace sbi
