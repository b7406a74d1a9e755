// The four memory functions the C++ compiler may call on its own (to copy a
// large struct, or to zero an array), even though we never include a libc.
//
// memset and memcpy move eight bytes at a time where they can: zeroing
// guest RAM and copying the kernel into it are the biggest jobs the
// hypervisor does, and byte by byte they would slow every boot.
#include <stddef.h>
#include <stdint.h>

namespace {

using Word = uint64_t __attribute__((may_alias));  // may point into any object

bool word_aligned(const void* p) { return reinterpret_cast<uintptr_t>(p) % sizeof(Word) == 0; }

// Will copying byte by byte bring both pointers to a word boundary at once?
bool same_alignment(const void* a, const void* b) {
    return (reinterpret_cast<uintptr_t>(a) ^ reinterpret_cast<uintptr_t>(b)) % sizeof(Word) == 0;
}

}  // namespace

extern "C" {

void* memset(void* dest, int byte, size_t n) {
    auto* d = static_cast<uint8_t*>(dest);
    for (; n > 0 && !word_aligned(d); n--) *d++ = static_cast<uint8_t>(byte);
    const Word pattern = 0x0101'0101'0101'0101ull * static_cast<uint8_t>(byte);
    for (; n >= sizeof(Word); n -= sizeof(Word), d += sizeof(Word))
        *reinterpret_cast<Word*>(d) = pattern;
    for (; n > 0; n--) *d++ = static_cast<uint8_t>(byte);
    return dest;
}

void* memcpy(void* dest, const void* src, size_t n) {
    auto* d = static_cast<uint8_t*>(dest);
    auto* s = static_cast<const uint8_t*>(src);
    if (same_alignment(d, s)) {
        for (; n > 0 && !word_aligned(d); n--) *d++ = *s++;
        for (; n >= sizeof(Word); n -= sizeof(Word), d += sizeof(Word), s += sizeof(Word))
            *reinterpret_cast<Word*>(d) = *reinterpret_cast<const Word*>(s);
    }
    for (; n > 0; n--) *d++ = *s++;
    return dest;
}

void* memmove(void* dest, const void* src, size_t n) {
    auto* d = static_cast<uint8_t*>(dest);
    auto* s = static_cast<const uint8_t*>(src);
    if (d < s) return memcpy(dest, src, n);
    while (n-- > 0) d[n] = s[n];
    return dest;
}

int memcmp(const void* a, const void* b, size_t n) {
    auto* x = static_cast<const uint8_t*>(a);
    auto* y = static_cast<const uint8_t*>(b);
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

}  // extern "C"
