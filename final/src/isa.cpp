#include "isa.hpp"

namespace {

// What the guest may use, if the host has it. Single letters first, in the
// order a riscv,isa string spells them, then the multi-letter ones.
constexpr const char* ALLOWED[] = {
    "i", "m", "a", "f", "d", "c",       // base, multiply, atomics, FP, compressed
    "zicsr", "zifencei", "zihintpause",  // CSR access, fence.i, pause: plain instructions
    "zba", "zbb", "zbc", "zbs",          // bit manipulation: plain instructions too
    "sstc",                              // stimecmp: the guest's timer, no exit per tick
};
static_assert(sizeof(ALLOWED) / sizeof(ALLOWED[0]) <= GuestIsa::MAX);

size_t length(const char* s) {
    size_t n = 0;
    while (s[n] != '\0') n++;
    return n;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 'a' - 'A') : c; }

// Is `name` the `size` characters at `text` (in any case)?
bool same(const char* text, size_t size, const char* name) {
    if (length(name) != size) return false;
    for (size_t i = 0; i < size; i++)
        if (lower(text[i]) != name[i]) return false;
    return true;
}

bool in_isa_string(const char* isa, const char* name) {
    if (!same(isa, 2, "rv")) return false;
    const char* p = isa + 2;
    while (*p >= '0' && *p <= '9') p++;  // "64"
    const char* letters = p;
    while (*p != '\0' && *p != '_') p++;
    if (name[1] == '\0') {  // a single letter
        for (const char* l = letters; l < p; l++)
            if (lower(*l) == name[0]) return true;
        return false;
    }
    while (*p == '_') {
        const char* start = ++p;
        while (*p != '\0' && *p != '_') p++;
        if (same(start, static_cast<size_t>(p - start), name)) return true;
    }
    return false;
}

}  // namespace

bool GuestIsa::has(const char* name) const {
    for (size_t i = 0; i < count; i++)
        if (same(extensions[i], length(extensions[i]), name)) return true;
    return false;
}

GuestIsa guest_isa(const char* host_isa) {
    GuestIsa isa;
    for (const char* extension : ALLOWED)
        if (host_isa != nullptr && in_isa_string(host_isa, extension))
            isa.extensions[isa.count++] = extension;
    return isa;
}

bool isa_string(const GuestIsa& isa, char* buffer, size_t size) {
    size_t at = 0;
    auto put = [&](const char* text) {
        for (; *text != '\0'; text++) {
            if (at + 1 >= size) return false;
            buffer[at++] = *text;
        }
        return true;
    };
    bool fits = put("rv64");
    for (size_t i = 0; fits && i < isa.count; i++) {
        const bool single_letter = isa.extensions[i][1] == '\0';
        fits = (single_letter || put("_")) && put(isa.extensions[i]);
    }
    if (size > 0) buffer[fits ? at : 0] = '\0';
    return fits;
}
