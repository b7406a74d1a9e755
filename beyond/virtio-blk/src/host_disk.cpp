#include "host_disk.hpp"

#include "alloc.hpp"
#include "memlayout.hpp"
#include "print.hpp"
#include "riscv.hpp"
#include "virtio.hpp"

namespace host_disk {
namespace {

using namespace virtio;

constexpr uint32_t BLOCK_DEVICE = 2;
constexpr uint32_t ENTRIES = 128;            // in our one queue
constexpr uint64_t PATIENCE = 100'000'000;   // ticks of the 10 MHz `time`: 10 s

uintptr_t device = 0;  // its registers

volatile uint32_t& reg(uint64_t offset) { return *reinterpret_cast<volatile uint32_t*>(device + offset); }

void set_address(uint64_t low, const volatile void* where) {
    const auto address = reinterpret_cast<uintptr_t>(where);
    reg(low) = static_cast<uint32_t>(address);
    reg(low + 4) = static_cast<uint32_t>(address >> 32);
}

// The queue: its rings, in our memory. The device writes the used ring
// behind the compiler's back; the fences order our writes to the others.
Descriptor* descriptors = nullptr;
Available* available = nullptr;
volatile Used* used = nullptr;
uint16_t seen_used = 0;

// The header and status byte of the one request in flight.
struct Header {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
} header;
volatile uint8_t status;

uint64_t sectors = 0;

// The slots of QEMU's virt board: 8 pages of virtio-mmio registers, empty
// (device ID 0) unless a -device landed there.
uintptr_t find_device() {
    for (unsigned slot = 0; slot < memlayout::HOST_VIRTIO_SLOTS; slot++) {
        device = memlayout::HOST_VIRTIO_BASE + slot * memlayout::HOST_VIRTIO_SIZE;
        if (reg(MAGIC) != MAGIC_VALUE || reg(DEVICE_ID) != BLOCK_DEVICE) continue;
        if (reg(VERSION) != 2)
            PANIC("QEMU's virtio-mmio is the legacy one (version {}): start it with "
                  "-global virtio-mmio.force-legacy=false", reg(VERSION));
        return device;
    }
    return device = 0;
}

}  // namespace

bool start() {
    if (find_device() == 0) return false;
    // The handshake of virtio 1.x (section 3.1.1), as xv6 does it.
    reg(STATUS) = 0;
    reg(STATUS) = ACKNOWLEDGE;
    reg(STATUS) = ACKNOWLEDGE | DRIVER;
    reg(DEVICE_FEATURES_SELECT) = 1;
    if (!(reg(DEVICE_FEATURES) & (VERSION_1 >> 32))) PANIC("the disk does not offer VERSION_1");
    reg(DRIVER_FEATURES_SELECT) = 1;
    reg(DRIVER_FEATURES) = VERSION_1 >> 32;  // that, and nothing else
    reg(DRIVER_FEATURES_SELECT) = 0;
    reg(DRIVER_FEATURES) = 0;
    reg(STATUS) = ACKNOWLEDGE | DRIVER | FEATURES_OK;
    if (!(reg(STATUS) & FEATURES_OK)) PANIC("the disk refused our features");

    reg(QUEUE_SELECT) = 0;
    if (reg(QUEUE_SIZE_MAX) < ENTRIES) PANIC("the disk's queue holds {} entries, we need {}",
                                                reg(QUEUE_SIZE_MAX), ENTRIES);
    descriptors = static_cast<Descriptor*>(heap::allocate(sizeof(Descriptor) * ENTRIES, 4096));
    available = static_cast<Available*>(heap::allocate(6 + 2 * ENTRIES, 4096));
    used = static_cast<Used*>(heap::allocate(6 + 8 * ENTRIES, 4096));
    available->flags = NO_INTERRUPT;  // we watch the used ring instead
    reg(QUEUE_SIZE) = ENTRIES;
    set_address(QUEUE_DESCRIPTORS_LOW, descriptors);
    set_address(QUEUE_AVAILABLE_LOW, available);
    set_address(QUEUE_USED_LOW, used);
    reg(QUEUE_READY) = 1;
    reg(STATUS) = ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK;

    sectors = reg(CONFIG) | static_cast<uint64_t>(reg(CONFIG + 4)) << 32;  // config: capacity
    return true;
}

uint64_t capacity() { return sectors; }

unsigned max_segments() { return ENTRIES - 2; }  // and a header and a status

uint8_t request(uint32_t type, uint64_t sector, const Segment* segments, unsigned count) {
    if (count > max_segments()) return IO_ERROR;
    // The chain: header (the device reads it), the data, status (it writes it).
    header = {type, 0, sector};
    status = 0xff;
    descriptors[0] = {reinterpret_cast<uintptr_t>(&header), sizeof header, NEXT, 1};
    const uint16_t device_writes = type == WRITE ? 0 : virtio::WRITE;
    for (unsigned i = 0; i < count; i++)
        descriptors[1 + i] = {reinterpret_cast<uintptr_t>(segments[i].data), segments[i].size,
                              static_cast<uint16_t>(device_writes | NEXT),
                              static_cast<uint16_t>(2 + i)};
    descriptors[1 + count] = {reinterpret_cast<uintptr_t>(&status), 1, virtio::WRITE, 0};

    available->ring[available->index % ENTRIES] = 0;  // the chain's head
    __atomic_thread_fence(__ATOMIC_RELEASE);
    available->index = available->index + 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    reg(QUEUE_NOTIFY) = 0;  // the kick: QEMU starts the I/O

    const uint64_t deadline = riscv::read_time() + PATIENCE;
    while (used->index == seen_used)
        if (riscv::read_time() > deadline) PANIC("the disk has not answered a request in 10 s");
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    seen_used++;
    return status;
}

}  // namespace host_disk
