#include "virtio_block.hpp"

#include "host_disk.hpp"
#include "mem.hpp"

namespace {

constexpr uint64_t SEG_MAX = 1ull << 2;  // feature: config says how many data buffers
constexpr uint64_t SECTOR = 512;
constexpr uint32_t HEADER_SIZE = 16;     // type, reserved, sector
constexpr char DISK_ID[] = "riscv-hypervisor";  // GET_ID's answer (20 bytes at most)
constexpr uint8_t BROKEN = 0xff;  // not a status: the driver broke a rule, see fail()

void put_le(uint8_t* at, uint64_t value, unsigned bytes) {
    for (unsigned i = 0; i < bytes; i++) at[i] = static_cast<uint8_t>(value >> (8 * i));
}

uint64_t get_le(const uint8_t* at, unsigned bytes) {
    uint64_t value = 0;
    for (unsigned i = 0; i < bytes; i++) value |= static_cast<uint64_t>(at[i]) << (8 * i);
    return value;
}

}  // namespace

VirtioBlock::VirtioBlock(const GuestMemory& memory, Plic& plic, unsigned source)
    : VirtioMmio("virtio disk", memory, plic, source) {
    put_le(config_, host_disk::capacity(), 8);
    put_le(config_ + 12, host_disk::max_segments(), 4);  // seg_max (size_max at 8: not offered)
}

// Without SEG_MAX, Linux would send one data buffer per request.
uint64_t VirtioBlock::device_features() const { return SEG_MAX; }

uint64_t VirtioBlock::config(uint64_t offset) const {
    if (offset >= sizeof config_) return 0;
    const uint64_t left = sizeof config_ - offset;
    return get_le(config_ + offset, left < 8 ? static_cast<unsigned>(left) : 8);
}

void VirtioBlock::kicked(unsigned queue) {
    Virtqueue::Chain chain;
    bool used = false;
    while (pop(queue, chain)) {
        uint32_t written = 0;
        const uint8_t status = serve(chain, written);
        if (status == BROKEN) return;
        const Buffer& last = chain.buffers[chain.count - 1];
        last.data[0] = status;
        this->queue(queue).push(chain.head, written + 1);
        counts_.requests++;
        used = true;
    }
    if (used) used_buffers(queue);
}

// A request the disk would refuse anyway, refused here: an I/O error.
uint8_t VirtioBlock::refuse() {
    counts_.refused++;
    return host_disk::IO_ERROR;
}

uint8_t VirtioBlock::serve(const Virtqueue::Chain& chain, uint32_t& written) {
    const Buffer& first = chain.buffers[0];
    const Buffer& last = chain.buffers[chain.count - 1];
    if (chain.count < 2 || first.device_writes || first.size < HEADER_SIZE || !last.device_writes ||
        last.size < 1) {
        fail("a request without a readable header and a writable status byte");
        return BROKEN;
    }
    const auto type = static_cast<uint32_t>(get_le(first.data, 4));
    const uint64_t sector = get_le(first.data + 8, 8);

    host_disk::Segment segments[Virtqueue::MAX_SIZE];
    const unsigned count = chain.count - 2;
    uint64_t bytes = 0;
    for (unsigned i = 0; i < count; i++) {
        const Buffer& b = chain.buffers[1 + i];
        // The device writes the data of a read, and reads that of a write.
        if (b.device_writes != (type != host_disk::WRITE)) return refuse();
        segments[i] = {b.data, b.size};
        bytes += b.size;
    }

    if (type == host_disk::GET_ID) {
        if (count < 1) return refuse();
        const uint32_t n = segments[0].size < sizeof DISK_ID ? segments[0].size : sizeof DISK_ID;
        memcpy(segments[0].data, DISK_ID, n);
        written = n;
        return host_disk::OK;
    }
    if (type != host_disk::READ && type != host_disk::WRITE) return host_disk::UNSUPPORTED;
    if (bytes == 0 || bytes % SECTOR != 0 || sector > host_disk::capacity() ||
        bytes / SECTOR > host_disk::capacity() - sector || count > host_disk::max_segments())
        return refuse();

    const uint8_t status = host_disk::request(type, sector, segments, count);
    if (status == host_disk::OK && type == host_disk::READ) {
        written = static_cast<uint32_t>(bytes);
        counts_.sectors_read += bytes / SECTOR;
    } else if (status == host_disk::OK) {
        counts_.sectors_written += bytes / SECTOR;
    }
    return status;
}
