// A guest for beyond/snapshot: it takes snapshots and restores them
// itself, through the hypervisor's snapshot hypercall (SBI extension
// 0x0A004856, see beyond/snapshot/src/sandbox.hpp), and checks that all of
// it comes back, or does what a hostile guest would:
//
//   scribble        after a snapshot, overwrite every register, FP register,
//                   CSR, the UART's registers, RAM and code; after the
//                   restore, check that all of it is back (and the clock)
//   console-read    let the hypervisor fill a page with typed keys (SBI
//                   console_read), restore: the page must be back as it was
//   calls           the calls without a snapshot, unknown functions, a
//                   second take (which replaces the first)
//   restore-loop    restore the same snapshot 100 times
//   write-all       write every page of RAM between restores, three times
//   user-ecall      make the call from user mode: it must reach our own
//                   kernel (this guest), never the hypervisor
//   keys            print each key it reads, until 'q' (for the console's
//                   Ctrl-] commands)
#include "guest.hpp"

GUEST_CSR(sscratch)
GUEST_CSR(sepc)
GUEST_CSR(senvcfg)
GUEST_CSR(scounteren)

namespace {

constexpr long SNAPSHOT = 0x0A00'4856;
enum Function : long { TAKE = 0, RESTORE = 1, DIRTY_PAGES = 2, RESTORES = 3 };
constexpr long RESUMED = 1;  // take's value when the guest resumes from the snapshot
constexpr long INVALID_STATE = -10;
constexpr long CONSOLE_READ = 1;

constexpr uint64_t PAGE = 4096;
constexpr uint64_t TICKS_PER_MS = 10'000;  // QEMU virt's `time`: 10 MHz
constexpr uint64_t SSTATUS_FS_DIRTY = 3 << 13;  // FP on, and (as it soon is) written
constexpr uint64_t SSTATUS_SUM = 1 << 18;
constexpr uint64_t SSTATUS_MXR = 1 << 19;
constexpr uint64_t SIE_SSIE = 1 << 1;
constexpr uint64_t SIP_SSIP = 1 << 1;
constexpr uint64_t SENVCFG_FIOM = 1;

sbi::Result call(Function function) { return sbi::call(SNAPSHOT, function); }

extern "C" char __image_start[], __image_end[];  // linker.ld

void wait_ms(uint64_t ms) {
    const uint64_t until = read_time() + ms * TICKS_PER_MS;
    while (read_time() < until) {
    }
}

// ---------------------------------------------------------------- scribble

// Two page tables, each mapping the same: guest RAM's gigabyte (RWX) and
// the one below 1 GiB that holds the UART (RW), A and D set, as Linux does.
alignas(4096) uint64_t table_a[512], table_b[512];

uint64_t satp_for(uint64_t* table) {
    constexpr uint64_t SV39 = 8ull << 60;
    table[0] = (0ull >> 12) << 10 | 0xc7;            // V R W A D
    table[2] = (0x8000'0000ull >> 12) << 10 | 0xcf;  // V R W X A D
    return SV39 | reinterpret_cast<uint64_t>(table) >> 12;
}

// A function whose code the scribble changes.
[[gnu::noinline, gnu::aligned(4096)]] long probe() {
    register long value asm("a0");
    asm volatile(".option push\n.option norvc\n.global probe_li\nprobe_li: li a0, 1\n.option pop"
                 : "=r"(value));
    return value;
}
extern "C" uint32_t probe_li;

alignas(4096) uint8_t buffer[64 * 1024];  // RAM with a pattern

void fill(uint8_t seed) {
    for (size_t i = 0; i < sizeof buffer; i++) buffer[i] = static_cast<uint8_t>(i * 7 + seed);
}
bool filled(uint8_t seed) {
    for (size_t i = 0; i < sizeof buffer; i++)
        if (buffer[i] != static_cast<uint8_t>(i * 7 + seed)) return false;
    return true;
}

volatile uint8_t* const uart = reinterpret_cast<volatile uint8_t*>(UART_BASE);
constexpr int UART_LCR = 3, UART_SCRATCH = 7;

struct Csrs {
    uint64_t sstatus, sie, stvec, sscratch, sepc, scause, stval, satp, stimecmp, senvcfg,
        scounteren;
};
Csrs read_csrs() {
    return {read_sstatus(), read_sie(), read_stvec(), read_sscratch(), read_sepc(),
            read_scause(), read_stval(), read_satp(), read_stimecmp(), read_senvcfg(),
            read_scounteren()};
}
constexpr const char* CSR_NAMES[] = {"sstatus", "sie", "stvec", "sscratch", "sepc", "scause",
                                     "stval", "satp", "stimecmp", "senvcfg", "scounteren"};

Csrs expected;
uint64_t time_at_take;
int failures;

void check(bool ok, const char* what, uint64_t got = 0, uint64_t want = 0) {
    if (ok) return;
    say("FAIL scribble: {}: {} instead of {}", what, got, want);
    failures++;
}

// Interrupts taken while we look for pending ones.
volatile uint64_t interrupts_taken, last_interrupt;
void count_interrupt(TrapFrame&) {
    interrupts_taken = interrupts_taken + 1;
    last_interrupt = read_scause();
    write_sie(0);  // once is enough to know
}

}  // namespace

// snapshot_registers.S
extern "C" long take_scribble_restore();
extern "C" uint64_t resumed_x[32], resumed_x_end[], resumed_f[33];

// Called by take_scribble_restore between the snapshot and the restore:
// everything the snapshot must bring back, changed.
extern "C" void scribble() {
    fill(0x5b);
    probe_li = 0x0020'0513;  // li a0, 2
    asm volatile("fence.i" ::: "memory");
    if (probe() != 2) fail("scribble: the patched code did not run");
    write_satp(satp_for(table_b));
    asm volatile("sfence.vma" ::: "memory");
    write_sstatus(read_sstatus() | SSTATUS_SUM | SSTATUS_MXR);
    write_sie(0);
    write_stvec(0x8030'0000);
    write_sscratch(0xdead'0001);
    write_sepc(0xdead'0002);
    write_scause(0xdead'0003);
    write_stval(0xdead'0004);
    write_stimecmp(0);          // due now: pending, but masked (sstatus.SIE is 0)
    write_sip(SIP_SSIP);        // pending, masked too
    write_senvcfg(SENVCFG_FIOM);
    write_scounteren(~0ull);
    uart[UART_SCRATCH] = 0x5a;
    uart[UART_LCR] = 0x1b;
    wait_ms(300);  // the guest's clock moves on: the restore takes it back
}

namespace {

void scribble_test() {
    // The state the snapshot keeps.
    write_sstatus((read_sstatus() & ~SSTATUS_SIE) | SSTATUS_FS_DIRTY);
    write_satp(satp_for(table_a));
    asm volatile("sfence.vma" ::: "memory");
    install_trap_handler(count_interrupt);
    write_sie(SIE_SSIE | SIE_STIE);
    write_sscratch(0x5c5c'0001);
    write_sepc(0x5c5c'0002);
    write_scause(0x5c5c'0003);
    write_stval(0x5c5c'0004);
    write_stimecmp(read_time() + 1000 * TICKS_PER_MS * 100);  // in 100 s
    write_senvcfg(0);
    write_scounteren(0);
    uart[UART_SCRATCH] = 0xa5;
    uart[UART_LCR] = 0x03;
    fill(0xa5);
    expected = read_csrs();  // as the CPU keeps them (some bits are fixed)
    time_at_take = read_time();

    const long result = take_scribble_restore();
    const uint64_t elapsed = read_time() - time_at_take;
    const Csrs now = read_csrs();
    if (result != 1) fail("scribble: the restore returned");

    for (int n = 1; n < 32; n++) {
        uint64_t want = (0x5a5aull << 48) + n;
        if (n == 2) want = reinterpret_cast<uint64_t>(resumed_x_end);  // sp
        if (n == 10) want = 0;                                          // a0: success
        if (n == 11) want = RESUMED;                                    // a1
        if (n == 16) want = TAKE;                                       // a6
        if (n == 17) want = SNAPSHOT;                                   // a7
        check(resumed_x[n] == want, "an integer register", resumed_x[n], want);
    }
    for (int n = 0; n < 32; n++)
        check(resumed_f[n] == (0xf1f1ull << 48) + n, "an FP register", resumed_f[n],
              (0xf1f1ull << 48) + n);
    check(resumed_f[32] == 0x41, "fcsr", resumed_f[32], 0x41);
    const uint64_t* got = &now.sstatus;
    const uint64_t* want = &expected.sstatus;
    for (size_t i = 0; i < sizeof CSR_NAMES / sizeof CSR_NAMES[0]; i++)
        check(got[i] == want[i], CSR_NAMES[i], got[i], want[i]);
    check(uart[UART_SCRATCH] == 0xa5, "the UART's scratch register", uart[UART_SCRATCH], 0xa5);
    check(uart[UART_LCR] == 0x03, "the UART's line control", uart[UART_LCR], 0x03);
    check(filled(0xa5), "RAM");
    check(probe() == 1, "code", probe(), 1);
    // The clock went back: less time passed than scribble() waited.
    check(elapsed < 100 * TICKS_PER_MS, "ticks since the snapshot", elapsed, 100 * TICKS_PER_MS);
    // Nothing pending: the timer is 100 s away, no software interrupt. (Not
    // read from sip: QEMU 7.2 shows 0 there even when one is pending.)
    write_sstatus(read_sstatus() | SSTATUS_SIE);
    wait_ms(20);
    write_sstatus(read_sstatus() & ~SSTATUS_SIE);
    check(interrupts_taken == 0, "an interrupt pending after the restore, scause", last_interrupt, 0);
    check(call(RESTORES).value == 1, "restores", call(RESTORES).value, 1);
    if (failures == 0)
        say("scribble: integer and FP registers, CSRs, pending interrupts, the clock, the UART, "
            "RAM and code: all as they were");
}

// ---------------------------------------------------------------- the hypervisor's writes

alignas(4096) uint8_t keys_page[4096];  // written by the hypervisor only

void console_read_test() {
    if (call(TAKE).value != RESUMED) {
        say("console-read: type a line");
        size_t got = 0;
        while (got == 0 || keys_page[got - 1] != '\n') {
            const sbi::Result r = sbi::call(sbi::DBCN, CONSOLE_READ, sizeof keys_page - got,
                                            reinterpret_cast<uint64_t>(keys_page) + got, 0);
            if (r.error != 0) fail("console-read: console_read failed");
            got += r.value;
            if (got == sizeof keys_page) break;
        }
        say("console-read: read {} keys into the page; restoring", static_cast<long>(got));
        call(RESTORE);
        fail("console-read: the restore returned");
    }
    for (uint8_t byte : keys_page)
        if (byte != 0) fail("console-read: the keys are still in the page after the restore");
    say("console-read: the page is as it was before the keys");
}

// ---------------------------------------------------------------- hostile calls

volatile long marker;

void calls_test() {
    say("calls: without a snapshot: restore -> {}, dirty pages -> {}, restores -> {}",
        call(RESTORE).error, call(DIRTY_PAGES).error, call(RESTORES).error);
    say("calls: function 4 -> {}, function -1 -> {}", sbi::call(SNAPSHOT, 4).error,
        sbi::call(SNAPSHOT, -1).error);
    say("calls: probe_extension -> {}", sbi::call(sbi::BASE, 3, SNAPSHOT).value);
    marker = 1;
    const sbi::Result first = call(TAKE);
    if (first.value == RESUMED) fail("calls: resumed in the first take");
    say("calls: take -> {}, value {}", first.error, first.value);
    marker = 2;  // after the first snapshot, before the second
    const sbi::Result second = call(TAKE);
    if (second.value != RESUMED) {
        say("calls: take again -> {}, value {}", second.error, second.value);
        marker = 3;
        call(RESTORE);
        fail("calls: the restore returned");
    }
    say("calls: resumed in the second take, marker {}, restores {}", static_cast<long>(marker),
        call(RESTORES).value);
}

// ---------------------------------------------------------------- restore in a loop

constexpr long ROUNDS = 100;
alignas(4096) uint64_t scratch_page[512];

void restore_loop_test() {
    call(TAKE);
    const long round = call(RESTORES).value;
    for (uint64_t word : scratch_page)
        if (word != 0) fail("restore-loop: the page written before the restore is not back");
    if (round < ROUNDS) {
        for (uint64_t& word : scratch_page) word = round + 1;
        call(RESTORE);
        fail("restore-loop: the restore returned");
    }
    say("restore-loop: resumed {} times from one snapshot; each time, the page was back", round);
}

// ---------------------------------------------------------------- write all of RAM

constexpr long WRITE_ALL_ROUNDS = 3;

bool ours(uint64_t page) {
    return page >= reinterpret_cast<uint64_t>(__image_start) &&
           page < reinterpret_cast<uint64_t>(__image_end);
}
uint64_t word_for(uint64_t page) { return page * 0x9e37'79b9'7f4a'7c15ull; }

void write_all_test() {
    uint64_t pages = 0;
    for (uint64_t page = RAM_BASE; page < RAM_BASE + RAM_SIZE; page += PAGE) {
        if (ours(page)) continue;
        *reinterpret_cast<uint64_t*>(page) = word_for(page);
        pages++;
    }
    call(TAKE);
    const long round = call(RESTORES).value;
    for (uint64_t page = RAM_BASE; page < RAM_BASE + RAM_SIZE; page += PAGE)
        if (!ours(page) && *reinterpret_cast<uint64_t*>(page) != word_for(page))
            fail("write-all: a page is not back after the restore");
    if (round == WRITE_ALL_ROUNDS) {
        say("write-all: {} rounds; after each restore, all {} pages were back", round,
            static_cast<long>(pages));
        return;
    }
    for (uint64_t page = RAM_BASE; page < RAM_BASE + RAM_SIZE; page += PAGE)
        if (!ours(page)) *reinterpret_cast<uint64_t*>(page) = ~word_for(page);
    const long dirty = call(DIRTY_PAGES).value;
    say("write-all: round {}: wrote {} pages, dirty pages {}", round, static_cast<long>(pages),
        dirty);
    if (dirty < static_cast<long>(pages)) fail("write-all: fewer dirty pages than written");
    call(RESTORE);
    fail("write-all: the restore returned");
}

// ---------------------------------------------------------------- from user mode

asm(R"(
    .text
    .balign 4
user_take:
    li      a7, 0x0A004856
    li      a6, 0                  /* take */
    ecall                          /* to our own kernel: scause 8 */
1:  j       1b
)");
extern "C" char user_take[];

void user_ecall_handler(TrapFrame& frame) {
    say("user-ecall: our kernel got it: scause {}, a7 {}", static_cast<long>(read_scause()),
        frame.x[17]);
    say("user-ecall: restores -> {} (no snapshot was taken)", call(RESTORES).error);
    power_off();
}

void user_ecall_test() {
    install_trap_handler(user_ecall_handler);
    write_sstatus(read_sstatus() & ~SSTATUS_SPP);
    asm volatile("csrw sepc, %0\nsret" ::"r"(user_take));
}

// ---------------------------------------------------------------- keys

volatile long keys_read;

void keys_test() {
    say("keys: reading");
    for (;;) {
        uint8_t key;
        const sbi::Result r = sbi::call(sbi::DBCN, CONSOLE_READ, 1, reinterpret_cast<uint64_t>(&key), 0);
        if (r.error != 0) fail("keys: console_read failed");
        if (r.value == 0) continue;
        if (key == 'q') {
            say("keys: q after {} other keys", keys_read);
            return;
        }
        keys_read = keys_read + 1;
        say("keys: got {}", static_cast<unsigned>(key));
    }
}

}  // namespace

extern "C" void guest_main(uint64_t, uint64_t) {
    if (action_is("scribble")) scribble_test();
    else if (action_is("console-read")) console_read_test();
    else if (action_is("calls")) calls_test();
    else if (action_is("restore-loop")) restore_loop_test();
    else if (action_is("write-all")) write_all_test();
    else if (action_is("user-ecall")) user_ecall_test();
    else if (action_is("keys")) keys_test();
    else fail("snapshot: unknown action");
}
