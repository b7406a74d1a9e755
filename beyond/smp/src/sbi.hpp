// Calls down to the SBI firmware (OpenSBI), the hypervisor's own "BIOS".
#pragma once
#include <stddef.h>

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
    DebugConsole = 0x4442'434e,   // "DBCN" (SBI 2.0): console, a buffer at a time
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

// Does the firmware implement this extension? (BASE probe_extension)
inline bool firmware_has(Extension ext) {
    constexpr long PROBE_EXTENSION = 3;
    return call(Extension::Base, PROBE_EXTENSION, static_cast<unsigned long>(ext)).value > 0;
}

// Print `size` bytes: in one call if the firmware has the debug console
// (OpenSBI 1.3 on), else one legacy call per character (OpenSBI 1.1).
// The firmware takes a physical address: ours are, the MMU is off.
inline void console_write(const char* text, size_t size) {
    static const bool one_call = firmware_has(Extension::DebugConsole);
    constexpr long CONSOLE_WRITE = 0;
    while (one_call && size > 0) {
        const auto written = call(Extension::DebugConsole, CONSOLE_WRITE, size,
                                  reinterpret_cast<uintptr_t>(text), 0);
        if (written.error != 0) break;  // fall back to putchar for the rest
        text += written.value;
        size -= static_cast<size_t>(written.value);
    }
    for (size_t i = 0; i < size; i++) console_putchar(text[i]);
}

// Does hart `hart` exist? (HSM hart_get_status: INVALID_PARAM if not.)
inline bool hart_exists(unsigned long hart) {
    constexpr long HART_GET_STATUS = 2;
    return call(Extension::Hsm, HART_GET_STATUS, hart).error == 0;
}

// Start hart `hart` at `address` (MMU off), with `opaque` in its a1 (HSM).
inline long hart_start(unsigned long hart, uintptr_t address, uintptr_t opaque) {
    constexpr long HART_START = 0;
    return call(Extension::Hsm, HART_START, hart, address, opaque).error;
}

// A supervisor software interrupt for hart `hart`: sip.SSIP there (IPI).
inline void send_ipi(unsigned long hart) {
    constexpr long SEND_IPI = 0;
    call(Extension::Ipi, SEND_IPI, /*hart_mask=*/1, /*hart_mask_base=*/hart);
}

// Ask the firmware to power the machine off. QEMU then exits with status 0.
inline void system_reset(ResetType type) {
    constexpr long RESET = 0;
    call(Extension::SystemReset, RESET, static_cast<unsigned long>(type), /*reason=*/0);
}

}  // namespace sbi
