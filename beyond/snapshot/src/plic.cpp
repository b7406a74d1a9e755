#include "plic.hpp"

#include "riscv.hpp"

namespace {

// The PLIC's register map (one context: the guest hart in S-mode).
constexpr uint64_t PRIORITY = 0x000000;   // + 4 * source
constexpr uint64_t PENDING = 0x001000;    // a bit per source
constexpr uint64_t ENABLE = 0x002000;     // a bit per source, context 0
constexpr uint64_t THRESHOLD = 0x200000;  // context 0
constexpr uint64_t CLAIM = 0x200004;      // read: claim; write: complete
constexpr uint32_t PRIORITY_MASK = 7;     // priorities 0 (never) to 7
constexpr uint32_t REAL_SOURCES = ~1u;    // source 0 does not exist

}  // namespace

void Plic::set_level(unsigned source, bool high) {
    if (source == 0 || source >= SOURCES) return;
    if (high) level_ |= 1u << source;
    else level_ &= ~(1u << source);
    update();
}

// A source is pending while its line is high and it is not being served.
uint32_t Plic::deliverable() const {
    uint32_t ready = level_ & ~claimed_ & enabled_ & REAL_SOURCES;
    for (unsigned source = 1; source < SOURCES; source++)
        if (priority_[source] <= threshold_) ready &= ~(1u << source);
    return ready;
}

void Plic::update() const {
    if (deliverable() != 0) riscv::set_hvip(riscv::guest_interrupt::EXTERNAL);
    else riscv::clear_hvip(riscv::guest_interrupt::EXTERNAL);
}

// The highest priority wins; among equals, the lowest number.
unsigned Plic::claim() {
    const uint32_t ready = deliverable();
    unsigned best = 0;
    for (unsigned source = 1; source < SOURCES; source++)
        if ((ready & (1u << source)) && (best == 0 || priority_[source] > priority_[best]))
            best = source;
    if (best != 0) claimed_ |= 1u << best;
    update();
    return best;
}

void Plic::complete(unsigned source) {
    // The spec: a source not enabled for this context is silently ignored.
    if (source == 0 || source >= SOURCES || !(enabled_ & (1u << source))) return;
    claimed_ &= ~(1u << source);
    update();
}

// Registers are 32 bits wide; a narrower or wider access reads or writes
// the register it starts in (the guest has no reason to make one).
uint64_t Plic::read(uint64_t offset, unsigned /*width*/) {
    if (offset < PRIORITY + 4 * SOURCES) return priority_[offset / 4];
    if (offset == PENDING) return level_ & ~claimed_ & REAL_SOURCES;
    if (offset == ENABLE) return enabled_;
    if (offset == THRESHOLD) return threshold_;
    if (offset == CLAIM) return claim();
    return 0;  // the other sources' and contexts' registers: none here
}

void Plic::write(uint64_t offset, unsigned /*width*/, uint64_t value) {
    const auto word = static_cast<uint32_t>(value);
    if (offset < PRIORITY + 4 * SOURCES) {
        if (offset >= 4) priority_[offset / 4] = word & PRIORITY_MASK;
    } else if (offset == ENABLE) {
        enabled_ = word & REAL_SOURCES;
    } else if (offset == THRESHOLD) {
        threshold_ = word & PRIORITY_MASK;
    } else if (offset == CLAIM) {
        complete(word);
        return;
    } else {
        return;  // read-only (pending) or not there
    }
    update();
}
