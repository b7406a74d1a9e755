// The four memory functions the C++ compiler may call on its own (to copy a
// large struct, or to zero an array), even though we never include a libc.
#include <stddef.h>
#include <stdint.h>

extern "C" {

void* memset(void* dest, int byte, size_t n) {
    auto* d = static_cast<uint8_t*>(dest);
    while (n-- > 0) *d++ = static_cast<uint8_t>(byte);
    return dest;
}

void* memcpy(void* dest, const void* src, size_t n) {
    auto* d = static_cast<uint8_t*>(dest);
    auto* s = static_cast<const uint8_t*>(src);
    while (n-- > 0) *d++ = *s++;
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
