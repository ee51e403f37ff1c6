# SPDX-License-Identifier: GPL-2.0-only
# tests/unit/: cmocka tests of lib/, run plain, with ASan/UBSan and under
# valgrind by "make check-unit".

UNIT_DIR	:= $(TOP)/tests/unit
UNIT_TESTS	:= test_load test_ops test_crash test_pool test_failure \
		   test_badpages \
		   test_sbcopy
UNIT_COMMON	:= $(UNIT_DIR)/memmedia.c $(UNIT_DIR)/helpers.c
UNIT_DEPS	:= $(UNIT_COMMON) $(wildcard $(UNIT_DIR)/*.h)
UNIT_LIBS	:= -lcmocka -lz
UNIT_BINS	:= $(addprefix $(B)/unit/,$(UNIT_TESTS))
UNIT_SAN_BINS	:= $(addprefix $(B)/unit-san/,$(UNIT_TESTS))

$(B)/unit/%: $(UNIT_DIR)/%.c $(UNIT_DEPS) $(LIBPKERN)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -I$(UNIT_DIR) $< $(UNIT_COMMON) $(LIBPKERN) \
		$(UNIT_LIBS) -o $@

$(B)/unit-san/%: $(UNIT_DIR)/%.c $(UNIT_DEPS) $(LIBPKERN_SAN)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_CFLAGS) -I$(UNIT_DIR) $< $(UNIT_COMMON) \
		$(LIBPKERN_SAN) $(UNIT_LIBS) -o $@

.PHONY: check-unit
check-unit: $(UNIT_BINS) $(UNIT_SAN_BINS)
	@set -e; for t in $(UNIT_BINS); do $$t; done
	@echo "check-unit: ASan/UBSan"
	@set -e; for t in $(UNIT_SAN_BINS); do \
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $$t; done
	@echo "check-unit: valgrind"
	@set -e; for t in $(UNIT_BINS); do \
		PKERN_TEST_QUICK=1 valgrind --error-exitcode=1 -q $$t; done
	@echo "check-unit: passed"

ALL += $(UNIT_BINS)
