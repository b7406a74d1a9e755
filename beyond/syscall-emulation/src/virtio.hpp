// The virtio spec's numbers (version 1.x): what a device and its driver
// agree on, written once for both sides.
#pragma once
#include <stdint.h>

namespace virtio {

// The virtio-mmio transport's registers ("MMIO device register layout").
enum Register : uint64_t {
    MAGIC = 0x000,  // "virt"
    VERSION = 0x004,
    DEVICE_ID = 0x008,
    VENDOR_ID = 0x00c,
    DEVICE_FEATURES = 0x010,
    DEVICE_FEATURES_SELECT = 0x014,
    DRIVER_FEATURES = 0x020,
    DRIVER_FEATURES_SELECT = 0x024,
    QUEUE_SELECT = 0x030,
    QUEUE_SIZE_MAX = 0x034,
    QUEUE_SIZE = 0x038,
    QUEUE_READY = 0x044,
    QUEUE_NOTIFY = 0x050,
    INTERRUPT_STATUS = 0x060,
    INTERRUPT_ACK = 0x064,
    STATUS = 0x070,
    QUEUE_DESCRIPTORS_LOW = 0x080,
    QUEUE_DESCRIPTORS_HIGH = 0x084,
    QUEUE_AVAILABLE_LOW = 0x090,
    QUEUE_AVAILABLE_HIGH = 0x094,
    QUEUE_USED_LOW = 0x0a0,
    QUEUE_USED_HIGH = 0x0a4,
    CONFIG_GENERATION = 0x0fc,
    CONFIG = 0x100,  // the device type's own configuration
};
inline constexpr uint32_t MAGIC_VALUE = 0x7472'6976;  // "virt", little-endian

// Device status: set by the driver as it goes, but DEVICE_NEEDS_RESET.
inline constexpr uint32_t ACKNOWLEDGE = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8;
inline constexpr uint32_t DEVICE_NEEDS_RESET = 64, FAILED = 128;

inline constexpr uint64_t VERSION_1 = 1ull << 32;  // the feature of every modern device

// InterruptStatus: buffers given back; the device's state changed.
inline constexpr uint32_t USED_BUFFERS = 1, CONFIG_CHANGED = 2;

// A split virtqueue's three rings, in the driver's memory.
struct Descriptor {
    uint64_t address;
    uint32_t length;
    uint16_t flags;
    uint16_t next;
};
inline constexpr uint16_t NEXT = 1;      // the chain goes on at `next`
inline constexpr uint16_t WRITE = 2;     // the device writes this buffer
inline constexpr uint16_t INDIRECT = 4;  // a table of descriptors (not offered here)

struct Available {
    uint16_t flags;
    uint16_t index;
    uint16_t ring[];
};
inline constexpr uint16_t NO_INTERRUPT = 1;  // Available::flags: "do not interrupt me"

struct UsedElement {
    uint32_t id;
    uint32_t length;
};
struct Used {
    uint16_t flags;
    uint16_t index;
    UsedElement ring[];
};

}  // namespace virtio
