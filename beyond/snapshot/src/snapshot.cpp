#include "snapshot.hpp"

#include "alloc.hpp"
#include "mem.hpp"
#include "memlayout.hpp"
#include "print.hpp"
#include "riscv.hpp"

namespace {

// One page, 64 bytes per round: fewer loop instructions per byte than
// memcpy's 8, and copying is all a restore does.
void copy_page(uint8_t* to, const uint8_t* from) {
    auto* d = reinterpret_cast<uint64_t*>(to);
    auto* s = reinterpret_cast<const uint64_t*>(from);
    for (size_t i = 0; i < gstage::PAGE_SIZE / 8; i += 8) {
        const uint64_t a = s[i], b = s[i + 1], c = s[i + 2], e = s[i + 3];
        const uint64_t f = s[i + 4], g = s[i + 5], h = s[i + 6], k = s[i + 7];
        d[i] = a, d[i + 1] = b, d[i + 2] = c, d[i + 3] = e;
        d[i + 4] = f, d[i + 5] = g, d[i + 6] = h, d[i + 7] = k;
    }
}

}  // namespace

Snapshot::Snapshot(GuestMemory& memory, const Devices& devices)
    : memory_(memory), log_(memory.dirty_log()), devices_(devices), plic_copy_(devices.plic),
      uart_copy_(devices.uart), console_copy_(devices.console) {
    const Region* ram = memory.find(memlayout::GUEST_RAM_BASE);
    log_.watch(*ram, memory.page_table());
    ram_ = ram->host;
    if (heap::bytes_free() < ram->size + gstage::PAGE_SIZE)
        PANIC("no room for a snapshot of guest RAM ({} MiB) in the {} MiB of host RAM left: "
              "give QEMU more memory (-m)", ram->size >> 20, heap::bytes_free() >> 20);
    copy_ = static_cast<uint8_t*>(heap::allocate_uninitialized(ram->size, gstage::PAGE_SIZE));
}

Snapshot::Cost Snapshot::take(const Vcpu& vcpu) {
    const uint64_t start = riscv::read_time();
    cpu_ = save_cpu(vcpu);  // first: the guest's clock stops here, not after the copy
    size_t copied;
    if (!taken_) {  // the first: all of RAM
        for (size_t page = 0; page < log_.pages(); page++) copy_page(in_copy(page), in_ram(page));
        copied = log_.pages();
        log_.protect_all();
    } else {  // the copy differs from RAM only where the log says
        for (size_t i = 0; i < log_.count(); i++) copy_page(in_copy(log_.page(i)), in_ram(log_.page(i)));
        copied = log_.count();
        log_.protect_logged();
    }
    // The devices: each object is all of its state.
    plic_copy_ = devices_.plic;
    uart_copy_ = devices_.uart;
    console_copy_ = devices_.console;
    host_console::save(keys_);
    taken_ = true;
    taken_at_ = start;
    restores_ = 0;
    return {copied, riscv::read_time() - start};
}

Snapshot::Cost Snapshot::restore(Vcpu& vcpu) {
    const uint64_t start = riscv::read_time();
    const size_t copied = log_.count();
    for (size_t i = 0; i < copied; i++) copy_page(in_ram(log_.page(i)), in_copy(log_.page(i)));
    log_.protect_logged();
    restore_the_rest(vcpu);
    return {copied, riscv::read_time() - start};
}

Snapshot::Cost Snapshot::restore_full(Vcpu& vcpu) {
    const uint64_t start = riscv::read_time();
    for (size_t page = 0; page < log_.pages(); page++) copy_page(in_ram(page), in_copy(page));
    log_.protect_all();
    restore_the_rest(vcpu);
    return {log_.pages(), riscv::read_time() - start};
}

// After RAM: the CPU, the devices, and what the CPU may have cached of the
// guest that is now out of date.
void Snapshot::restore_the_rest(Vcpu& vcpu) {
    load_cpu(vcpu, cpu_);
    devices_.plic = plic_copy_;
    devices_.uart = uart_copy_;
    devices_.console = console_copy_;
    host_console::load(keys_);
    // The guest's own page tables are back as they were, and vsatp with
    // them: its cached translations (virtual to guest physical) may be
    // stale. (protect_logged() fenced the G-stage ones: hfence.gvma.)
    riscv::hfence_vvma_all();
    // Its code is back too, written by our stores: the instruction fetch of
    // this hart must see them, not what it fetched before.
    riscv::fence_i();
    restores_++;
}

size_t Snapshot::differing_pages(uint64_t& first) const {
    size_t differing = 0;
    for (size_t page = 0; page < log_.pages(); page++) {
        if (memcmp(in_ram(page), in_copy(page), gstage::PAGE_SIZE) == 0) continue;
        if (differing++ == 0) first = log_.guest_base() + page * gstage::PAGE_SIZE;
    }
    return differing;
}
