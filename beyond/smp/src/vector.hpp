// Vector<T>: a growable array, the one container the hypervisor needs.
//
// It keeps the interface of std::vector that we use (push_back, size,
// operator[], range-for) and grows by doubling its capacity.
#pragma once
#include <stddef.h>

#include "alloc.hpp"
#include "print.hpp"

template <typename T>
class Vector {
public:
    Vector() = default;
    Vector(const Vector&) = delete;  // copying would share nothing safely
    Vector& operator=(const Vector&) = delete;

    void push_back(const T& value) {
        if (size_ == capacity_) grow(capacity_ == 0 ? 4 : capacity_ * 2);
        new (&items_[size_]) T(value);
        size_++;
    }

    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }

    T& operator[](size_t i) {
        if (i >= size_) PANIC("Vector: index {} out of range (size {})", i, size_);
        return items_[i];
    }
    const T& operator[](size_t i) const { return const_cast<Vector&>(*this)[i]; }

    T* begin() { return items_; }
    T* end() { return items_ + size_; }
    const T* begin() const { return items_; }
    const T* end() const { return items_ + size_; }

private:
    void grow(size_t capacity) {
        auto* bigger = static_cast<T*>(heap::allocate(capacity * sizeof(T), alignof(T)));
        for (size_t i = 0; i < size_; i++) {
            new (&bigger[i]) T(items_[i]);
            items_[i].~T();
        }
        items_ = bigger;  // the old array is left behind: a bump heap never frees
        capacity_ = capacity;
    }

    T* items_ = nullptr;
    size_t size_ = 0;
    size_t capacity_ = 0;
};
