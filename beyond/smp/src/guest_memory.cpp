#include "guest_memory.hpp"

#include "alloc.hpp"
#include "print.hpp"
#include "riscv.hpp"

// The G-stage table takes its memory from the hypervisor's heap.
void* gstage::allocate_table(size_t bytes) { return heap::allocate(bytes, bytes); }

void GuestMemory::add_ram(const char* name, uint64_t guest_base, uint64_t size) {
    // Room for the RAM and what comes with it (up to 2 MiB lost to its
    // alignment; its tables: one per 2 MiB, one per 1 GiB, a few spare), so
    // that too little is this message, not a heap panic about a table.
    constexpr uint64_t ALIGNMENT = 2 * 1024 * 1024;
    const uint64_t overhead = ALIGNMENT + ((size >> 21) + (size >> 30) + 4) * gstage::PAGE_SIZE;
    const uint64_t room = heap::bytes_free() > overhead ? heap::bytes_free() - overhead : 0;
    if (size > room)
        PANIC("guest RAM of {} MiB does not fit in the {} MiB of host RAM left: "
              "give QEMU more memory (-m)", size >> 20, room >> 20);
    // 2 MiB alignment leaves the door open to megapage mappings. Not
    // zeroed: no one has used this memory since power-on (a bump heap
    // never hands anything out twice), so it holds nothing of ours, and
    // zeroing 64 MiB would take a good part of the guest's boot time. (QEMU
    // starts with RAM zeroed; a hypervisor on real hardware would scrub
    // what the previous boot left there.)
    auto* host = static_cast<uint8_t*>(heap::allocate_uninitialized(size, ALIGNMENT));
    page_table_.map(guest_base, reinterpret_cast<uint64_t>(host), size, gstage::RWX);
    regions_.push_back({name, RegionKind::Ram, guest_base, size, host, nullptr});
}

void GuestMemory::add_mmio(const char* name, uint64_t guest_base, uint64_t size,
                           MmioDevice* device) {
    regions_.push_back({name, RegionKind::Mmio, guest_base, size, nullptr, device});
}

const Region* GuestMemory::find(uint64_t guest) const {
    for (const Region& region : regions_)
        if (region.contains(guest)) return &region;
    return nullptr;
}

uint8_t* GuestMemory::host_pointer(uint64_t guest, uint64_t size) const {
    const Region* region = find(guest);
    if (region == nullptr || region->kind != RegionKind::Ram) return nullptr;
    const uint64_t offset = guest - region->guest_base;
    if (size > region->size - offset) return nullptr;
    return region->host + offset;
}

void GuestMemory::activate() const {
    riscv::write_hgatp(page_table_.hgatp());
    if (riscv::read_hgatp() != page_table_.hgatp())
        PANIC("this hart does not support Sv39x4 G-stage translation (hgatp reads {:#x})",
              riscv::read_hgatp());
    riscv::hfence_gvma_all();
}

void GuestMemory::print() const {
    println("Guest physical memory:");
    for (const Region& r : regions_) {
        if (r.kind == RegionKind::Ram)
            println("  {:6} {:#010x}..{:#010x} RAM  {} MiB at host {}", r.name, r.guest_base,
                    r.guest_base + r.size, r.size >> 20, static_cast<const void*>(r.host));
        else
            println("  {:6} {:#010x}..{:#010x} MMIO unmapped: accesses exit", r.name,
                    r.guest_base, r.guest_base + r.size);
    }
}
