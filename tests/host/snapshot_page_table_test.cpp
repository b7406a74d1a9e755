// Unit test of beyond/snapshot's PageTable::leaf (src/page_table.cpp), on
// the host: the entry the dirty log flips the W bit of must be the one the
// walk uses, and leaf() must refuse what is not a 4 KiB page.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "page_table.hpp"

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
    auto* backing = static_cast<uint8_t*>(gstage::allocate_table(4 << 20));
    const uint64_t host = reinterpret_cast<uint64_t>(backing);
    table.map(0x8000'0000, host, 4 << 20, gstage::RWX);

    uint64_t* entry = table.leaf(0x8012'3456);
    check(entry != nullptr, "a mapped page has a leaf");
    check(entry == table.leaf(0x8012'3000), "any address in the page finds the same entry");
    check(entry != table.leaf(0x8012'4000), "the next page has its own");
    check(table.leaf(0x8020'0000) != nullptr, "the second 2 MiB (another leaf table) too");

    *entry &= ~uint64_t{gstage::WRITE};
    gstage::Translation t = table.translate(0x8012'3456);
    check(t.mapped && (t.flags & gstage::RWX) == (gstage::READ | gstage::EXECUTE),
          "clearing W there makes the page read-only for the walk");
    check(t.host_address == host + 0x12'3456, "and keeps where it points");
    check((table.translate(0x8012'4000).flags & gstage::WRITE) != 0, "its neighbour stays writable");
    *entry |= gstage::WRITE;
    check((table.translate(0x8012'3000).flags & gstage::RWX) == gstage::RWX, "W back");

    check(table.leaf(0x7fff'f000) == nullptr, "below the mapping: none");
    check(table.leaf(0x8040'0000) == nullptr, "past it: none");
    check(table.leaf(1ull << 41) == nullptr, "beyond Sv39x4: none");

    // A 2 MiB leaf one level up (which map() never makes) is not a 4 KiB page.
    table.map_page(0x9000'0000, host, gstage::READ);  // makes the tables for 0x90000000
    uint64_t& root_entry = table.root()[(0x9000'0000ull >> 30) & 2047];
    uint64_t* level1 = reinterpret_cast<uint64_t*>((root_entry >> 10) << 12);
    uint64_t& megapage = level1[(0x9020'0000ull >> 21) & 511];
    megapage = (host >> 12) << 10 | gstage::READ | gstage::VALID;
    check(table.translate(0x9020'0000).mapped, "the walk accepts the 2 MiB page");
    check(table.leaf(0x9020'0000) == nullptr, "leaf() does not: no 4 KiB entry to flip");

    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
