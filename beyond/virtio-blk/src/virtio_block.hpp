// The guest's disk as a virtio device (device ID 2), with one queue of
// requests, each a chain: a header the guest writes (read or write, which
// sector), the data buffers, and a status byte we write back.
//
// We serve a request by making it ours (host_disk.hpp): the machine's disk
// reads or writes the guest's buffers themselves, where they are in guest
// RAM, with no copy. Every part of the chain is the guest's, so each is
// checked first: the header readable and whole, the status writable, the
// data buffers of the direction the request says, a whole number of
// sectors, none past the end of the disk.
#pragma once
#include <stdint.h>

#include "virtio_mmio.hpp"

class VirtioBlock : public VirtioMmio {
public:
    VirtioBlock(const GuestMemory& memory, Plic& plic, unsigned source);

    struct Counts {
        uint64_t requests, sectors_read, sectors_written, refused;
    };
    Counts counts() const { return counts_; }

private:
    uint32_t device_id() const override { return 2; }
    uint64_t device_features() const override;
    unsigned queue_count() const override { return 1; }
    uint64_t config(uint64_t offset) const override;
    void kicked(unsigned queue) override;

    // One request: its status, and how many bytes we wrote into the chain.
    uint8_t serve(const Virtqueue::Chain& chain, uint32_t& written);
    uint8_t refuse();

    uint8_t config_[16] = {};  // capacity (64 bits), size_max, seg_max: little-endian
    Counts counts_{};
};
