// An emulated 16550 UART, the serial port of QEMU's virt board, now with
// its interrupt: writes to its transmit register go to our console, the
// keys typed (host_console.hpp) are read from its receive register, and
// its interrupt line, wired to the guest's PLIC, says when there is a key
// to read or room to send.
#pragma once
#include <stdint.h>

#include "guest_memory.hpp"
#include "host_console.hpp"
#include "plic.hpp"

class Uart : public MmioDevice, public host_console::Reader {
public:
    Uart(Plic& plic, unsigned source) : plic_(&plic), source_(source) {}

    uint64_t read(uint64_t offset, unsigned width) override;
    void write(uint64_t offset, unsigned width, uint64_t value) override;

    // Keys have arrived for it: its line may go up.
    void keys_arrived() override { update_interrupt(); }

private:
    void update_interrupt();

    Plic* plic_;  // not a reference: a snapshot copies the device whole
    unsigned source_;  // its line on the PLIC
    // "Room to send" is an interrupt the guest asks for (IER) and that
    // reading the interrupt-ID register reports once; sending re-arms it.
    bool room_to_send_ = false;
    // The registers a driver may set and read back.
    uint8_t interrupt_enable_ = 0;
    uint8_t line_control_ = 0;
    uint8_t modem_control_ = 0;
    uint8_t scratch_ = 0;
    uint8_t divisor_low_ = 0;
    uint8_t divisor_high_ = 0;
};
