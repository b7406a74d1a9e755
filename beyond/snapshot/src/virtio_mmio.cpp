#include "virtio_mmio.hpp"

using namespace virtio;

namespace {

constexpr uint32_t VENDOR = 0x4856;  // "HV", as our SBI implementation ID

LogLimit refused{"refusals of a virtio driver"};

void set_half(uint64_t& value, bool high, uint64_t half) {
    value = high ? (value & 0xffff'ffff) | half << 32 : (value & ~0xffff'ffffull) | half;
}

}  // namespace

uint64_t VirtioMmio::read(uint64_t offset, unsigned /*width*/) {
    if (offset >= CONFIG) return config(offset - CONFIG);
    const uint64_t features = VERSION_1 | device_features();
    switch (offset) {
        case MAGIC: return MAGIC_VALUE;
        case VERSION: return 2;
        case DEVICE_ID: return device_id();
        case VENDOR_ID: return VENDOR;
        case DEVICE_FEATURES:
            return device_features_select_ == 0 ? features & 0xffff'ffff
                   : device_features_select_ == 1 ? features >> 32 : 0;
        case QUEUE_SIZE_MAX: return selected() ? Virtqueue::MAX_SIZE : 0;
        case QUEUE_READY: return selected() && selected()->ready();
        case INTERRUPT_STATUS: return interrupt_status_;
        case STATUS: return status_;
        case CONFIG_GENERATION: return 0;  // our configuration never changes
        default: return 0;  // write-only registers, and those not there
    }
}

void VirtioMmio::write(uint64_t offset, unsigned /*width*/, uint64_t value) {
    const auto word = static_cast<uint32_t>(value);
    Virtqueue* queue = selected();
    // A queue's set-up may change only while it is off.
    Virtqueue* settable = queue != nullptr && !queue->ready() ? queue : nullptr;
    switch (offset) {
        case DEVICE_FEATURES_SELECT: device_features_select_ = word; break;
        case DRIVER_FEATURES_SELECT: driver_features_select_ = word; break;
        case DRIVER_FEATURES:
            if (driver_features_select_ < 2) set_half(driver_features_, driver_features_select_, word);
            break;
        case QUEUE_SELECT: queue_select_ = word; break;
        case QUEUE_SIZE: if (settable) settable->size = word; break;
        case QUEUE_DESCRIPTORS_LOW:
        case QUEUE_DESCRIPTORS_HIGH:
            if (settable) set_half(settable->descriptors, offset == QUEUE_DESCRIPTORS_HIGH, word);
            break;
        case QUEUE_AVAILABLE_LOW:
        case QUEUE_AVAILABLE_HIGH:
            if (settable) set_half(settable->available, offset == QUEUE_AVAILABLE_HIGH, word);
            break;
        case QUEUE_USED_LOW:
        case QUEUE_USED_HIGH:
            if (settable) set_half(settable->used, offset == QUEUE_USED_HIGH, word);
            break;
        case QUEUE_READY:
            if (word == 1 && settable) {
                if (const char* wrong = settable->start(*memory_)) fail(wrong);
            } else if (word == 0 && queue != nullptr) {
                queue->reset();
            }
            break;
        case QUEUE_NOTIFY:  // the kick
            if (word < queue_count() && running() && queues_[word].ready()) kicked(word);
            break;
        case INTERRUPT_ACK:
            interrupt_status_ &= ~word;
            update_interrupt();
            break;
        case STATUS: set_status(word); break;
        default: break;  // read-only registers, and those not there
    }
}

void VirtioMmio::set_status(uint32_t status) {
    if (status == 0) return reset();
    const uint32_t was = status_;
    // Features are agreed only if the driver took VERSION_1 and nothing
    // we did not offer; otherwise FEATURES_OK does not stick, as the spec
    // says, and the driver gives up.
    const uint64_t offered = VERSION_1 | device_features();
    if ((status & FEATURES_OK) && !(was & FEATURES_OK) &&
        (!(driver_features_ & VERSION_1) || (driver_features_ & ~offered)))
        status &= ~FEATURES_OK;
    status_ = status | (was & DEVICE_NEEDS_RESET);
    if ((status_ & DRIVER_OK) && !(was & DRIVER_OK) && running()) started();
}

void VirtioMmio::reset() {
    stopped();
    for (Virtqueue& queue : queues_) queue.reset();
    status_ = interrupt_status_ = 0;
    notification_put_off_ = false;
    device_features_select_ = driver_features_select_ = queue_select_ = 0;
    driver_features_ = 0;
    update_interrupt();
}

Virtqueue* VirtioMmio::selected() {
    return queue_select_ < queue_count() ? &queues_[queue_select_] : nullptr;
}

bool VirtioMmio::running() const {
    return (status_ & DRIVER_OK) && (status_ & FEATURES_OK) && !(status_ & DEVICE_NEEDS_RESET);
}

bool VirtioMmio::pop(unsigned index, Virtqueue::Chain& chain) {
    if (!running() || !queues_[index].ready()) return false;
    bool empty = false;
    if (const char* wrong = queues_[index].pop(*memory_, chain, empty)) {
        fail(wrong);
        return false;
    }
    return !empty;
}

void VirtioMmio::used_buffers(unsigned index, bool later) {
    if (!queues_[index].interrupt_wanted()) return;
    if (later) {
        notification_put_off_ = true;
        return;
    }
    notification_put_off_ = false;
    interrupt_status_ |= USED_BUFFERS;
    update_interrupt();
}

// Every device, for tick_all().
namespace {
VirtioMmio* devices[4];
unsigned device_count = 0;
}  // namespace

void VirtioMmio::enlist() {
    if (device_count == sizeof devices / sizeof devices[0]) PANIC("too many virtio devices");
    devices[device_count++] = this;
}

void VirtioMmio::tick_all() {
    for (unsigned i = 0; i < device_count; i++) {
        VirtioMmio& device = *devices[i];
        if (device.notification_put_off_ && device.running()) {
            device.notification_put_off_ = false;
            device.interrupt_status_ |= USED_BUFFERS;
            device.update_interrupt();
        }
    }
}

void VirtioMmio::fail(const char* why) {
    if (refused.count())
        println("[hypervisor] {}: {}: the device needs a reset", name_, why);
    status_ |= DEVICE_NEEDS_RESET;
    interrupt_status_ |= CONFIG_CHANGED;  // how a driver learns of it
    update_interrupt();
}

void VirtioMmio::update_interrupt() { plic_->set_level(source_, interrupt_status_ != 0); }
