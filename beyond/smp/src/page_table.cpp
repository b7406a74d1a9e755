#include "page_table.hpp"

namespace gstage {
namespace {

constexpr uint64_t HGATP_MODE_SV39X4 = 8ull << 60;
constexpr uint64_t GUEST_ADDRESS_LIMIT = 1ull << 41;

// Index into the table at `level` (2 = root) for a guest physical address.
size_t index(uint64_t guest, int level) {
    const uint64_t bits = guest >> (12 + 9 * level);
    return level == LEVELS - 1 ? bits & (ROOT_ENTRIES - 1) : bits & (ENTRIES - 1);
}

uint64_t* table_of(uint64_t pte) { return reinterpret_cast<uint64_t*>((pte >> 10) << 12); }
uint64_t pte_for(const void* address) { return (reinterpret_cast<uint64_t>(address) >> 12) << 10; }

}  // namespace

PageTable::PageTable()
    : root_(static_cast<uint64_t*>(allocate_table(ROOT_ENTRIES * sizeof(uint64_t)))) {}

void PageTable::map_page(uint64_t guest, uint64_t host, uint64_t flags) {
    uint64_t* table = root_;
    for (int level = LEVELS - 1; level > 0; level--) {
        uint64_t& entry = table[index(guest, level)];
        if (!(entry & VALID)) {
            entry = pte_for(allocate_table(PAGE_SIZE)) | VALID;  // a pointer to the next level
            tables_++;
        }
        table = table_of(entry);
    }
    table[index(guest, 0)] = pte_for(reinterpret_cast<void*>(host)) | flags | USER | ACCESSED |
                             DIRTY | VALID;
}

void PageTable::map(uint64_t guest, uint64_t host, uint64_t size, uint64_t flags) {
    for (uint64_t offset = 0; offset < size; offset += PAGE_SIZE)
        map_page(guest + offset, host + offset, flags);
}

Translation PageTable::translate(uint64_t guest) const {
    if (guest >= GUEST_ADDRESS_LIMIT) return {false, 0, 0};
    const uint64_t* table = root_;
    for (int level = LEVELS - 1; level >= 0; level--) {
        const uint64_t entry = table[index(guest, level)];
        if (!(entry & VALID)) return {false, 0, 0};
        if (entry & RWX) {  // a leaf (we only make 4 KiB ones, but a walk accepts any)
            const uint64_t page_mask = (1ull << (12 + 9 * level)) - 1;
            const uint64_t host = (reinterpret_cast<uint64_t>(table_of(entry)) & ~page_mask) |
                                  (guest & page_mask);
            return {true, host, entry & 0x3ff};
        }
        table = table_of(entry);
    }
    return {false, 0, 0};
}

uint64_t PageTable::hgatp() const {
    return HGATP_MODE_SV39X4 | (reinterpret_cast<uint64_t>(root_) >> 12);
}

}  // namespace gstage
