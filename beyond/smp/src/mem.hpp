// memset and friends, written in mem.cpp (there is no libc to provide them).
#pragma once
#include <stddef.h>

extern "C" {
void* memset(void* dest, int byte, size_t n);
void* memcpy(void* dest, const void* src, size_t n);
void* memmove(void* dest, const void* src, size_t n);
int memcmp(const void* a, const void* b, size_t n);
}
