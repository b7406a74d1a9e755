# The top-level driver.
#
#   make run                 boot the newest stage (final/: Linux, to a shell)
#   make run STEP=beyond/snapshot   boot another stage
#   make test                build and test every stage
#   make test STEP=step03    test one stage
#   make soak N=20 MARK=interactive   the tests again and again, failures counted
#   make diff STEP=step03    what step03 adds to step02
#   make solution STEP=step03 N=1   a copy of step03 with exercise 1 solved
#   make linux               build (or reuse) the guest kernel
#   make test-fresh          the two commands above, in a fresh Debian 13 chroot (root)
#   make bench               time Linux with and without final/'s hypervisor, and beyond/
#   make loc                 count final/'s lines of code
#   make clean               remove every build output

STAGES := $(sort $(wildcard step[0-9][0-9]-*)) $(wildcard final)
NEWEST := $(lastword $(STAGES))
# Stages beyond VMs: each starts from a parent stage (its Makefile says
# which: `make -C beyond/X parent`), not from the one before it.
BEYOND := $(filter-out beyond/solution-%,$(patsubst %/Makefile,%,$(wildcard beyond/*/Makefile)))
PYTEST_ARGS ?=

export CROSS_COMPILE ?= riscv64-linux-gnu-
export QEMU ?= qemu-system-riscv64
# LINUX=6.1 boots the older kernel (default: 6.12, see linux/find-source.sh);
# KERNEL=path/to/Image another one. Paths are relative to where you typed make.
export LINUX
export INVOKED_FROM ?= $(or $(PWD),$(CURDIR))
ifneq ($(KERNEL),)
export KERNEL := $(if $(filter /%,$(KERNEL)),$(KERNEL),$(abspath $(INVOKED_FROM)/$(KERNEL)))
endif

# Booting needs the build tools and the kernel's, not the test tools.
# STEP=step03 or STEP=beyond/snapshot boots another stage.
run: check-smp
	@scripts/ensure-tools.sh build kernel
	@stage=$(if $(STEP),$$(ls -d $(STEP)* 2>/dev/null | head -1),$(NEWEST)); \
	 test -n "$$stage" || { echo "no stage matches '$(STEP)'" >&2; exit 2; }; \
	 $(MAKE) -C $$stage run

# Steps 01-04 boot no kernel: testing one of them needs neither the
# kernel's tools nor the kernel. The others build it first, with its
# progress shown (the tests would build it silently).
test: check-smp test-tools
	@$$(scripts/find-python.sh) -m pytest tests $(if $(STEP),--stage $(STEP)) $(PYTEST_ARGS)

# The same tests N times in a row (default 10), counting each one's
# failures: a test that fails now and then is a bug. MARK=interactive
# keeps the tests that type into a guest or depend on its timing.
soak: check-smp test-tools
	@$$(scripts/find-python.sh) scripts/soak.py $(or $(N),10) $(if $(STEP),--stage $(STEP)) \
	   $(if $(MARK),-m $(MARK)) $(PYTEST_ARGS)

# SMP=N (several harts) is beyond/smp's alone: any other stage has one
# hart, and says so rather than boot one and ignore SMP.
check-smp:
	@case "$(SMP)" in ""|1) ;; *) case "$(STEP)" in beyond/smp|beyond/smp/) ;; \
	   *) echo "error: SMP=$(SMP): only beyond/smp runs several harts (STEP=beyond/smp);" \
	        "$(if $(STEP),$(STEP) has one,the other stages have one)" >&2; exit 2 ;; esac ;; esac

test-tools:
	@case "$(STEP)" in \
	  step0[1-4]*) scripts/ensure-tools.sh build test ;; \
	  *) scripts/ensure-tools.sh build test kernel && \
	     { test -n "$(KERNEL)" || $(MAKE) --no-print-directory -C linux; } ;; \
	esac

# The diff between a stage and the one it starts from (the one before it,
# or a beyond/ stage's parent): the chapter's new code, the chapters left out.
diff:
	@test -n "$(STEP)" || { echo "usage: make diff STEP=step03 (or STEP=beyond/snapshot)" >&2; exit 2; }
	@cur=$$(ls -d $(STEP)* 2>/dev/null | head -1); \
	 test -n "$$cur" || { echo "no stage matches '$(STEP)'" >&2; exit 2; }; \
	 case $$cur in \
	   beyond/*) prev=$$($(MAKE) -s --no-print-directory -C $$cur parent) ;; \
	   *) prev=$$(echo $(STAGES) | tr ' ' '\n' | grep -B1 -x "$$cur" | head -1) ;; \
	 esac; \
	 test "$$prev" != "$$cur" || { echo "$$cur is the first stage" >&2; exit 2; }; \
	 diff -ruN --color=auto --exclude=build --exclude=compile_commands.json --exclude='*.md' \
	   --exclude=solutions $$prev $$cur || true

# The README's commands on a fresh Debian (RELEASE=trixie, the default, or
# bookworm), in a chroot; needs root. KEEP=1 keeps the chroot.
test-fresh:
	scripts/fresh-debian.sh $(or $(RELEASE),trixie)

# Each chapter's exercises have solutions, as patches in the stage's
# solutions/ folder. This applies one to a scratch copy of the stage, next
# to it (so that ../linux is still the guest kernel), leaving the stage as
# it is: solution-step03-1/, or beyond/solution-snapshot-1/, for example.
solution:
	@test -n "$(STEP)" -a -n "$(N)" || { echo "usage: make solution STEP=step03 N=1" >&2; exit 2; }
	@stage=$$(ls -d $(STEP)* 2>/dev/null | head -1); \
	 test -f "$$stage/solutions/$(N).patch" || { echo "no solution $(N) for '$(STEP)'" \
	   "(there are: $$(ls $$stage/solutions/ 2>/dev/null | tr '\n' ' '))" >&2; exit 2; }; \
	 name=$$(basename $$stage); case $$stage in beyond/*) ;; *) name=$${name%%-*};; esac; \
	 copy=$$(dirname $$stage)/solution-$$name-$(N); copy=$${copy#./}; \
	 rm -rf $$copy && mkdir $$copy && \
	 tar -C $$stage --exclude=./build --exclude=./solutions -cf - . | tar -C $$copy -xf - && \
	 patch -s -d $$copy -p1 < $$stage/solutions/$(N).patch && \
	 echo "$$copy/: $$stage with exercise $(N) solved. Try: make -C $$copy run" && \
	 echo "(make diff shows nothing of it; diff -ru $$stage $$copy -x build does)"

linux:
	@scripts/ensure-tools.sh kernel
	$(MAKE) -C linux

# Boot the same kernel directly on QEMU and under final/, RUNS times each
# (default 5), and compare; KERNEL=/abs/path/Image boots another kernel,
# APPEND="..." gives both boots another kernel command line. Then the
# beyond/ stages against their baselines: a snapshot restore against a
# boot, a program with no kernel against the same one under Linux, the
# console and disk of the devices' stages against final/ and plain QEMU,
# Linux on two harts under beyond/smp against the same on plain QEMU, and
# the sandbox library's calls against their yardsticks.
bench: tools
	@scripts/ensure-tools.sh bench
	@python=$$(scripts/find-python.sh) && \
	 $$python scripts/bench.py $(if $(RUNS),--runs $(RUNS)) \
	   $(if $(KERNEL),--kernel $(KERNEL)) $(if $(APPEND),--append "$(APPEND)") && \
	 $$python scripts/bench_snapshot.py $(if $(RUNS),--runs $(RUNS)) && \
	 $$python scripts/bench_syscalls.py $(if $(RUNS),--runs $(RUNS)) && \
	 $$python scripts/bench_devices.py $(if $(RUNS),--runs $(RUNS)) && \
	 $$python scripts/bench_smp.py $(if $(RUNS),--runs $(RUNS)) && \
	 $$python scripts/bench_sandbox.py $(if $(RUNS),--runs $(RUNS))

# Lines of C++ and assembly in final/src, comments and blank lines left out.
loc:
	@$$(scripts/find-python.sh) scripts/loc.py

tools:
	@scripts/ensure-tools.sh

clean:
	for stage in $(STAGES) $(BEYOND); do $(MAKE) -C $$stage clean; done
	rm -rf tests/logs solution-*/ beyond/solution-*/

.PHONY: run test soak check-smp test-tools test-fresh diff solution linux bench loc tools clean
