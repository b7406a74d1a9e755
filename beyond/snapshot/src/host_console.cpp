#include "host_console.hpp"

#include "control.hpp"
#include "mem.hpp"
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

// The keys nobody has taken yet, oldest first, in a ring. When it is full
// and its reader still reads, the UART's interrupt goes off and keys wait
// there (and in QEMU behind it), none lost, until the reader makes room.
uint8_t queue[QUEUE_SIZE];
uint64_t first = 0, count = 0;
bool receiving = false;
Reader* reader = nullptr;  // the SBI console

uint64_t last_take = 0;  // `time`
constexpr uint64_t READER_PATIENCE = 10'000'000;  // ticks of the 10 MHz `time`: 1 s
uint64_t dropped_keys = 0;

bool escaped = false;  // the last key was Ctrl-]: the next one is a command
char command = 0;      // a command read and not carried out yet

void receive_interrupt(bool on) {
    receiving = on;
    uart(INTERRUPT_ENABLE) = on ? IER_RECEIVED_DATA : 0;
}

void enqueue(uint8_t key) {
    if (count == QUEUE_SIZE) {  // a reader that does not read: its keys go, ours never do
        dropped_keys++;
        return;
    }
    queue[(first + count++) % QUEUE_SIZE] = key;
}

bool reader_reads() { return riscv::read_time() - last_take < READER_PATIENCE; }

// What the UART holds, into the queue, up to a command. Returns whether
// keys arrived. The interrupt stays on while there is room (or a reader
// that does not read: then keys are dropped), and goes off at a command:
// the keys after it are left in the UART until it is carried out.
bool read_uart() {
    const uint64_t before = count;
    while (command == 0) {
        if (count == QUEUE_SIZE && reader_reads()) break;  // room comes: leave keys in the UART
        if (!(uart(LINE_STATUS) & LSR_DATA_READY)) break;
        const uint8_t key = uart(RECEIVE);
        if (escaped) {
            escaped = false;
            if (key == ESCAPE) enqueue(ESCAPE);
            else command = static_cast<char>(key);
        } else if (key == ESCAPE) {
            escaped = true;
        } else {
            enqueue(key);
        }
    }
    receive_interrupt(command == 0 && (count < QUEUE_SIZE || !reader_reads()));
    return count > before;
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
    if (source == memlayout::HOST_UART_IRQ && read_uart()) keys_arrived();
    else if (source != 0 && source == control::interrupt_source()) control::on_interrupt();
    if (source != 0) plic(claim_of(context)) = source;  // complete it
}

bool accept_key(uint8_t key) {
    if (count == QUEUE_SIZE && reader_reads()) return false;  // room comes: the frame waits
    enqueue(key);  // or dropped, if its reader does not read: the commands behind get through
    return true;
}

void accept_command(char key) {
    command = key;
    receive_interrupt(false);  // the UART's keys wait too
}

void keys_arrived() {
    if (reader != nullptr) reader->keys_arrived();
}

void hand_over_to(Reader* device) { reader = device; }

void give_back(const Reader* device) {
    if (reader == device) reader = nullptr;
}

long take(const Reader* who) {
    if (who != reader) return -1;
    last_take = riscv::read_time();
    if (count == 0) return -1;
    const uint8_t key = queue[first];
    first = (first + 1) % QUEUE_SIZE;
    count--;
    if (!receiving && command == 0) receive_interrupt(true);  // room again
    return key;
}

bool waiting(const Reader* who) { return who == reader && count > 0; }

char take_command() {
    const char taken = command;
    command = 0;
    return taken;
}

void read_on() {
    if (read_uart()) keys_arrived();
    control::resume();
}

void tick() {
    if (!receiving && command == 0 && read_uart() && reader != nullptr) reader->keys_arrived();
    if (command == 0) control::poll();  // its frames too, past a reader that stopped reading
}

uint64_t dropped() { return dropped_keys; }

void save(Saved& saved) {
    for (uint64_t i = 0; i < count; i++) saved.keys[i] = queue[(first + i) % QUEUE_SIZE];
    saved.count = count;
    saved.reader = reader;
}

void load(const Saved& saved) {
    memcpy(queue, saved.keys, saved.count);
    first = 0;
    count = saved.count;
    reader = saved.reader;
}

}  // namespace host_console
