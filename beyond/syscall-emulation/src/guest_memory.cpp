#include "guest_memory.hpp"

#include "alloc.hpp"
#include "memlayout.hpp"
#include "print.hpp"
#include "riscv.hpp"

using memlayout::PAGE_SIZE;

// The G-stage table takes its memory from the hypervisor's heap.
void* gstage::allocate_table(size_t bytes) { return heap::allocate(bytes, bytes); }

namespace {

uint64_t page_of(uint64_t address) { return address & ~(PAGE_SIZE - 1); }

// The G-stage permissions of an area. Linux on RISC-V makes a writable page
// readable too (write-only is a reserved encoding of the page table).
uint64_t pte_flags(uint32_t prot) {
    uint64_t flags = 0;
    if (prot & prot::READ) flags |= gstage::READ;
    if (prot & prot::WRITE) flags |= gstage::READ | gstage::WRITE;
    if (prot & prot::EXEC) flags |= gstage::EXECUTE;
    if (flags == 0) return gstage::POPULATED;  // PROT_NONE: kept, but invalid
    return flags | gstage::USER | gstage::ACCESSED | gstage::DIRTY | gstage::VALID |
           gstage::POPULATED;
}

bool allows(uint32_t area_prot, uint32_t access) {
    if (access == prot::READ) return area_prot & (prot::READ | prot::WRITE);
    return (area_prot & access) == access;
}

}  // namespace

GuestMemory::GuestMemory(uint64_t pool_bytes) {
    const uint64_t pages = pool_bytes / PAGE_SIZE;
    pool_.init(static_cast<uint8_t*>(heap::allocate_uninitialized(pages * PAGE_SIZE, PAGE_SIZE)),
               pages);
}

void GuestMemory::activate() const {
    riscv::write_hgatp(table_.hgatp());
    if (riscv::read_hgatp() != table_.hgatp())
        PANIC("this hart does not support Sv39x4 G-stage translation (hgatp reads {:#x})",
              riscv::read_hgatp());
    riscv::hfence_gvma_all();
}

size_t GuestMemory::index_of(uint64_t address) const {
    size_t low = 0, high = areas_.size();
    while (low < high) {  // binary search: a program may have thousands of areas
        const size_t middle = (low + high) / 2;
        if (areas_[middle].end <= address) low = middle + 1;
        else high = middle;
    }
    return low;
}

const Area* GuestMemory::find(uint64_t address) const {
    const size_t i = index_of(address);
    return i < areas_.size() && areas_[i].start <= address ? &areas_[i] : nullptr;
}

bool GuestMemory::is_free(uint64_t start, uint64_t end) const {
    const size_t i = index_of(start);
    return i == areas_.size() || areas_[i].start >= end;
}

bool GuestMemory::add(uint64_t start, uint64_t end, uint32_t prot, const char* name) {
    const size_t i = index_of(start);
    // Next to an area just like it: grow that one (as Linux merges its
    // VMAs), so that a program that maps and maps does not run out of areas.
    if (i > 0 && areas_[i - 1].end == start && areas_[i - 1].prot == prot &&
        areas_[i - 1].name == name) {
        areas_[i - 1].end = end;
        return true;
    }
    if (areas_.size() >= MAX_AREAS) return false;
    areas_.insert(i, {start, end, prot, name});
    return true;
}

uint64_t GuestMemory::find_free(uint64_t size, uint64_t low, uint64_t high) const {
    if (size == 0 || size > high - low) return 0;
    uint64_t top = high;  // the free range being looked at ends here
    for (size_t i = areas_.size(); i-- > 0;) {
        const Area& area = areas_[i];
        if (area.start >= top) continue;
        const uint64_t bottom = area.end > low ? area.end : low;
        if (top > bottom && top - bottom >= size) return top - size;
        top = area.start;
        if (top <= low) return 0;
    }
    return top - low >= size ? top - size : 0;
}

void GuestMemory::split_at(uint64_t address) {
    const size_t i = index_of(address);
    if (i == areas_.size() || areas_[i].start >= address) return;  // no area across it
    Area right = areas_[i];
    right.start = address;
    areas_[i].end = address;
    areas_.insert(i + 1, right);
}

uint8_t* GuestMemory::populate(uint64_t page, uint32_t prot) {
    uint8_t* memory = pool_.allocate();
    if (memory == nullptr) {
        out_of_memory_ = true;
        return nullptr;
    }
    *table_.leaf(page, true) = gstage::PageTable::entry_for(reinterpret_cast<uint64_t>(memory),
                                                            pte_flags(prot));
    // The hart may have remembered that the page was not there.
    riscv::hfence_gvma_all();
    return memory;
}

void GuestMemory::release(uint64_t start, uint64_t end) {
    for (uint64_t page = start; page < end;) {
        uint64_t* entry = table_.leaf(page, false);
        if (entry == nullptr) {  // no leaf table here: nothing was ever populated in these 2 MiB
            page = (page | (memlayout::MEGAPAGE - 1)) + 1;
            continue;
        }
        if (*entry & gstage::POPULATED)
            pool_.free(reinterpret_cast<uint8_t*>(gstage::PageTable::host_of(*entry)));
        *entry = 0;
        page += PAGE_SIZE;
    }
    riscv::hfence_gvma_all();
}

void GuestMemory::remove(uint64_t start, uint64_t end) {
    unseal(start, end);
    split_at(start);
    split_at(end);
    release(start, end);
    size_t i = index_of(start);
    while (i < areas_.size() && areas_[i].end <= end) areas_.erase(i);
}

void GuestMemory::discard(uint64_t start, uint64_t end) {
    unseal(start, end);
    release(start, end);
}

void GuestMemory::reset(bool keep_sealed) {
    if (!keep_sealed) sealed_count_ = 0;
    for (size_t i = 0; i < areas_.size();) {
        if (sealed(areas_[i].start, areas_[i].end)) i++;
        else remove(areas_[i].start, areas_[i].end);
    }
    out_of_memory_ = false;
    riscv::hfence_gvma_all();  // no translation of the last program's pages may survive
}

void GuestMemory::seal(uint64_t start, uint64_t end) {
    if (sealed_count_ < sizeof sealed_ / sizeof sealed_[0]) sealed_[sealed_count_++] = {start, end};
}

bool GuestMemory::sealed(uint64_t start, uint64_t end) const {
    for (size_t i = 0; i < sealed_count_; i++)
        if (sealed_[i].start == start && sealed_[i].end == end) return true;
    return false;
}

void GuestMemory::unseal(uint64_t start, uint64_t end) {
    for (size_t i = 0; i < sealed_count_;) {
        if (sealed_[i].start < end && start < sealed_[i].end) sealed_[i] = sealed_[--sealed_count_];
        else i++;
    }
}

bool GuestMemory::protect(uint64_t start, uint64_t end, uint32_t new_prot) {
    for (uint64_t at = start; at < end;) {  // no hole, or nothing changes
        const Area* area = find(at);
        if (area == nullptr) return false;
        at = area->end;
    }
    unseal(start, end);
    split_at(start);
    split_at(end);
    for (size_t i = index_of(start); i < areas_.size() && areas_[i].start < end; i++)
        areas_[i].prot = new_prot;
    for (uint64_t page = start; page < end; page += PAGE_SIZE) {
        uint64_t* entry = table_.leaf(page, false);
        if (entry != nullptr && (*entry & gstage::POPULATED))
            *entry = gstage::PageTable::entry_for(gstage::PageTable::host_of(*entry),
                                                  pte_flags(new_prot));
    }
    riscv::hfence_gvma_all();
    return true;
}

bool GuestMemory::one_area(uint64_t start, uint64_t end) const {
    const Area* area = find(start);
    return area != nullptr && end <= area->end;
}

void GuestMemory::resize(uint64_t end, uint64_t new_end) {
    split_at(end);
    const size_t i = index_of(end - 1);
    unseal(areas_[i].start, end > new_end ? end : new_end);
    if (new_end < end) release(new_end, end);
    if (new_end == areas_[i].start) areas_.erase(i);
    else areas_[i].end = new_end;
}

void GuestMemory::move(uint64_t start, uint64_t end, uint64_t to) {
    unseal(start, end);
    split_at(start);
    split_at(end);
    const size_t i = index_of(start);
    const Area moved{to, to + (end - start), areas_[i].prot, areas_[i].name};
    areas_.erase(i);
    for (uint64_t page = start; page < end; page += PAGE_SIZE) {
        uint64_t* entry = table_.leaf(page, false);
        if (entry == nullptr || !(*entry & gstage::POPULATED)) continue;
        *table_.leaf(to + (page - start), true) = *entry;
        *entry = 0;
    }
    riscv::hfence_gvma_all();
    areas_.insert(index_of(to), moved);
}

bool GuestMemory::accessible(uint64_t address, uint64_t size, uint32_t access) const {
    if (size == 0) return true;
    const uint64_t end = address + size;
    if (end < address) return false;  // wraps around: no program owns that
    for (uint64_t at = address; at < end;) {
        const Area* area = find(at);
        if (area == nullptr || !allows(area->prot, access)) return false;
        at = area->end;
    }
    return true;
}

uint8_t* GuestMemory::host_address(uint64_t address, uint32_t access) {
    const Area* area = find(address);
    if (area == nullptr || !allows(area->prot, access)) return nullptr;
    const uint64_t page = page_of(address);
    const uint64_t* entry = table_.leaf(page, false);
    uint8_t* memory = entry != nullptr && (*entry & gstage::POPULATED)
                          ? reinterpret_cast<uint8_t*>(gstage::PageTable::host_of(*entry))
                          : populate(page, area->prot);
    return memory != nullptr ? memory + (address - page) : nullptr;
}

bool GuestMemory::fault(uint64_t address, uint32_t access) {
    const Area* area = find(address);
    if (area == nullptr || !allows(area->prot, access)) return false;
    const uint64_t* entry = table_.leaf(page_of(address), false);
    if (entry != nullptr && (*entry & gstage::POPULATED)) return false;  // there, and still refused
    return populate(page_of(address), area->prot) != nullptr;
}

void GuestMemory::print() const {
    println("[hypervisor] the program's memory: {} KiB at most (mem=); its areas:",
            pool_.total() * PAGE_SIZE / 1024);
    for (const Area& a : areas_)
        println("[hypervisor]   {:#010x}..{:#010x} {}{}{} {}", a.start, a.end,
                a.prot & prot::READ ? 'r' : '-', a.prot & prot::WRITE ? 'w' : '-',
                a.prot & prot::EXEC ? 'x' : '-', a.name);
}
