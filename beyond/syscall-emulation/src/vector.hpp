// Vector<T>: a growable array, the one container the hypervisor needs.
//
// It keeps the interface of std::vector that we use (push_back, insert,
// erase, size, operator[], range-for) and grows by doubling its capacity.
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

    // Insert before index `at` (at == size() appends), or remove the item at
    // `at`: the program's memory areas are kept sorted with them.
    void insert(size_t at, const T& value) {
        if (at > size_) PANIC("Vector: insert at {} past the end (size {})", at, size_);
        push_back(value);
        for (size_t i = size_ - 1; i > at; i--) items_[i] = items_[i - 1];
        items_[at] = value;
    }
    void erase(size_t at) {
        if (at >= size_) PANIC("Vector: erase at {} out of range (size {})", at, size_);
        for (size_t i = at; i + 1 < size_; i++) items_[i] = items_[i + 1];
        size_--;
        items_[size_].~T();
    }

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
