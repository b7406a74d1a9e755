// System calls by name.
#pragma once
#include <stdint.h>

// "write" for 64, "riscv_hwprobe" for 258; "unknown" for a number Linux
// 6.12 does not have.
const char* syscall_name(uint64_t number);

// One past the highest number syscall_name knows.
inline constexpr uint64_t SYSCALL_NUMBERS = 463;
