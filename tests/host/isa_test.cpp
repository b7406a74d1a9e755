// Unit tests of the guest's ISA extensions (isa.cpp), on the host: what the
// host's device tree says, filtered by what the hypervisor lets through.
#include <cstdio>
#include <string>

#include "isa.hpp"

namespace {

int passed = 0, failed = 0;

// The list and the string the guest is given for `host`.
void expect(const char* host, const char* list, const char* string) {
    const GuestIsa isa = guest_isa(host);
    std::string got_list(isa.extensions, isa.extensions_size);
    for (char& c : got_list)
        if (c == '\0') c = ' ';
    const std::string name = std::string("host \"") + (host ? host : "(none)") + "\"";
    if (got_list == list && std::string(isa.string) == string) {
        passed++;
    } else {
        failed++;
        std::printf("FAIL: %s: list \"%s\", string \"%s\"\n", name.c_str(), got_list.c_str(),
                    isa.string);
    }
}

}  // namespace

int main() {
    // What QEMU 7.2 and QEMU 10 write for -cpu rv64,h=true.
    expect("rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc",
           "i m a f d c zicsr zifencei zihintpause zba zbb zbc zbs sstc ",
           "rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc");
    expect("rv64imafdch_zic64b_zicbom_zicbop_zicboz_ziccamoa_ziccif_zicclsm_ziccrse_zicntr_"
           "zicsr_zifencei_zihintntl_zihintpause_zihpm_zmmul_za64rs_zaamo_zalrsc_zawrs_zfa_"
           "zca_zcd_zba_zbb_zbc_zbs_shcounterenw_shgatpa_shtvala_shvsatpa_shvstvala_shvstvecd_"
           "ssccptr_sscounterenw_sstc_sstvala_sstvecd_ssu64xl_svadu_svvptc",
           "i m a f d c zicsr zifencei zihintpause zba zbb zbc zbs sstc ",
           "rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc");
    // Only what the host has, and never h, nor what we do not allow.
    expect("rv64imac_zicsr", "i m a c zicsr ", "rv64imac_zicsr");
    expect("rv64gch_sstc_svadu_zicbom", "c sstc ", "rv64c_sstc");  // g is not spelled out
    expect("RV64IMAFDC_ZICSR_SSTC", "", "rv64");  // the device tree spells it in lower case
    // A name matches whole: "zb" is not "zbb", "sstcx" not "sstc".
    expect("rv64i_zb_sstcx", "i ", "rv64i");
    expect("rv64i_", "i ", "rv64i");
    expect("", "", "rv64");
    expect("x86", "", "rv64");
    expect(nullptr, "", "rv64");

    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
