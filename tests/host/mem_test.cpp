// Unit tests of memset/memcpy/memmove/memcmp (src/mem.cpp), on the host.
// The stage's functions are compiled in here under other names, so that
// they do not clash with the host's C library, which we compare them with.
#define memset hv_memset
#define memcpy hv_memcpy
#define memmove hv_memmove
#define memcmp hv_memcmp
#include "mem.cpp"
#undef memset
#undef memcpy
#undef memmove
#undef memcmp

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace {

int passed = 0, failed = 0;

void check(bool ok, const char* what, size_t a, size_t b, size_t n) {
    if (ok) {
        passed++;
    } else {
        failed++;
        std::printf("FAIL: %s (offsets %zu, %zu, length %zu)\n", what, a, b, n);
    }
}

int sign(int x) { return (x > 0) - (x < 0); }

}  // namespace

int main() {
    alignas(8) uint8_t source[96], got[96], want[96];
    for (size_t i = 0; i < sizeof source; i++) source[i] = static_cast<uint8_t>(i * 37 + 1);

    // Every alignment of both pointers and every length up to 40 bytes: the
    // head, the 8-byte middle and the tail of each loop, and the guard bytes
    // around the destination must stay untouched.
    for (size_t to = 0; to < 8; to++)
        for (size_t from = 0; from < 8; from++)
            for (size_t n = 0; n <= 40; n++) {
                std::memset(got, 0xee, sizeof got);
                std::memset(want, 0xee, sizeof want);
                hv_memcpy(got + to, source + from, n);
                std::memcpy(want + to, source + from, n);
                check(std::memcmp(got, want, sizeof got) == 0, "memcpy", to, from, n);

                hv_memset(got + to, static_cast<int>(from * 31), n);
                std::memset(want + to, static_cast<int>(from * 31), n);
                check(std::memcmp(got, want, sizeof got) == 0, "memset", to, from, n);

                std::memcpy(got, source, sizeof got);
                std::memcpy(want, source, sizeof want);
                hv_memmove(got + to, got + from + 8, n);  // overlapping, both ways
                std::memmove(want + to, want + from + 8, n);
                hv_memmove(got + from + 8, got + to, n);
                std::memmove(want + from + 8, want + to, n);
                check(std::memcmp(got, want, sizeof got) == 0, "memmove", to, from, n);
            }

    const uint8_t a[] = {1, 2, 3}, b[] = {1, 2, 4};
    check(sign(hv_memcmp(a, b, 3)) == -1, "memcmp less", 0, 0, 3);
    check(sign(hv_memcmp(b, a, 3)) == 1, "memcmp greater", 0, 0, 3);
    check(hv_memcmp(a, b, 2) == 0, "memcmp equal prefix", 0, 0, 2);
    check(hv_memcmp(a, b, 0) == 0, "memcmp empty", 0, 0, 0);

    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
