# Read by make after final/Makefile (tests/floor/Makefile passes both with
# -f), in final/: final's build, with final's flags and sources, plus one
# file. Only the differences are here.

FLOOR_DIR := $(dir $(lastword $(MAKEFILE_LIST)))

# final's trap vector keeps its code under another name; floor.S takes the
# name vm_exit_vector, which Vcpu writes into stvec, and jumps on to
# final_vm_exit_vector for everything but the timed call.
$(BUILD)/world_switch.S.o: CXXFLAGS += -Dvm_exit_vector=final_vm_exit_vector

OBJECTS += $(BUILD)/floor.S.o
$(ELF): $(BUILD)/floor.S.o

$(BUILD)/floor.S.o: $(FLOOR_DIR)floor.S | check-toolchain
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) -c -o $@ $<

-include $(BUILD)/floor.S.d
