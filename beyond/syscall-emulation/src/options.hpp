// The hypervisor's own options, and the program's command line: both come
// from QEMU's -append (which QEMU writes into our device tree, as
// /chosen/bootargs), the hypervisor's first:
//
//     quiet timeout=10 mem=64M -- hello a b
//
// Before `--`: options for us. After it: the program's argv, a word each
// (argv[0] is its name). `make run` writes this line from QUIET=,
// TIMEOUT=, GUEST_MEM=, PROG= and ARGS=.
//
// Options:
//   mem=SIZE        the program's memory, at most (a number of bytes, or with K, M or G)
//   timeout=SECONDS its CPU time, at most (0: no limit)
//   quiet           print nothing of ours but failures: only the program speaks
//   control         programs come, and go, on a channel of their own (control.hpp)
//
// Plain logic, also compiled and tested on the host.
#pragma once
#include <stddef.h>
#include <stdint.h>

struct Options {
    uint64_t guest_ram = 0;  // mem=; 0: not given
    uint64_t timeout = ~0ull;  // timeout= in seconds; ~0: not given
    bool quiet = false;
    bool control = false;
    static constexpr int MAX_ARGS = 64;
    const char* argv[MAX_ARGS] = {};  // the program's command line, cut into words
    int argc = 0;
    const char* error = nullptr;     // what is wrong with them, if anything
    const char* bad_word = nullptr;  // ... and where
};

// Parses `text` in place (it cuts words out of it with '\0').
Options parse_options(char* text);
