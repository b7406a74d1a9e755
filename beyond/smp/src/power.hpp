// The two ways the hypervisor ends the machine.
//
// SBI System Reset makes QEMU exit with status 0, whatever the reason we
// give. To report failure to whoever started QEMU (a test, CI) we need a
// non-zero status, and only QEMU's test device can give one.
#pragma once
#include <stdint.h>

#include "memlayout.hpp"
#include "riscv.hpp"
#include "sbi.hpp"

namespace power {

// QEMU's exit status after a PANIC.
inline constexpr uint32_t PANIC_EXIT_STATUS = 1;
// QEMU's exit status when the guest did something we could not handle.
inline constexpr uint32_t GUEST_STOPPED_EXIT_STATUS = 3;

[[noreturn]] inline void halt() {
    for (;;) riscv::wfi();
}

// Success: a clean power-off; QEMU exits with status 0.
[[noreturn]] inline void shut_down() {
    sbi::system_reset(sbi::ResetType::Shutdown);
    halt();  // only reached if the firmware lacks SRST
}

// Failure: QEMU exits with status `code` (1..0xffff).
[[noreturn]] inline void fail(uint32_t code) {
    constexpr uint32_t FAIL = 0x3333;
    auto* test_device = reinterpret_cast<volatile uint32_t*>(memlayout::TEST_DEVICE);
    *test_device = (code << 16) | FAIL;
    halt();
}

}  // namespace power
