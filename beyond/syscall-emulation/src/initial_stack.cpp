#include "initial_stack.hpp"

#include "linux.hpp"

namespace {

size_t length(const char* s) {
    size_t n = 0;
    while (s[n] != '\0') n++;
    return n;
}

}  // namespace

uint64_t build_initial_stack(uint8_t* buffer, size_t capacity, uint64_t top, const StartInfo& info) {
    const uint64_t bottom = top - capacity;
    uint64_t at = top;  // grows down, as a stack does
    bool fits = true;
    // Put `size` bytes just below `at`; returns where they went.
    auto push = [&](const void* data, size_t size) {
        if (!fits || size > at - bottom) {
            fits = false;
            return at;
        }
        at -= size;
        __builtin_memcpy(buffer + (at - bottom), data, size);
        return at;
    };

    // The strings and random bytes first, at the very top.
    push("", 1);  // the top 8 bytes stay 0, as Linux leaves them
    at &= ~7ull;
    uint64_t argv[64];
    if (info.argc > 64) return 0;
    for (int i = info.argc - 1; i >= 0; i--)
        argv[i] = push(info.argv[i], length(info.argv[i]) + 1);
    const uint64_t execfn = info.argc > 0 ? argv[0] : 0;
    const uint64_t platform = push("riscv64", 8);
    at &= ~15ull;
    const uint64_t random = push(info.random, 16);

    using namespace linux;
    const uint64_t auxv[][2] = {
        {AT_HWCAP, info.hwcap}, {AT_PAGESZ, 4096},     {AT_CLKTCK, 100},
        {AT_PHDR, info.phdr},   {AT_PHENT, 56},        {AT_PHNUM, info.phnum},
        {AT_BASE, 0},           {AT_FLAGS, 0},         {AT_ENTRY, info.entry},
        {AT_UID, UID},          {AT_EUID, UID},        {AT_GID, UID},
        {AT_EGID, UID},         {AT_SECURE, 0},        {AT_RANDOM, random},
        {AT_HWCAP2, 0},         {AT_EXECFN, execfn},   {AT_PLATFORM, platform},
        {AT_NULL, 0},
    };
    // Then the vectors, so that sp ends 16-byte aligned: count the words
    // first (argc, argv and its 0, envp's 0, auxv).
    const size_t words = 1 + (info.argc + 1) + 1 + sizeof auxv / sizeof(uint64_t);
    at = (at - words * 8) & ~15ull;
    at += words * 8;
    push(auxv, sizeof auxv);
    const uint64_t zero = 0;
    push(&zero, 8);  // envp: empty
    push(&zero, 8);  // argv's end
    for (int i = info.argc - 1; i >= 0; i--) push(&argv[i], 8);
    const uint64_t argc = static_cast<uint64_t>(info.argc);
    const uint64_t sp = push(&argc, 8);
    return fits ? sp : 0;
}
