// A lock for what the harts share: the console, the heap, the harts' life
// cycle. One hart holds it; the others spin until it is free. It is held
// for a few instructions (a line printed, a block allocated), never while
// a guest runs: a hart that waits for it is a hart whose guest waits too.
#pragma once
#include <stdint.h>

class SpinLock {
public:
    void lock() {
        while (!try_lock())
            while (__atomic_load_n(&locked_, __ATOMIC_RELAXED) != 0) {}  // read, not write, while it is held
    }
    bool try_lock() { return __atomic_exchange_n(&locked_, 1u, __ATOMIC_ACQUIRE) == 0; }
    void unlock() { __atomic_store_n(&locked_, 0u, __ATOMIC_RELEASE); }

private:
    uint32_t locked_ = 0;  // 32 bits: amoswap.w (GCC 12 has no inline 8-bit swap)
};

// Holds a lock until the end of the block.
class Locked {
public:
    explicit Locked(SpinLock& lock) : lock_(lock) { lock_.lock(); }
    ~Locked() { lock_.unlock(); }
    Locked(const Locked&) = delete;
    Locked& operator=(const Locked&) = delete;

private:
    SpinLock& lock_;
};
