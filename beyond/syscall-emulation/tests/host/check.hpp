// A minimal test harness for the host tests: CHECK(condition), and the
// summary line tests/test_beyond_syscall_emulation.py looks for.
#pragma once
#include <cstdio>

inline int passed = 0, failed = 0;

#define CHECK(condition)                                                            \
    do {                                                                            \
        if (condition) passed++;                                                    \
        else failed++, std::printf("FAILED %s:%d: %s\n", __FILE__, __LINE__, #condition); \
    } while (0)

inline int summary() {
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
