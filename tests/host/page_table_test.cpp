// Unit tests of the G-stage page table (src/page_table.cpp), on the host.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "page_table.hpp"

// On the host, "physical" addresses are just pointers.
void* gstage::allocate_table(size_t bytes) {
    void* table = std::aligned_alloc(bytes, bytes);
    std::memset(table, 0, bytes);
    return table;
}

namespace {

int passed = 0, failed = 0;

void check(bool ok, const char* what) {
    if (ok) {
        passed++;
    } else {
        failed++;
        std::printf("FAIL: %s\n", what);
    }
}

}  // namespace

int main() {
    gstage::PageTable table;
    check(reinterpret_cast<uintptr_t>(table.root()) % 16384 == 0, "root is 16 KiB aligned");
    check(table.hgatp() >> 60 == 8, "hgatp mode is Sv39x4");
    check((table.hgatp() & ((1ull << 44) - 1)) == reinterpret_cast<uintptr_t>(table.root()) >> 12,
          "hgatp holds the root's page number");

    auto* backing = static_cast<uint8_t*>(gstage::allocate_table(1 << 21));
    const uint64_t host = reinterpret_cast<uint64_t>(backing);
    table.map(0x8000'0000, host, 1 << 21, gstage::RWX);
    check(table.tables() == 3, "one root, one middle, one leaf table for 2 MiB");

    auto t = table.translate(0x8000'0000);
    check(t.mapped && t.host_address == host, "first byte maps to the backing");
    t = table.translate(0x801f'fabc);
    check(t.mapped && t.host_address == host + 0x1f'fabc, "offset inside the last page kept");
    check(t.flags & gstage::USER, "leaves carry the U bit");
    check((t.flags & gstage::RWX) == gstage::RWX, "leaves are RWX");
    check(!table.translate(0x8020'0000).mapped, "just past the mapping is unmapped");
    check(!table.translate(0x7fff'ffff).mapped, "just before the mapping is unmapped");
    check(!table.translate(0).mapped, "address 0 is unmapped");

    // The root's extra entries (x4): guest addresses up to 2^41.
    table.map_page(0x1ff'ffff'f000, host, gstage::READ);
    t = table.translate(0x1ff'ffff'f123);
    check(t.mapped && t.host_address == host + 0x123, "top of the 41-bit space maps");
    check((t.flags & gstage::RWX) == gstage::READ, "read-only page keeps its flags");
    check(!table.translate(1ull << 41).mapped, "beyond 41 bits never maps");

    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
