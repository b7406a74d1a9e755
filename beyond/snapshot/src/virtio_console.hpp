// The guest's console as a virtio device (device ID 3): two queues, one
// for each direction.
//
//   transmit (queue 1)  the guest fills buffers with what it prints and
//                       kicks: one VM exit for a whole buffer, where the
//                       UART costs a few per character
//   receive (queue 0)   the guest keeps empty buffers here; each key
//                       typed goes into one, and an interrupt tells it
//
// Linux names it /dev/hvc1 (its SBI console is hvc0). Keys are the
// guest's SBI console's until this driver starts, and this device's from
// then on (host_console.hpp).
#pragma once
#include <stdint.h>

#include "host_console.hpp"
#include "virtio_mmio.hpp"

class VirtioConsole : public VirtioMmio, public host_console::Reader {
public:
    VirtioConsole(GuestMemory& memory, Plic& plic, unsigned source)
        : VirtioMmio("virtio console", memory, plic, source) {}

    void keys_arrived() override { receive(); }

    // What went through it, for the line after the exit table (kept
    // outside the device: a restore does not take them back).
    struct Counts {
        uint64_t kicks, buffers_out, bytes_out, buffers_in, bytes_in;
    };
    static Counts counts();

private:
    uint32_t device_id() const override { return 3; }
    unsigned queue_count() const override { return 2; }
    void kicked(unsigned queue) override;
    void started() override;
    void stopped() override;

    void transmit();  // print what the guest put in the transmit queue
    void receive();   // hand waiting keys to the guest's receive buffers
};
