#include "control.hpp"

#include "alloc.hpp"
#include "mem.hpp"
#include "memlayout.hpp"
#include "print.hpp"
#include "riscv.hpp"
#include "virtio.hpp"

namespace control {
namespace {

using namespace virtio;

// QEMU's virtio console in its multiport form, and its port 1: a
// `virtserialport` waits until the host has read what we send, where a
// `virtconsole` (port 0, the only one without MULTIPORT) drops whatever
// its socket cannot take at once. Port N's queues are 2N + 2 (in) and
// 2N + 3 (out), after port 0's and the control queues (2 in, 3 out).
constexpr uint32_t CONSOLE_DEVICE = 3;
constexpr uint64_t MULTIPORT = 1ull << 1;
constexpr uint32_t PORT = 1;
constexpr unsigned CONTROL_TRANSMIT = 3, RECEIVE = 2 * PORT + 2, TRANSMIT = 2 * PORT + 3;
enum ControlEvent : uint16_t { DEVICE_READY = 0, PORT_READY = 3, PORT_OPEN = 6 };
constexpr uint32_t ENTRIES = 8;                 // in each queue
constexpr uint32_t BUFFER = 16384;              // bytes, each buffer

uintptr_t device = 0;
unsigned source = 0;   // its line on the PLIC

// The PLIC's registers: a priority per line; per context (ours: our
// hart's supervisor mode, 2 * hart + 1), a word of enable bits, a
// threshold a line's priority must pass, and where we claim and complete.
constexpr uint64_t PRIORITY = 0x000000, ENABLE = 0x002000, THRESHOLD = 0x200000, CLAIM = 0x200004;
uint64_t context_enable = 0, context_registers = 0;

volatile uint32_t& plic(uint64_t offset) {
    return *reinterpret_cast<volatile uint32_t*>(memlayout::HOST_PLIC + offset);
}

volatile uint32_t& reg(uint64_t offset) { return *reinterpret_cast<volatile uint32_t*>(device + offset); }

void set_address(uint64_t low, const volatile void* where) {
    const auto address = reinterpret_cast<uintptr_t>(where);
    reg(low) = static_cast<uint32_t>(address);
    reg(low + 4) = static_cast<uint32_t>(address >> 32);
}

// One queue of ours: its rings and buffers, in our memory. The device
// writes the used ring behind the compiler's back.
struct Queue {
    Descriptor* descriptors = nullptr;
    Available* available = nullptr;
    volatile Used* used = nullptr;
    uint8_t* buffers = nullptr;  // ENTRIES of BUFFER bytes
    uint16_t seen_used = 0;

    uint8_t* buffer(unsigned i) const { return buffers + i * BUFFER; }

    void set_up(unsigned index, bool interrupts) {
        descriptors = static_cast<Descriptor*>(heap::allocate(sizeof(Descriptor) * ENTRIES, 4096));
        available = static_cast<Available*>(heap::allocate(6 + 2 * ENTRIES, 4096));
        used = static_cast<Used*>(heap::allocate(6 + 8 * ENTRIES, 4096));
        buffers = static_cast<uint8_t*>(heap::allocate(ENTRIES * BUFFER, 4096));
        if (!interrupts) available->flags = NO_INTERRUPT;
        reg(QUEUE_SELECT) = index;
        if (reg(QUEUE_SIZE_MAX) < ENTRIES) PANIC("the control channel's queues are too small");
        reg(QUEUE_SIZE) = ENTRIES;
        set_address(QUEUE_DESCRIPTORS_LOW, descriptors);
        set_address(QUEUE_AVAILABLE_LOW, available);
        set_address(QUEUE_USED_LOW, used);
        reg(QUEUE_READY) = 1;
    }

    // Offer buffer `i` to the device (`length` bytes of it, to read or write).
    void offer(unsigned index, unsigned i, uint32_t length, uint16_t flags) {
        descriptors[i] = {reinterpret_cast<uintptr_t>(buffer(i)), length, flags, 0};
        available->ring[available->index % ENTRIES] = static_cast<uint16_t>(i);
        __atomic_thread_fence(__ATOMIC_RELEASE);
        available->index = available->index + 1;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        reg(QUEUE_NOTIFY) = index;
    }
};

Queue receive_queue, transmit_queue, control_queue;

// Send `length` bytes of buffer 0 and wait until the device has taken
// them: for port 1, once the host has read them. A host that does not
// read stops us, as a pipe stops its writer; it has timeouts of its own.
void transmit(Queue& queue, unsigned index, uint32_t length) {
    queue.offer(index, 0, length, 0);
    while (queue.used->index == queue.seen_used) {
    }
    queue.seen_used++;
}

// A control message (the spec's struct virtio_console_control).
void tell(ControlEvent event, uint16_t value) {
    const uint8_t message[8] = {PORT & 0xff, 0, 0, 0, static_cast<uint8_t>(event), 0,
                                static_cast<uint8_t>(value), 0};
    memcpy(control_queue.buffer(0), message, sizeof message);
    transmit(control_queue, CONTROL_TRANSMIT, sizeof message);
}

// The bytes coming in, a used buffer at a time.
struct Stream {
    bool reading = false;
    unsigned buffer = 0;
    uint32_t length = 0, at = 0;
} in;

// Asleep until the channel's interrupt: the hart does nothing (and QEMU
// takes no host CPU) while no frame comes. We run with interrupts off, so
// the interrupt is not taken: pending and enabled in sie, it ends the wfi.
// Our timer must not end it: the watchdog is set again at the next start.
void sleep_until_interrupt() {
    riscv::write_stimecmp(~0ull);
    riscv::set_sie(riscv::SIE_SEIE);
    riscv::wfi();
    riscv::clear_sie(riscv::SIE_SEIE);  // a program must not be interrupted by it
    reg(INTERRUPT_ACK) = reg(INTERRUPT_STATUS);  // the device's line down...
    const uint32_t claimed = plic(context_registers + CLAIM);  // ...and the PLIC's
    if (claimed != 0) plic(context_registers + CLAIM) = claimed;
}

// A used buffer with bytes left in it, to read from; waits for one.
void wait_for_bytes() {
    while (!in.reading) {
        if (receive_queue.used->index == receive_queue.seen_used) {
            sleep_until_interrupt();
            continue;
        }
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        const volatile UsedElement& e = receive_queue.used->ring[receive_queue.seen_used % ENTRIES];
        in = {true, e.id % ENTRIES, e.length <= BUFFER ? e.length : BUFFER, 0};
        receive_queue.seen_used++;
        if (in.length == 0) {
            in.reading = false;
            receive_queue.offer(RECEIVE, in.buffer, BUFFER, virtio::WRITE);
        }
    }
}

}  // namespace

bool start(unsigned hart_id) {
    for (unsigned slot = 0; slot < memlayout::HOST_VIRTIO_SLOTS && device == 0; slot++) {
        device = memlayout::HOST_VIRTIO_BASE + slot * memlayout::HOST_VIRTIO_SIZE;
        source = 1 + slot;
        if (reg(MAGIC) != MAGIC_VALUE || reg(DEVICE_ID) != CONSOLE_DEVICE) device = 0;
    }
    if (device == 0) return false;
    if (reg(VERSION) != 2)
        PANIC("QEMU's virtio-mmio is the legacy one: start it with -global virtio-mmio.force-legacy=false");
    reg(STATUS) = 0;
    reg(STATUS) = ACKNOWLEDGE | DRIVER;
    reg(DEVICE_FEATURES_SELECT) = 0;
    if (!(reg(DEVICE_FEATURES) & MULTIPORT)) PANIC("the control channel's console has no MULTIPORT");
    reg(DRIVER_FEATURES_SELECT) = 1;
    reg(DRIVER_FEATURES) = VERSION_1 >> 32;
    reg(DRIVER_FEATURES_SELECT) = 0;
    reg(DRIVER_FEATURES) = MULTIPORT;
    reg(STATUS) = ACKNOWLEDGE | DRIVER | FEATURES_OK;
    if (!(reg(STATUS) & FEATURES_OK)) PANIC("the control channel refused our features");
    receive_queue.set_up(RECEIVE, /*interrupts=*/true);    // we sleep until frames come
    transmit_queue.set_up(TRANSMIT, /*interrupts=*/false);  // we wait for it ourselves
    control_queue.set_up(CONTROL_TRANSMIT, /*interrupts=*/false);
    reg(STATUS) = ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK;
    for (unsigned i = 0; i < ENTRIES; i++) receive_queue.offer(RECEIVE, i, BUFFER, virtio::WRITE);
    // Ready, and port 1 open: QEMU passes bytes both ways from now on.
    // (What it says back, on the control queue in, we do not need.)
    tell(DEVICE_READY, 1);
    tell(PORT_READY, 1);
    tell(PORT_OPEN, 1);

    // Its line, to our hart's supervisor mode. (OpenSBI 1.1 leaves that
    // context's threshold at 7, the highest: nothing would pass it.)
    const unsigned context = 2 * hart_id + 1;
    context_enable = ENABLE + 0x80 * context;
    context_registers = 0x1000 * context;
    plic(PRIORITY + 4 * source) = 1;
    plic(context_registers + THRESHOLD) = 0;
    plic(context_enable) = plic(context_enable) | 1u << source;
    return true;
}

bool active() { return device != 0; }

void send(char kind, const void* data, size_t size) {
    const uint8_t header[5] = {static_cast<uint8_t>(kind), static_cast<uint8_t>(size),
                               static_cast<uint8_t>(size >> 8), static_cast<uint8_t>(size >> 16),
                               static_cast<uint8_t>(size >> 24)};
    const auto* bytes = static_cast<const uint8_t*>(data);
    size_t done = 0;
    bool header_sent = false;
    while (!header_sent || done < size) {
        uint32_t length = 0;
        if (!header_sent) memcpy(transmit_queue.buffer(0), header, sizeof header), length = sizeof header;
        const size_t part = size - done < BUFFER - length ? size - done : BUFFER - length;
        memcpy(transmit_queue.buffer(0) + length, bytes + done, part);
        length += static_cast<uint32_t>(part);
        done += part;
        header_sent = true;
        transmit(transmit_queue, TRANSMIT, length);
    }
}

char next_frame(size_t& size) {
    uint8_t header[5];
    take(header, sizeof header);
    size = header[1] | header[2] << 8 | header[3] << 16 | static_cast<size_t>(header[4]) << 24;
    return static_cast<char>(header[0]);
}

void take(uint8_t* into, size_t size) {
    while (size > 0) {
        wait_for_bytes();
        const size_t n = in.length - in.at < size ? in.length - in.at : size;
        if (into != nullptr) memcpy(into, receive_queue.buffer(in.buffer) + in.at, n), into += n;
        in.at += n;
        size -= n;
        if (in.at == in.length) {  // all of it read: give it back for more
            in.reading = false;
            receive_queue.offer(RECEIVE, in.buffer, BUFFER, virtio::WRITE);
        }
    }
}

void skip(size_t size) { take(nullptr, size); }

}  // namespace control
