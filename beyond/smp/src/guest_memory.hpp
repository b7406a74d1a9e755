// The guest's physical address space: which regions exist and what backs them.
//
// RAM regions are backed by host memory and mapped in the G-stage page
// table, so the guest reads and writes them at full speed. MMIO regions are
// deliberately left unmapped: every access to them traps to the hypervisor,
// which then plays the device.
#pragma once
#include <stdint.h>

#include "page_table.hpp"
#include "vector.hpp"

enum class RegionKind { Ram, Mmio };

// A device the hypervisor emulates behind an MMIO region. Offsets are from
// the region's base; width is 1, 2, 4 or 8 bytes.
struct MmioDevice {
    virtual uint64_t read(uint64_t offset, unsigned width) = 0;
    virtual void write(uint64_t offset, unsigned width, uint64_t value) = 0;
};

struct Region {
    const char* name;
    RegionKind kind;
    uint64_t guest_base;
    uint64_t size;
    uint8_t* host;         // RAM only: where its bytes live in host memory
    MmioDevice* device;    // MMIO only: who answers accesses

    bool contains(uint64_t guest) const { return guest - guest_base < size; }
};

class GuestMemory {
public:
    // Allocate host memory for guest RAM and map it, readable, writable, executable.
    void add_ram(const char* name, uint64_t guest_base, uint64_t size);
    // Record a device region; it stays unmapped so that accesses exit.
    void add_mmio(const char* name, uint64_t guest_base, uint64_t size, MmioDevice* device);

    // The region holding a guest physical address, or nullptr.
    const Region* find(uint64_t guest) const;
    // Host pointer for `size` bytes of guest RAM at `guest`, or nullptr if
    // they are not all inside one RAM region.
    uint8_t* host_pointer(uint64_t guest, uint64_t size) const;

    // Make the hart use our G-stage table (write hgatp, flush old translations).
    void activate() const;

    void print() const;

    const gstage::PageTable& page_table() const { return page_table_; }

private:
    Vector<Region> regions_;
    gstage::PageTable page_table_;
};
