#include "host_console.hpp"

#include "memlayout.hpp"
#include "riscv.hpp"

namespace host_console {
namespace {

// The machine's 16550 UART, the registers we use.
constexpr uint64_t RECEIVE = 0, INTERRUPT_ENABLE = 1, LINE_STATUS = 5;
constexpr uint8_t IER_RECEIVED_DATA = 0x01;  // interrupt when a key is waiting
constexpr uint8_t LSR_DATA_READY = 0x01;

volatile uint8_t& uart(uint64_t offset) {
    return *reinterpret_cast<volatile uint8_t*>(memlayout::HOST_UART + offset);
}

// The machine's PLIC: the UART's source, and our hart's context in it.
constexpr uint64_t PRIORITY = 0x000000, ENABLE = 0x002000, THRESHOLD = 0x200000, CLAIM = 0x200004;
uint64_t context = 0;

volatile uint32_t& plic(uint64_t offset) {
    return *reinterpret_cast<volatile uint32_t*>(memlayout::HOST_PLIC + offset);
}
uint64_t enable_of(uint64_t c) { return ENABLE + 0x80 * c; }
uint64_t claim_of(uint64_t c) { return CLAIM + 0x1000 * c; }

// The keys nobody has taken yet, oldest first, in a ring. When it is full,
// the UART's interrupt goes off and keys wait there (and in QEMU behind
// it), none lost, until a reader makes room.
constexpr uint64_t QUEUE_SIZE = 4096;
uint8_t queue[QUEUE_SIZE];
uint64_t first = 0, count = 0;
bool receiving = false;
Reader* reader = nullptr;  // the SBI console

void receive_interrupt(bool on) {
    receiving = on;
    uart(INTERRUPT_ENABLE) = on ? IER_RECEIVED_DATA : 0;
}

}  // namespace

void start(uint64_t hart_id) {
    // QEMU's virt board numbers the PLIC's contexts by hart, each hart's
    // machine mode first: supervisor mode is context 2 * hart + 1.
    context = 2 * hart_id + 1;
    plic(PRIORITY + 4 * memlayout::HOST_UART_IRQ) = 1;
    plic(enable_of(context)) = 1u << memlayout::HOST_UART_IRQ;
    plic(THRESHOLD + 0x1000 * context) = 0;
    receive_interrupt(true);
    riscv::set_sie(riscv::SIE_SEIE);  // taken while the guest runs (sstatus.SIE masks us only)
}

void on_interrupt() {
    const uint32_t source = plic(claim_of(context));
    const uint64_t before = count;
    while (count < QUEUE_SIZE && (uart(LINE_STATUS) & LSR_DATA_READY))
        queue[(first + count++) % QUEUE_SIZE] = uart(RECEIVE);
    if (count == QUEUE_SIZE) receive_interrupt(false);
    if (source != 0) plic(claim_of(context)) = source;  // complete it
    if (count > before && reader != nullptr) reader->keys_arrived();
}

void hand_over_to(Reader* device) { reader = device; }

void give_back(const Reader* device) {
    if (reader == device) reader = nullptr;
}

long take(const Reader* who) {
    if (who != reader || count == 0) return -1;
    const uint8_t key = queue[first];
    first = (first + 1) % QUEUE_SIZE;
    count--;
    if (!receiving) receive_interrupt(true);  // room again
    return key;
}

bool waiting(const Reader* who) { return who == reader && count > 0; }

}  // namespace host_console
