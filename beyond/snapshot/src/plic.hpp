// The guest's interrupt controller: an emulated PLIC (the "platform-level
// interrupt controller" of QEMU's virt board), for the guest's one hart.
//
// Devices raise numbered interrupt lines ("sources"); the guest's kernel
// gives each a priority, enables the ones it wants, and sets a threshold.
// When an enabled source is pending above the threshold, the hart gets an
// external interrupt: here we raise the guest's (hvip.VSEIP), which the
// CPU delivers straight to the guest (hideleg). The guest then claims the
// source (a read of the claim register: which one?), serves the device,
// and completes it (a write of the same register).
//
// Like every device here, it lives in an unmapped MMIO region: each of the
// guest's accesses to it is a VM exit, answered by read() and write().
//
// The sources are level-triggered, as a device's interrupt line is: a
// claimed source is not pending again until the guest completes it, and
// then only if its device still holds the line high.
#pragma once
#include <stdint.h>

#include "guest_memory.hpp"

class Plic : public MmioDevice {
public:
    static constexpr unsigned SOURCES = 32;  // source 0 means "none"

    // A device sets its line: high while it wants the guest's attention.
    void set_level(unsigned source, bool high);

    uint64_t read(uint64_t offset, unsigned width) override;
    void write(uint64_t offset, unsigned width, uint64_t value) override;

private:
    unsigned claim();
    void complete(unsigned source);
    // Raise or lower the guest's external interrupt to match.
    void update() const;
    uint32_t deliverable() const;  // pending, enabled and above the threshold

    uint32_t priority_[SOURCES] = {};
    uint32_t level_ = 0;    // the devices' lines, a bit per source
    uint32_t claimed_ = 0;  // claimed and not completed yet
    uint32_t enabled_ = 0;  // for the guest hart's supervisor mode (context 0)
    uint32_t threshold_ = 0;
};
