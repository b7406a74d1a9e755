// The device tree the guest boots with: what its machine looks like.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "isa.hpp"

struct GuestMachine {
    uint64_t ram_base, ram_size;
    uint64_t uart_base, uart_size;
    const char* bootargs;  // the kernel command line
    GuestIsa isa;          // the extensions the guest's CPU has
    uint64_t harts = 1;    // its harts: bit i for hart i (a cpu node each)
};

// Writes the blob into `buffer`; returns its size (panics if it does not fit).
size_t write_guest_device_tree(const GuestMachine& machine, uint8_t* buffer, size_t capacity);
