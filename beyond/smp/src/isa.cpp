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

// Room for all of them in GuestIsa's buffers: the names, their separators, "rv64".
constexpr size_t room_needed() {
    size_t n = sizeof "rv64";
    for (const char* name : ALLOWED)
        while (*name++ != '\0') n++;
    return n + sizeof ALLOWED / sizeof ALLOWED[0];
}
static_assert(room_needed() <= sizeof GuestIsa{}.string);

// Are the characters [begin, end) the extension `name`?
bool is(const char* begin, const char* end, const char* name) {
    for (; begin < end; begin++, name++)
        if (*name == '\0' || *begin != *name) return false;
    return *name == '\0';
}

bool host_has(const char* isa, const char* name) {
    if (isa == nullptr || !is(isa, isa + 2, "rv")) return false;
    const char* p = isa + 2;
    while (*p >= '0' && *p <= '9') p++;  // "64"
    const char* letters = p;
    while (*p != '\0' && *p != '_') p++;
    if (name[1] == '\0') {  // a single letter
        for (const char* l = letters; l < p; l++)
            if (*l == name[0]) return true;
        return false;
    }
    while (*p == '_') {
        const char* start = ++p;
        while (*p != '\0' && *p != '_') p++;
        if (is(start, p, name)) return true;
    }
    return false;
}

}  // namespace

GuestIsa guest_isa(const char* host_isa) {
    GuestIsa isa;
    size_t at = 0;  // in isa.string
    for (const char* c = "rv64"; *c != '\0'; c++) isa.string[at++] = *c;
    for (const char* name : ALLOWED) {
        if (!host_has(host_isa, name)) continue;
        if (name[1] != '\0') isa.string[at++] = '_';
        for (const char* c = name; *c != '\0'; c++) {
            isa.string[at++] = *c;
            isa.extensions[isa.extensions_size++] = *c;
        }
        isa.extensions[isa.extensions_size++] = '\0';
    }
    isa.string[at] = '\0';
    return isa;
}
