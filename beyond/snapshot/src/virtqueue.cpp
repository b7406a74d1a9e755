#include "virtqueue.hpp"

using namespace virtio;

namespace {

// Where a ring of `size` entries is in guest RAM, if all of it is, at an
// address aligned as the spec requires.
uint8_t* find_ring(const GuestMemory& memory, uint64_t address, uint64_t bytes, uint64_t alignment) {
    if (address % alignment != 0) return nullptr;
    return memory.host_pointer(address, bytes);
}

}  // namespace

const char* Virtqueue::start(GuestMemory& memory) {
    if (size == 0 || size > MAX_SIZE || (size & (size - 1)) != 0)
        return "queue size not a power of two up to QueueNumMax";
    uint8_t* table = find_ring(memory, descriptors, 16ull * size, 16);
    uint8_t* offered = find_ring(memory, available, 6 + 2ull * size, 2);
    uint8_t* given = find_ring(memory, used, 6 + 8ull * size, 4);
    if (table == nullptr || offered == nullptr || given == nullptr)
        return "a ring outside guest RAM, or misaligned";
    descriptor_table_ = reinterpret_cast<volatile Descriptor*>(table);
    available_ring_ = reinterpret_cast<volatile Available*>(offered);
    used_ring_ = reinterpret_cast<volatile Used*>(given);
    next_available_ = available_ring_->index;  // what it offered before is not ours
    next_used_ = used_ring_->index;
    log_ = &memory.dirty_log();
    ready_ = true;
    return nullptr;
}

void Virtqueue::reset() { *this = Virtqueue{}; }

const char* Virtqueue::pop(GuestMemory& memory, Chain& chain, bool& empty) {
    const uint16_t offered = available_ring_->index;  // read once: the guest may change it
    empty = offered == next_available_;
    if (empty) return nullptr;
    if (static_cast<uint16_t>(offered - next_available_) > size)
        return "the available index ran more than a queue ahead";
    __atomic_thread_fence(__ATOMIC_ACQUIRE);  // its entries, as they were when it moved the index
    const uint16_t head = available_ring_->ring[next_available_ % size];
    next_available_++;
    if (head >= size) return "a chain's head outside the descriptor table";

    chain.head = head;
    chain.count = 0;
    for (uint16_t index = head;;) {
        if (chain.count == size) return "a chain that loops";
        const Descriptor d{descriptor_table_[index].address, descriptor_table_[index].length,
                           descriptor_table_[index].flags, descriptor_table_[index].next};
        if (d.flags & ~(NEXT | WRITE)) return d.flags & INDIRECT ? "an indirect descriptor (not offered)"
                                                                  : "unknown descriptor flags";
        uint8_t* data = memory.host_pointer(d.address, d.length);
        if (data == nullptr) return "a buffer outside guest RAM";
        chain.buffers[chain.count++] = {data, d.length, (d.flags & WRITE) != 0};
        if (d.flags & WRITE) log_->log_write(d.address, d.length);  // the device may write it all
        if (!(d.flags & NEXT)) return nullptr;
        if (d.next >= size) return "a chain whose next is outside the descriptor table";
        index = d.next;
    }
}

void Virtqueue::push(uint16_t head, uint32_t written) {
    used_ring_->ring[next_used_ % size].id = head;
    used_ring_->ring[next_used_ % size].length = written;
    next_used_++;
    __atomic_thread_fence(__ATOMIC_RELEASE);  // the entry before the index that shows it
    used_ring_->index = next_used_;
    log_->log_write(used, 4 + 8ull * size);  // its index and ring
}

bool Virtqueue::interrupt_wanted() const { return !(available_ring_->flags & NO_INTERRUPT); }
