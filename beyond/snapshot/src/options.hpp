// The hypervisor's own options, and the guest's kernel command line: both
// come from QEMU's -append (which QEMU writes into our device tree, as
// /chosen/bootargs), the hypervisor's first:
//
//     mem=256M -- console=hvc0 earlycon=sbi quiet
//
// Before `--`: options for us. After it: the guest's command line, passed
// on as it is (empty: our default). With no `--`, all of it is the guest's,
// as QEMU users expect of -append.
//
// Options: mem=SIZE, the guest's RAM (a number of bytes, or with K, M or G);
// control: the controller speaks to us on a channel of its own (control.hpp).
//
// Plain logic, also compiled and tested on the host.
#pragma once
#include <stddef.h>
#include <stdint.h>

struct Options {
    uint64_t guest_ram = 0;                 // mem=; 0: not given
    bool control = false;                   // control
    const char* guest_command_line = nullptr;  // nullptr: not given
    const char* error = nullptr;            // what is wrong with them, if anything
    const char* bad_word = nullptr;         // ... and where
};

// Parses `text` in place (it cuts words out of it with '\0').
Options parse_options(char* text);
