#include "virtio_console.hpp"

#include "guest_console.hpp"

namespace {

constexpr unsigned RECEIVE = 0, TRANSMIT = 1;

VirtioConsole::Counts counts_{};

}  // namespace

VirtioConsole::Counts VirtioConsole::counts() { return counts_; }

void VirtioConsole::kicked(unsigned queue) {
    counts_.kicks++;
    if (queue == TRANSMIT) transmit();
    else receive();  // new empty buffers: keys may be waiting for them
}

void VirtioConsole::started() {
    host_console::hand_over_to(this);
    receive();
}

void VirtioConsole::stopped() { host_console::give_back(this); }

void VirtioConsole::transmit() {
    Virtqueue::Chain chain;
    bool used = false;
    while (pop(TRANSMIT, chain)) {
        for (uint32_t i = 0; i < chain.count; i++) {
            const Buffer& b = chain.buffers[i];
            if (b.device_writes) return fail("a transmit buffer for the device to write");
            guest_console::write(reinterpret_cast<const char*>(b.data), b.size);
            counts_.bytes_out += b.size;
        }
        queue(TRANSMIT).push(chain.head, 0);
        counts_.buffers_out++;
        used = true;
    }
    // Linux waits for these buffers by watching the used ring, not for an
    // interrupt, which would cost four more exits (claim, status,
    // acknowledge, complete) per kick: it can wait for our next tick.
    if (used) used_buffers(TRANSMIT, /*later=*/true);
}

void VirtioConsole::receive() {
    Virtqueue::Chain chain;
    bool used = false;
    while (host_console::waiting(this) && pop(RECEIVE, chain)) {
        uint32_t written = 0;
        for (uint32_t i = 0; i < chain.count; i++) {
            const Buffer& b = chain.buffers[i];
            if (!b.device_writes) return fail("a receive buffer the device may not write");
            for (uint32_t at = 0; at < b.size && host_console::waiting(this); at++, written++)
                b.data[at] = static_cast<uint8_t>(host_console::take(this));
        }
        queue(RECEIVE).push(chain.head, written);
        counts_.buffers_in++;
        counts_.bytes_in += written;
        used = true;
    }
    if (used) used_buffers(RECEIVE);
}
