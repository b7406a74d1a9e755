// A virtio device, as the guest sees it: a page of registers (the
// "virtio-mmio" transport, version 2) and virtqueues in the guest's RAM.
//
// The registers are the same for every kind of device: the driver reads
// what the device is (its ID) and offers (its features), agrees on
// features, sets up each queue (where its rings are, how long), turns
// them on, and says it is ready (DRIVER_OK). Then it puts buffers in a
// queue and writes the queue's number to QueueNotify: the kick, a VM exit,
// on which the device does its work. When the device gives buffers back it
// sets a bit of InterruptStatus and raises its line on the PLIC; the driver
// reads why, acknowledges, and collects them.
//
// A kind of device (the console, the disk) derives from this class: its
// ID, its features, its configuration, and what a kick of each queue
// means. A driver that breaks the rules gets the device marked
// DEVICE_NEEDS_RESET: nothing more is done until it resets it.
#pragma once
#include <stdint.h>

#include "guest_memory.hpp"
#include "plic.hpp"
#include "print.hpp"
#include "virtio.hpp"
#include "virtqueue.hpp"

class VirtioMmio : public MmioDevice {
public:
    static constexpr unsigned MAX_QUEUES = 2;

    VirtioMmio(const char* name, GuestMemory& memory, Plic& plic, unsigned source)
        : memory_(&memory), name_(name), plic_(&plic), source_(source) {
        enlist();
    }

    uint64_t read(uint64_t offset, unsigned width) override;
    void write(uint64_t offset, unsigned width, uint64_t value) override;

    // At each tick of our own timer: the notifications put off, sent.
    static void tick_all();

protected:
    // What a kind of device says and does.
    virtual uint32_t device_id() const = 0;
    virtual uint64_t device_features() const { return 0; }  // beyond VERSION_1
    virtual unsigned queue_count() const = 0;
    virtual uint64_t config(uint64_t /*offset*/) const { return 0; }  // its configuration space
    virtual void kicked(unsigned queue) = 0;  // buffers in `queue` to look at
    virtual void started() {}                 // the driver is ready (DRIVER_OK)
    virtual void stopped() {}                 // the driver reset the device

    // For the device's work: its queues, ready to use only while running.
    bool running() const;
    Virtqueue& queue(unsigned index) { return queues_[index]; }
    // Take a chain from a queue; false when there is none, or the queue is
    // broken (then the device is marked so).
    bool pop(unsigned index, Virtqueue::Chain& chain);
    // Buffers given back: interrupt the driver, unless it asked not to be,
    // now or (`later`) at the next tick of our timer, or with the next
    // interrupt sent now, whichever comes first.
    void used_buffers(unsigned index, bool later = false);
    // The driver broke a rule: DEVICE_NEEDS_RESET, and say which.
    void fail(const char* why);

    // Pointers, not references: a snapshot copies the device whole.
    GuestMemory* memory_;

private:
    void enlist();
    void reset();
    void set_status(uint32_t status);
    void update_interrupt();
    Virtqueue* selected();

    const char* name_;
    Plic* plic_;
    unsigned source_;  // its line on the PLIC
    uint32_t status_ = 0;
    uint32_t interrupt_status_ = 0;
    bool notification_put_off_ = false;
    uint32_t device_features_select_ = 0, driver_features_select_ = 0;
    uint64_t driver_features_ = 0;
    uint32_t queue_select_ = 0;
    Virtqueue queues_[MAX_QUEUES];
};
