// Step 02: the hypervisor can speak: println with formatted arguments, and
// PANIC, which says where and why before ending the machine.
#include <stdint.h>

#include "power.hpp"
#include "print.hpp"

extern "C" [[noreturn]] void main(unsigned long hart_id, uintptr_t device_tree) {
    println("Hello from the hypervisor!");
    println("hart {}, device tree at {:#x}", hart_id, device_tree);
    println("decimal {} {} {}, hex {:x} {:#x} {:#010x}", 0, -42, 1234567890123ul,
            255, 0xcafe, 0xbeef);
    println("string '{}', char '{}', bool {}, pointer {}", "riscv", 'H', true,
            reinterpret_cast<const void*>(0x80200000));
    println("padded [{:6}] [{:06}] [{:4}], braces {{}}", 42, 42, "ab");

#ifdef DEMO_PANIC
    // Built with `make BUILD=build/panic DEFINES=-DDEMO_PANIC`: what a panic looks like.
    PANIC("demo panic, value {:#x}", 0xdead);
#endif

    println("Shutting down.");
    power::shut_down();
}
