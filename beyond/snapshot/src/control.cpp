#include "control.hpp"

#include "alloc.hpp"
#include "guest_console.hpp"
#include "host_console.hpp"
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
constexpr uint32_t ENTRIES = 8;                // in each queue
constexpr uint32_t BUFFER = 4096;              // bytes, each of them

uintptr_t device = 0;
unsigned source = 0;

volatile uint32_t& reg(uint64_t offset) { return *reinterpret_cast<volatile uint32_t*>(device + offset); }

// One queue of ours: its rings and its buffers, in our memory. The device
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

    static void set_address(uint64_t low, const volatile void* where) {
        const auto address = reinterpret_cast<uintptr_t>(where);
        reg(low) = static_cast<uint32_t>(address);
        reg(low + 4) = static_cast<uint32_t>(address >> 32);
    }
};

Queue receive, transmit, control_out;

// Send `length` bytes of buffer 0 and wait until the device has taken
// them: for port 1, once the host has read them. A host that does not
// read stops us (and the guest), as a pipe stops its writer.
void send_buffer(Queue& queue, unsigned index, uint32_t length) {
    queue.offer(index, 0, length, 0);
    while (queue.used->index == queue.seen_used) {
    }
    queue.seen_used++;
}

// A control message (the spec's struct virtio_console_control).
void tell(ControlEvent event, uint16_t value) {
    const uint8_t message[8] = {PORT & 0xff, 0, 0, 0, static_cast<uint8_t>(event), 0,
                                static_cast<uint8_t>(value), 0};
    memcpy(control_out.buffer(0), message, sizeof message);
    send_buffer(control_out, CONTROL_TRANSMIT, sizeof message);
}

// The frames coming in, as a stream: where we are in the used buffer being
// read, and in the frame being parsed.
struct Reader {
    bool reading = false;     // a used buffer is being read
    unsigned buffer = 0;      // which
    uint32_t length = 0, at = 0;
    uint8_t header[5] = {};
    unsigned header_got = 0;  // bytes of the header read
    uint32_t payload_left = 0;
    bool paused = false;      // a command waits: read on only when it is carried out
} in;

bool next_buffer() {
    if (receive.used->index == receive.seen_used) return false;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    const volatile UsedElement& e = receive.used->ring[receive.seen_used % ENTRIES];
    in.buffer = e.id % ENTRIES;
    in.length = e.length <= BUFFER ? e.length : BUFFER;
    in.at = 0;
    in.reading = true;
    receive.seen_used++;
    return true;
}

// Take the frames' bytes, until there are none, or a command waits, or
// the keys' queue is full. Returns whether keys went into it.
bool read_frames() {
    bool keys = false;
    while (!in.paused && (in.reading || next_buffer())) {
        const uint8_t* data = receive.buffer(in.buffer);
        while (in.at < in.length && !in.paused) {
            if (in.header_got < sizeof in.header) {
                in.header[in.header_got++] = data[in.at++];
                if (in.header_got == sizeof in.header)
                    in.payload_left = in.header[1] | in.header[2] << 8 | in.header[3] << 16 |
                                      static_cast<uint32_t>(in.header[4]) << 24;
            } else if (in.payload_left > 0) {
                const uint8_t byte = data[in.at];
                if (in.header[0] == 'K') {
                    if (!host_console::accept_key(byte)) return keys;  // full: later
                    keys = true;
                } else if (in.header[0] == 'C') {
                    host_console::accept_command(static_cast<char>(byte));
                    in.paused = true;  // until resume()
                }
                in.at++;
                in.payload_left--;
            }
            if (in.header_got == sizeof in.header && in.payload_left == 0) in.header_got = 0;
        }
        if (in.at == in.length) {  // all of it read: give it back for more
            in.reading = false;
            receive.offer(RECEIVE, in.buffer, BUFFER, virtio::WRITE);
        }
    }
    return keys;
}

}  // namespace

bool start(uint64_t hart_id) {
    for (unsigned slot = 0; slot < memlayout::HOST_VIRTIO_SLOTS && device == 0; slot++) {
        device = memlayout::HOST_VIRTIO_BASE + slot * memlayout::HOST_VIRTIO_SIZE;
        if (reg(MAGIC) != MAGIC_VALUE || reg(DEVICE_ID) != CONSOLE_DEVICE) device = 0;
        else source = memlayout::HOST_VIRTIO_IRQ + slot;
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
    receive.set_up(RECEIVE, /*interrupts=*/true);
    transmit.set_up(TRANSMIT, /*interrupts=*/false);  // we wait for it ourselves
    control_out.set_up(CONTROL_TRANSMIT, /*interrupts=*/false);
    reg(STATUS) = ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK;
    for (unsigned i = 0; i < ENTRIES; i++) receive.offer(RECEIVE, i, BUFFER, virtio::WRITE);
    // Ready, and port 1 open: QEMU passes bytes both ways from now on.
    // (What it says back, on the control queue in, we do not need.)
    tell(DEVICE_READY, 1);
    tell(PORT_READY, 1);
    tell(PORT_OPEN, 1);

    // Its interrupt, to this hart's supervisor mode, as the UART's
    // (host_console.cpp: context 2 * hart + 1, its enable bits at 0x2000).
    volatile auto* plic = reinterpret_cast<volatile uint32_t*>(memlayout::HOST_PLIC);
    plic[source] = 1;  // priority
    volatile uint32_t& enable = plic[(0x2000 + 0x80 * (2 * hart_id + 1)) / 4];
    enable = enable | 1u << source;
    return true;
}

bool active() { return device != 0; }

unsigned interrupt_source() { return source; }

void on_interrupt() {
    reg(INTERRUPT_ACK) = reg(INTERRUPT_STATUS);  // or its line stays high
    poll();
}

void poll() {
    if (device != 0 && read_frames()) host_console::keys_arrived();
}

void resume() {
    in.paused = false;
    poll();
}

void report_line(const Line& line) {
    if (active()) return send('H', line.text, line.size);
    guest_console::start_line();
    println("{}", line.text);
}

void send(char kind, const void* data, size_t size) {
    uint8_t header[5] = {static_cast<uint8_t>(kind), static_cast<uint8_t>(size),
                         static_cast<uint8_t>(size >> 8), static_cast<uint8_t>(size >> 16),
                         static_cast<uint8_t>(size >> 24)};
    const auto* bytes = static_cast<const uint8_t*>(data);
    size_t done = 0;
    bool header_sent = false;
    while (!header_sent || done < size) {
        uint32_t length = 0;
        if (!header_sent) memcpy(transmit.buffer(0), header, sizeof header), length = sizeof header;
        const size_t part = size - done < BUFFER - length ? size - done : BUFFER - length;
        memcpy(transmit.buffer(0) + length, bytes + done, part);
        length += static_cast<uint32_t>(part);
        done += part;
        header_sent = true;
        send_buffer(transmit, TRANSMIT, length);
    }
}

}  // namespace control
