// An emulated 16550 UART, the serial port of QEMU's virt board, as far as
// a guest needs it to print: writes to its transmit register go to our
// console, and its status register always says "ready to send".
#pragma once
#include <stdint.h>

#include "guest_memory.hpp"

class Uart : public MmioDevice {
public:
    uint64_t read(uint64_t offset, unsigned width) override;
    void write(uint64_t offset, unsigned width, uint64_t value) override;

private:
    // The registers a driver may set and read back; we only store them.
    uint8_t interrupt_enable_ = 0;
    uint8_t line_control_ = 0;
    uint8_t modem_control_ = 0;
    uint8_t scratch_ = 0;
    uint8_t divisor_low_ = 0;
    uint8_t divisor_high_ = 0;
};
