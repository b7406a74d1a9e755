#include "uart.hpp"

#include "host_console.hpp"
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
constexpr uint8_t LSR_DATA_READY = 0x01;
constexpr uint8_t LSR_TX_EMPTY = 0x20 | 0x40;  // THRE and TEMT: send at will
constexpr uint8_t IER_RECEIVED_DATA = 0x01;    // interrupt: a key to read
constexpr uint8_t IER_TX_EMPTY = 0x02;         // interrupt: room to send
// The interrupt-ID register: which interrupt, most urgent first; the top
// bits say the FIFOs are on, as on any 16550A.
constexpr uint8_t IIR_NO_INTERRUPT = 0x01;
constexpr uint8_t IIR_TX_EMPTY = 0x02;
constexpr uint8_t IIR_RECEIVED_DATA = 0x04;
constexpr uint8_t IIR_FIFOS_ON = 0xc0;

}  // namespace

uint64_t Uart::read(uint64_t offset, unsigned /*width*/) {
    const bool dlab = line_control_ & LCR_DLAB;
    uint64_t value = 0;
    switch (offset) {
        case DATA:
            if (dlab) return divisor_low_;
            if (const long key = host_console::take(this); key >= 0) value = key;
            break;
        case INTERRUPT_ENABLE: return dlab ? divisor_high_ : interrupt_enable_;
        case INTERRUPT_ID:
            if ((interrupt_enable_ & IER_RECEIVED_DATA) && host_console::waiting(this)) {
                value = IIR_RECEIVED_DATA;
            } else if ((interrupt_enable_ & IER_TX_EMPTY) && room_to_send_) {
                value = IIR_TX_EMPTY;
                room_to_send_ = false;  // reported: cleared, as a 16550's is
            } else {
                value = IIR_NO_INTERRUPT;
            }
            value |= IIR_FIFOS_ON;
            break;
        case LINE_CONTROL: return line_control_;
        case MODEM_CONTROL: return modem_control_;
        case LINE_STATUS:
            return LSR_TX_EMPTY | (host_console::waiting(this) ? LSR_DATA_READY : 0);
        case SCRATCH: return scratch_;
        default: return 0;  // MODEM_STATUS and anything past the registers
    }
    update_interrupt();
    return value;
}

void Uart::write(uint64_t offset, unsigned /*width*/, uint64_t value) {
    const bool dlab = line_control_ & LCR_DLAB;
    const auto byte = static_cast<uint8_t>(value);
    switch (offset) {
        case DATA:
            if (dlab) {
                divisor_low_ = byte;
                return;
            }
            sbi::console_putchar(static_cast<char>(byte));  // the guest prints
            room_to_send_ = true;  // sent at once: room again
            break;
        case INTERRUPT_ENABLE:
            if (dlab) {
                divisor_high_ = byte;
                return;
            }
            // Asking for "room to send" while there is room raises it now.
            if ((byte & IER_TX_EMPTY) && !(interrupt_enable_ & IER_TX_EMPTY)) room_to_send_ = true;
            // The guest's driver wants its keys by interrupt: they are
            // its from now on, no longer the SBI console's.
            if (byte & IER_RECEIVED_DATA) host_console::hand_over_to(this);
            interrupt_enable_ = byte;
            break;
        case LINE_CONTROL: line_control_ = byte; return;
        case MODEM_CONTROL: modem_control_ = byte; return;
        case SCRATCH: scratch_ = byte; return;
        default: return;  // FIFO control and read-only registers: ignored
    }
    update_interrupt();
}

void Uart::update_interrupt() {
    const bool key = (interrupt_enable_ & IER_RECEIVED_DATA) && host_console::waiting(this);
    const bool room = (interrupt_enable_ & IER_TX_EMPTY) && room_to_send_;
    plic_->set_level(source_, key || room);
}
