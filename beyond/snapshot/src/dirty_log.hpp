// Which pages of guest RAM were written since the snapshot: the reason a
// restore can copy back a few hundred pages instead of all of guest RAM.
//
// The G-stage table maps guest RAM, and we own it. After a snapshot every
// page of it is mapped read-only (the guest can still read and run it). The
// first store to a page is then a store guest-page fault, a VM exit: we log
// the page, make it writable again, and let the store run again. Later
// stores to that page cost nothing. A restore copies back the logged pages
// only, and makes them read-only again.
//
// A guest store through the G-stage is not the only way guest RAM changes:
// the hypervisor writes it too (SBI console_read fills the guest's buffer),
// and it must log those pages itself: log_write().
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "page_table.hpp"

struct Region;

class DirtyLog {
public:
    // Watch the RAM region `ram`, which `table` maps with 4 KiB pages.
    void watch(const Region& ram, gstage::PageTable& table);

    // Forget the logged pages; make every page of RAM read-only.
    void protect_all();
    // Make the logged pages read-only again, and forget them.
    void protect_logged();

    // A store guest-page fault at guest physical `guest`: true if it is in
    // the RAM we watch, now logged and writable (the store may run again).
    bool log_store(uint64_t guest);
    // The hypervisor wrote [guest, guest + size) of guest RAM itself.
    void log_write(uint64_t guest, uint64_t size);
    // Log page number `page` of RAM (and make it writable), for a page that
    // must be copied back whether the guest stores to it or not.
    void log_page(size_t page);
    bool logged(size_t page) const { return (bitmap_[page / 64] >> (page % 64)) & 1; }

    // The logged pages, by number in RAM (0 = its first page), first logged first.
    size_t count() const { return count_; }
    size_t page(size_t i) const { return list_[i]; }

    size_t pages() const { return pages_; }  // of RAM
    uint64_t guest_base() const { return guest_base_; }

private:
    uint64_t& entry(size_t page) { return leaves_[page / gstage::ENTRIES][page % gstage::ENTRIES]; }

    uint64_t guest_base_ = 0;
    size_t pages_ = 0;
    uint64_t** leaves_ = nullptr;  // the leaf table of each 2 MiB of RAM
    uint64_t* bitmap_ = nullptr;   // one bit per page: logged
    uint32_t* list_ = nullptr;     // the logged pages, in the order they were logged
    size_t count_ = 0;
};
