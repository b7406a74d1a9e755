// Step 01: the hypervisor boots, proves C++ can run, and powers off.
#include <stdint.h>

#include "power.hpp"

namespace {

// No initializer, so it lives in .bss, which boot.S must have zeroed.
volatile unsigned long zero_initialized;

// A little recursion: it only works if boot.S gave us a usable stack.
unsigned long sum_to(unsigned long n) {
    volatile unsigned long here = n;  // force a stack slot per call
    return n == 0 ? 0 : here + sum_to(n - 1);
}

}  // namespace

extern "C" [[noreturn]] void main(unsigned long /*hart_id*/, uintptr_t /*device_tree*/) {
    if (zero_initialized != 0) power::fail(1);  // .bss was not cleared
    if (sum_to(100) != 5050) power::fail(2);    // the stack is broken

    power::shut_down();
}
