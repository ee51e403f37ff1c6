# SPDX-License-Identifier: GPL-2.0-only
# tests/bench: pkern against the stock nd_e820/dax_pmem path, in the
# QEMU/kexec harness.  bench.sh runs the scenarios tests/suites.mk lists
# and makes the results table.
#
#   make bench               every figure, ~20-25 min, build/bench/results.md
#   make check-bench-smoke   each step once, small (part of make check)

BENCH_DIR := $(TOP)/tests/bench
PKBENCH := $(B)/bench/pkbench

$(PKBENCH): $(BENCH_DIR)/pkbench.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $< -o $@

ALL += $(PKBENCH)

.PHONY: bench check-bench-smoke
bench: vm $(PKBENCH)
	@KVER=$(KVER) B=$(B) $(BENCH_DIR)/bench.sh $(bench.scenarios)

check-bench-smoke: vm $(PKBENCH)
	@KVER=$(KVER) B=$(B) $(BENCH_DIR)/bench.sh --smoke $(check-bench-smoke.scenarios)
