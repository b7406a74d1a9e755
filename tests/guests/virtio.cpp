// A guest that drives the virtio devices of beyond/virtio and
// beyond/virtio-blk (virtio-mmio at guest physical 0x10001000: the console,
// and 0x10002000: the disk) as a driver would, then as a hostile one.
//
// "virtio-queue": sets the device up, prints a line through the transmit
// queue; then breaks one rule at a time (a buffer outside its RAM, a
// length past the end of it, a chain that loops, an index that runs ahead,
// rings that are not in RAM...), each time reading the device's status
// (DEVICE_NEEDS_RESET expected), resetting it and setting it up again;
// and at the end prints through it once more.
// "virtio-keys": puts a receive buffer in the queue and waits for the
// keys the test types.
// "virtio-disk": reads sector 0 of the disk and writes sector 1; then
// requests the disk must refuse: past its end, a length that is not whole
// sectors, data the wrong way, an unknown type; and chains the device
// must refuse: a header it may write, no status byte.
#include "guest.hpp"

namespace {

constexpr uint64_t CONSOLE = 0x1000'1000, DISK = 0x1000'2000;
uint64_t device = CONSOLE;
enum : uint64_t {
    MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, DEVICE_FEATURES = 0x010,
    DEVICE_FEATURES_SELECT = 0x014, DRIVER_FEATURES = 0x020, DRIVER_FEATURES_SELECT = 0x024,
    QUEUE_SELECT = 0x030, QUEUE_SIZE_MAX = 0x034, QUEUE_SIZE = 0x038, QUEUE_READY = 0x044,
    QUEUE_NOTIFY = 0x050, INTERRUPT_STATUS = 0x060, INTERRUPT_ACK = 0x064, STATUS = 0x070,
    DESCRIPTORS = 0x080, AVAILABLE = 0x090, USED = 0x0a0,
};
constexpr uint32_t ACKNOWLEDGE = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8, NEEDS_RESET = 64;
constexpr uint16_t NEXT = 1, WRITE = 2, INDIRECT = 4;
constexpr unsigned RECEIVE = 0, TRANSMIT = 1, SIZE = 8;

volatile uint32_t& reg(uint64_t offset) { return *reinterpret_cast<volatile uint32_t*>(device + offset); }

struct Descriptor {
    uint64_t address;
    uint32_t length;
    uint16_t flags, next;
};
struct Available {
    uint16_t flags, index, ring[SIZE];
};
struct Used {
    uint16_t flags, index;
    struct {
        uint32_t id, length;
    } ring[SIZE];
};

// The rings of both queues, in our RAM, aligned as the spec asks.
struct alignas(4096) Rings {
    Descriptor descriptors[SIZE];
    Available available;
    alignas(4) Used used;
};
Rings rings[2];
char buffer[256];

void set_address(uint64_t offset, uint64_t address) {
    reg(offset) = static_cast<uint32_t>(address);
    reg(offset + 4) = static_cast<uint32_t>(address >> 32);
}

void set_up_queue(unsigned q, uint32_t size, uint64_t descriptors, uint64_t available, uint64_t used) {
    reg(QUEUE_SELECT) = q;
    reg(QUEUE_SIZE) = size;
    set_address(DESCRIPTORS, descriptors);
    set_address(AVAILABLE, available);
    set_address(USED, used);
    reg(QUEUE_READY) = 1;
}

void set_up_queue(unsigned q) {
    rings[q] = Rings{};
    set_up_queue(q, SIZE, reinterpret_cast<uint64_t>(&rings[q].descriptors),
                 reinterpret_cast<uint64_t>(&rings[q].available),
                 reinterpret_cast<uint64_t>(&rings[q].used));
}

// The handshake of virtio 1.x, section 3.1.1, with VERSION_1 only.
uint32_t start_device(uint32_t features_high = 1) {
    reg(STATUS) = 0;
    reg(STATUS) = ACKNOWLEDGE;
    reg(STATUS) = ACKNOWLEDGE | DRIVER;
    reg(DRIVER_FEATURES_SELECT) = 1;
    reg(DRIVER_FEATURES) = features_high;
    reg(DRIVER_FEATURES_SELECT) = 0;
    reg(DRIVER_FEATURES) = 0;
    reg(STATUS) = ACKNOWLEDGE | DRIVER | FEATURES_OK;
    if (!(reg(STATUS) & FEATURES_OK)) return reg(STATUS);
    set_up_queue(RECEIVE);
    if (device == CONSOLE) set_up_queue(TRANSMIT);
    reg(STATUS) = ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK;
    return reg(STATUS);
}

// Offer one chain (descriptors 0..count-1 as already filled) and kick.
void offer(unsigned q, uint16_t head, uint16_t index_step = 1) {
    Available& a = rings[q].available;
    a.ring[a.index % SIZE] = head;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    a.index = static_cast<uint16_t>(a.index + index_step);
    reg(QUEUE_NOTIFY) = q;
}

void print_through_the_queue(const char* text) {
    size_t n = 0;
    while (text[n] != '\0') buffer[n] = text[n], n++;
    rings[TRANSMIT].descriptors[0] = {reinterpret_cast<uint64_t>(buffer), static_cast<uint32_t>(n), 0, 0};
    offer(TRANSMIT, 0);
}

// One broken rule: set it up, kick, and see the device refuse.
void refused(const char* what, void (*break_it)(Descriptor* d), uint16_t head = 0) {
    start_device();
    Descriptor* d = rings[TRANSMIT].descriptors;
    d[0] = {reinterpret_cast<uint64_t>(buffer), 4, 0, 0};
    break_it(d);
    offer(TRANSMIT, head);
    say("virtio: {} -> status {}, used {}", what, reg(STATUS), rings[TRANSMIT].used.index);
}

void queue_rules() {
    say("virtio: magic {}, version {}, device {}, queue size max {}", reg(MAGIC), reg(VERSION),
        reg(DEVICE_ID), (reg(QUEUE_SELECT) = TRANSMIT, reg(QUEUE_SIZE_MAX)));
    reg(DEVICE_FEATURES_SELECT) = 1;
    say("virtio: features {} (high word)", reg(DEVICE_FEATURES));
    say("virtio: started, status {}", start_device());
    print_through_the_queue("virtio: this line went through the transmit queue\n");
    say("virtio: used {}, length {}", rings[TRANSMIT].used.index, rings[TRANSMIT].used.ring[0].length);

    refused("a buffer outside guest RAM", [](Descriptor* d) { d[0].address = 0x1000; });
    refused("a length past the end of RAM",
            [](Descriptor* d) { d[0] = {RAM_BASE + RAM_SIZE - 4, 16, 0, 0}; });
    refused("a length that wraps around", [](Descriptor* d) { d[0].length = 0xffff'ffff; });
    refused("a next outside the table", [](Descriptor* d) { d[0].flags = NEXT, d[0].next = 99; });
    refused("a chain that loops", [](Descriptor* d) { d[0].flags = NEXT, d[0].next = 0; });
    refused("an indirect descriptor", [](Descriptor* d) { d[0].flags = INDIRECT; });
    refused("a buffer for the device to write", [](Descriptor* d) { d[0].flags = WRITE; });
    refused("a head outside the table", [](Descriptor*) {}, 50);

    start_device();
    rings[TRANSMIT].descriptors[0] = {reinterpret_cast<uint64_t>(buffer), 4, 0, 0};
    offer(TRANSMIT, 0, SIZE + 1);
    say("virtio: an index that runs ahead -> status {}", reg(STATUS));

    reg(STATUS) = 0;
    start_device();
    reg(QUEUE_SELECT) = TRANSMIT;
    reg(QUEUE_READY) = 0;
    set_up_queue(TRANSMIT, 6, reinterpret_cast<uint64_t>(&rings[1].descriptors),
                 reinterpret_cast<uint64_t>(&rings[1].available),
                 reinterpret_cast<uint64_t>(&rings[1].used));
    say("virtio: a queue of 6 -> ready {}, status {}", reg(QUEUE_READY), reg(STATUS));
    start_device();
    reg(QUEUE_READY) = 0;
    set_up_queue(TRANSMIT, SIZE, 0x2000'0000, reinterpret_cast<uint64_t>(&rings[1].available),
                 reinterpret_cast<uint64_t>(&rings[1].used));
    say("virtio: rings outside RAM -> status {}", reg(STATUS));
    start_device();
    reg(QUEUE_READY) = 0;
    set_up_queue(TRANSMIT, SIZE, reinterpret_cast<uint64_t>(&rings[1].descriptors) + 8,
                 reinterpret_cast<uint64_t>(&rings[1].available),
                 reinterpret_cast<uint64_t>(&rings[1].used));
    say("virtio: a misaligned table -> status {}", reg(STATUS));
    say("virtio: without VERSION_1 -> status {}", start_device(0));

    reg(QUEUE_NOTIFY) = 7;  // no such queue: nothing happens
    reg(QUEUE_SELECT) = 5;
    say("virtio: queue 5 -> size max {}", reg(QUEUE_SIZE_MAX));
    say("virtio: after a reset, status {}", start_device());
    print_through_the_queue("virtio: and the queue works again\n");
    say("virtio: used {}", rings[TRANSMIT].used.index);
}

void keys() {
    say("virtio: started, status {}", start_device());
    rings[RECEIVE].descriptors[0] = {reinterpret_cast<uint64_t>(buffer), 16, WRITE, 0};
    offer(RECEIVE, 0);
    say("virtio: waiting for keys");
    volatile Used& used = rings[RECEIVE].used;  // the device writes it behind our back
    while (used.index == 0) {}
    const uint32_t got = used.ring[0].length;
    buffer[got] = '\0';
    say("virtio: {} keys in the receive buffer: {}, interrupt status {}", static_cast<int>(got), buffer,
        reg(INTERRUPT_STATUS));
}

// The disk: one queue (0), requests of a header, data, a status byte.
struct Request {
    uint32_t type, reserved;
    uint64_t sector;
} header;
uint8_t status;
char sector_data[1024];
constexpr uint32_t IN = 0, OUT = 1, GET_ID = 8;

uint64_t config64(uint64_t offset) {
    return reg(0x100 + offset) | static_cast<uint64_t>(reg(0x100 + offset + 4)) << 32;
}

// A chain of header, data (unless size 0), status; the status, or what
// the device says when it refuses the chain: its status register.
void disk_request(const char* what, uint32_t type, uint64_t sector, uint32_t size,
                  uint16_t data_flags, uint16_t header_flags = 0) {
    Descriptor* d = rings[0].descriptors;
    header = {type, 0, sector};
    status = 0xee;
    const uint16_t after_header = size != 0 ? 1 : 2;
    d[0] = {reinterpret_cast<uint64_t>(&header), sizeof header, static_cast<uint16_t>(header_flags | NEXT), after_header};
    d[1] = {reinterpret_cast<uint64_t>(sector_data), size, static_cast<uint16_t>(data_flags | NEXT), 2};
    d[2] = {reinterpret_cast<uint64_t>(&status), 1, WRITE, 0};
    const uint16_t before = rings[0].used.index;
    offer(0, 0);
    volatile Used& used = rings[0].used;
    if (used.index == before) {  // not given back: the device refused the chain
        say("disk: {} -> not served, device status {}", what, reg(STATUS));
        reg(STATUS) = 0;
        start_device();
        return;
    }
    say("disk: {} -> status {}, used length {}", what, static_cast<int>(status),
        static_cast<int>(used.ring[(used.index - 1) % SIZE].length));
}

void disk() {
    device = DISK;
    say("disk: device {}, started, status {}, {} sectors, seg_max {}", reg(DEVICE_ID),
        start_device(), static_cast<long>(config64(0)), reg(0x100 + 12));
    const uint64_t sectors = config64(0);
    disk_request("read sector 0", IN, 0, 512, WRITE);
    sector_data[40] = '\0';
    say("disk: sector 0 holds: {}", sector_data);
    const char text[] = "written by the guest to sector 1";
    for (size_t i = 0; i < sizeof text; i++) sector_data[i] = text[i];
    disk_request("write sector 1", OUT, 1, 512, 0);
    disk_request("GET_ID", GET_ID, 0, 20, WRITE);
    sector_data[16] = '\0';
    say("disk: its id: {}", sector_data);

    disk_request("read at the last sector + 1", IN, sectors, 512, WRITE);
    disk_request("read 2 sectors from the last one", IN, sectors - 1, 1024, WRITE);
    disk_request("read at sector 2^64 - 1", IN, ~0ull, 512, WRITE);
    disk_request("read 100 bytes", IN, 0, 100, WRITE);
    disk_request("read into a buffer the device may not write", IN, 0, 512, 0);
    disk_request("write from a buffer for the device to write", OUT, 1, 512, WRITE);
    disk_request("type 99", 99, 0, 512, WRITE);
    disk_request("a header the device may write", IN, 0, 512, WRITE, WRITE);
    disk_request("no data, no type", IN, 0, 0, 0);
    disk_request("read sector 0 again", IN, 0, 512, WRITE);
}

}  // namespace

extern "C" void guest_main(uint64_t, uint64_t) {
    if (action_is("virtio-queue")) queue_rules();
    else if (action_is("virtio-keys")) keys();
    else if (action_is("virtio-disk")) disk();
    else fail("virtio: unknown action");
    power_off();
}
