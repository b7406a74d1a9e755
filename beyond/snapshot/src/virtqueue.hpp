// A virtqueue, the device's side: how a driver hands buffers to a device
// and gets them back, through three rings in the guest's own RAM.
//
//   descriptor table   each entry: a buffer (guest address, length), whether
//                      the device writes it, and the next one of its chain
//   available ring     the driver adds the head of each chain it offers,
//                      then moves its index on (and kicks: a VM exit)
//   used ring          the device adds each chain it is done with, with
//                      how many bytes it wrote, then moves its index on
//
// This is the "split" virtqueue of virtio 1.x. Every field of it is the
// guest's to write, whenever it likes: an address outside its RAM, a
// length past the end of it, a chain that loops, an index that jumps.
// The device reads each one once and checks it before use; a queue that
// breaks a rule is broken, and stays so until the driver resets it.
#pragma once
#include <stdint.h>

#include "guest_memory.hpp"
#include "virtio.hpp"

// One buffer of a chain, in our memory.
struct Buffer {
    uint8_t* data;
    uint32_t size;
    bool device_writes;  // the device fills it (else it reads it)
};

class Virtqueue {
public:
    static constexpr uint32_t MAX_SIZE = 128;  // entries: QueueNumMax

    // A chain the driver made available: its buffers, in order.
    struct Chain {
        uint16_t head;
        uint32_t count;
        Buffer buffers[MAX_SIZE];
    };

    // What the driver sets up before it turns the queue on.
    uint32_t size = 0;
    uint64_t descriptors = 0, available = 0, used = 0;  // guest physical addresses

    // The driver turns the queue on: check its rings lie in guest RAM and
    // find them there. Null: ready; else what is wrong.
    const char* start(GuestMemory& memory);
    void reset();
    bool ready() const { return ready_; }

    // Take the next chain the driver made available. Null: `chain` is it,
    // or `empty` says there was none; else what is wrong with it.
    const char* pop(GuestMemory& memory, Chain& chain, bool& empty);
    // Give a chain back to the driver, with how many bytes we wrote into it.
    void push(uint16_t head, uint32_t written);
    // Does the driver want an interrupt when we give buffers back?
    bool interrupt_wanted() const;

private:
    bool ready_ = false;
    DirtyLog* log_ = nullptr;  // the device's stores into guest RAM are ours: logged by hand
    volatile virtio::Descriptor* descriptor_table_ = nullptr;
    volatile virtio::Available* available_ring_ = nullptr;
    volatile virtio::Used* used_ring_ = nullptr;
    uint16_t next_available_ = 0;  // the next entry of the available ring we take
    uint16_t next_used_ = 0;       // the next entry of the used ring we fill
};
