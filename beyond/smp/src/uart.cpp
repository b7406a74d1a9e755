#include "uart.hpp"

#include "sbi.hpp"

namespace {

// Register offsets. With LCR.DLAB set, offsets 0 and 1 are the baud divisor.
enum Register : uint64_t {
    DATA = 0,              // read: receive buffer; write: transmit holding
    INTERRUPT_ENABLE = 1,
    INTERRUPT_ID = 2,      // read; write: FIFO control
    LINE_CONTROL = 3,
    MODEM_CONTROL = 4,
    LINE_STATUS = 5,
    MODEM_STATUS = 6,
    SCRATCH = 7,
};

constexpr uint8_t LCR_DLAB = 0x80;
constexpr uint8_t LSR_TX_EMPTY = 0x20 | 0x40;  // THRE and TEMT: send at will
constexpr uint8_t IIR_NO_INTERRUPT = 0x01;

}  // namespace

uint64_t Uart::read(uint64_t offset, unsigned /*width*/) {
    const bool dlab = line_control_ & LCR_DLAB;
    switch (offset) {
        case DATA: return dlab ? divisor_low_ : 0;
        case INTERRUPT_ENABLE: return dlab ? divisor_high_ : interrupt_enable_;
        case INTERRUPT_ID: return IIR_NO_INTERRUPT;
        case LINE_CONTROL: return line_control_;
        case MODEM_CONTROL: return modem_control_;
        case LINE_STATUS: return LSR_TX_EMPTY;
        case SCRATCH: return scratch_;
        default: return 0;  // MODEM_STATUS and anything past the registers
    }
}

void Uart::write(uint64_t offset, unsigned /*width*/, uint64_t value) {
    const bool dlab = line_control_ & LCR_DLAB;
    const auto byte = static_cast<uint8_t>(value);
    switch (offset) {
        case DATA:
            if (dlab) divisor_low_ = byte;
            else sbi::console_putchar(static_cast<char>(byte));  // the guest prints
            break;
        case INTERRUPT_ENABLE:
            if (dlab) divisor_high_ = byte;
            else interrupt_enable_ = byte;
            break;
        case LINE_CONTROL: line_control_ = byte; break;
        case MODEM_CONTROL: modem_control_ = byte; break;
        case SCRATCH: scratch_ = byte; break;
        default: break;  // FIFO control and read-only registers: ignored
    }
}
