#include "page_pool.hpp"

#include "mem.hpp"
#include "memlayout.hpp"

void PagePool::init(uint8_t* memory, uint64_t pages) {
    fresh_ = memory;
    end_ = memory + pages * memlayout::PAGE_SIZE;
    total_ = pages;
}

uint8_t* PagePool::allocate() {
    uint8_t* page = nullptr;
    if (free_list_ != nullptr) {
        page = reinterpret_cast<uint8_t*>(free_list_);
        free_list_ = free_list_->next;
    } else if (fresh_ < end_) {
        page = fresh_;
        fresh_ += memlayout::PAGE_SIZE;
    } else {
        return nullptr;
    }
    if (++in_use_ > peak_) peak_ = in_use_;
    // Always zeroed: a page given back holds what the program left in it,
    // and a fresh one may hold what QEMU loaded there (its device tree).
    return static_cast<uint8_t*>(memset(page, 0, memlayout::PAGE_SIZE));
}

void PagePool::free(uint8_t* page) {
    auto* node = reinterpret_cast<FreePage*>(page);
    node->next = free_list_;
    free_list_ = node;
    in_use_--;
}
