// The machine's disk, driven by the hypervisor: here we are the virtio
// driver, of the virtio-blk device QEMU puts in one of its virtio-mmio
// slots (make run DISK=image). It is the other side of virtio_block.hpp,
// where we are the device to the guest: each of the guest's requests
// becomes one of ours, with the guest's own buffers in it.
//
// xv6 has the same driver (kernel/virtio_disk.c): find the device, agree
// on features, give it a queue, then for each request a chain of three
// parts: a header (read or write, which sector), the data, and a status
// byte the device writes. xv6 sleeps until the disk's interrupt; we
// simply wait, watching the used ring, since the guest's vCPU has nothing
// else to do until its request is done.
#pragma once
#include <stdint.h>

namespace host_disk {

// Find QEMU's virtio block device in the virtio-mmio slots and set it up;
// false if there is none.
bool start();

uint64_t capacity();       // in sectors of 512 bytes
unsigned max_segments();   // data buffers per request

// Request types and status values (virtio-blk).
inline constexpr uint32_t READ = 0, WRITE = 1, GET_ID = 8;
inline constexpr uint8_t OK = 0, IO_ERROR = 1, UNSUPPORTED = 2;

// One request, done when this returns: its status. The segments are in
// our memory (guest RAM is), which the device reads or writes directly.
struct Segment {
    uint8_t* data;
    uint32_t size;
};
uint8_t request(uint32_t type, uint64_t sector, const Segment* segments, unsigned count);

}  // namespace host_disk
