#include "dirty_log.hpp"

#include "alloc.hpp"
#include "guest_memory.hpp"
#include "print.hpp"
#include "riscv.hpp"

void DirtyLog::watch(const Region& ram, gstage::PageTable& table) {
    guest_base_ = ram.guest_base;
    pages_ = ram.size / gstage::PAGE_SIZE;
    const size_t tables = (pages_ + gstage::ENTRIES - 1) / gstage::ENTRIES;
    leaves_ = static_cast<uint64_t**>(heap::allocate(tables * sizeof(uint64_t*), 8));
    for (size_t t = 0; t < tables; t++) {
        leaves_[t] = table.leaf(guest_base_ + t * gstage::ENTRIES * gstage::PAGE_SIZE);
        if (leaves_[t] == nullptr) PANIC("guest RAM at {:#x} is not mapped with 4 KiB pages", guest_base_);
    }
    bitmap_ = static_cast<uint64_t*>(heap::allocate((pages_ + 63) / 64 * 8, 8));
    list_ = static_cast<uint32_t*>(heap::allocate(pages_ * sizeof(uint32_t), 4));
    // With henvcfg.ADUE on (Svadu), the CPU sets the A and D bits of the
    // guest's own page table entries itself, and QEMU does it without
    // asking for the G-stage's write permission: stores we would never
    // see. Off, a guest access to a page whose A (or D) bit is clear is a
    // page fault for the guest's kernel, which sets the bit with an
    // ordinary store. (QEMU 7.2 sets them itself either way, but only
    // where the guest left them clear, which Linux never does: see the
    // chapter.)
    riscv::clear_henvcfg(riscv::HENVCFG_ADUE);
}

void DirtyLog::protect_all() {
    for (size_t page = 0; page < pages_; page++) entry(page) &= ~uint64_t{gstage::WRITE};
    for (size_t i = 0; i < (pages_ + 63) / 64; i++) bitmap_[i] = 0;
    count_ = 0;
    // The CPU may still hold writable translations of these pages, through
    // which a store would go unlogged: forget them all.
    riscv::hfence_gvma_all();
}

void DirtyLog::protect_logged() {
    for (size_t i = 0; i < count_; i++) {
        entry(list_[i]) &= ~uint64_t{gstage::WRITE};
        bitmap_[list_[i] / 64] = 0;  // the whole word: its other logged pages are in the list too
    }
    count_ = 0;
    riscv::hfence_gvma_all();  // as above
}

void DirtyLog::log_page(size_t page) {
    if (logged(page)) return;
    bitmap_[page / 64] |= 1ull << (page % 64);
    list_[count_++] = static_cast<uint32_t>(page);
    entry(page) |= gstage::WRITE;
    // The CPU may keep the read-only translation it faulted on (QEMU does
    // not, real hardware may): the store would fault again, for ever.
    riscv::hfence_gvma(guest_base_ + page * gstage::PAGE_SIZE);
}

bool DirtyLog::log_store(uint64_t guest) {
    const uint64_t offset = guest - guest_base_;
    if (offset >= pages_ * gstage::PAGE_SIZE) return false;  // not RAM: a device, or nothing
    const size_t page = offset / gstage::PAGE_SIZE;
    if (logged(page)) riscv::hfence_gvma(guest);  // writable already: a stale translation
    else log_page(page);
    return true;
}

void DirtyLog::log_write(uint64_t guest, uint64_t size) {
    if (size == 0 || pages_ == 0) return;
    const uint64_t first = (guest - guest_base_) / gstage::PAGE_SIZE;
    const uint64_t last = (guest + size - 1 - guest_base_) / gstage::PAGE_SIZE;
    for (uint64_t page = first; page <= last && page < pages_; page++) log_page(page);
}
