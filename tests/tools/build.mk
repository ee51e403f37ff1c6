# SPDX-License-Identifier: GPL-2.0-only
# tests/tools: pkdaxctl's parser unit tests (cmocka) and offline CLI tests.
#
#   make check-tools   parsers (plain + ASan/UBSan), the CLI suite on images
#                      with the plain and the sanitized binary, a subset
#                      under valgrind, and make install/uninstall/DKMS into
#                      DESTDIRs

TT_DIR		:= $(TOP)/tests/tools
TT_PARSE	:= $(B)/tests/tools/test-parse
TT_PARSE_SAN	:= $(B)/tests/tools/test-parse-san
TT_VALGRIND	:= valgrind -q --error-exitcode=99 --leak-check=full \
		   --errors-for-leak-kinds=definite,indirect

$(TT_PARSE): $(TT_DIR)/test-parse.c $(PKDAXCTL_DIR)/parse.c $(PKDAXCTL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -I$(PKDAXCTL_DIR) -o $@ $(TT_DIR)/test-parse.c \
		$(PKDAXCTL_DIR)/parse.c -lcmocka -luuid

$(TT_PARSE_SAN): $(TT_DIR)/test-parse.c $(PKDAXCTL_DIR)/parse.c $(PKDAXCTL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_CFLAGS) -I$(PKDAXCTL_DIR) -o $@ \
		$(TT_DIR)/test-parse.c $(PKDAXCTL_DIR)/parse.c -lcmocka -luuid

.PHONY: check-tools
check-tools: $(TT_PARSE) $(TT_PARSE_SAN) $(PKDAXCTL) $(PKDAXCTL_SAN)
	@echo "== pkdaxctl parsers"
	$(TT_PARSE)
	$(TT_PARSE_SAN)
	@echo "== pkdaxctl CLI on images"
	$(TT_DIR)/run-tests.sh $(PKDAXCTL)
	@echo "== pkdaxctl CLI on images, ASan/UBSan build"
	ASAN_OPTIONS=detect_leaks=1 $(TT_DIR)/run-tests.sh $(PKDAXCTL_SAN)
	@echo "== pkdaxctl recorded bad pages on images, plain and ASan/UBSan"
	$(TT_DIR)/badpages.sh $(PKDAXCTL)
	ASAN_OPTIONS=detect_leaks=1 $(TT_DIR)/badpages.sh $(PKDAXCTL_SAN)
	@echo "== pkdaxctl CLI on images under valgrind (subset)"
	TESTS_QUICK=1 $(TT_DIR)/run-tests.sh $(PKDAXCTL) $(TT_VALGRIND)
	@echo "== make install, uninstall, dkms-source into DESTDIRs; dkms build"
	$(TT_DIR)/install-test.sh $(TOP) $(KVER)

# Live mode, scenarios/live-smoke.sh in the QEMU harness (not part of
# make check: tests/suites.mk)
.PHONY: check-tools-live
check-tools-live: vm $(PKDAXCTL)
	@$(RUN_SCENARIOS)
