# SPDX-License-Identifier: GPL-2.0-only
# tests/driver: dax_pkern and pkdaxctl on Debian's 6.12 kernel in the
# QEMU harness, across real kexecs: what persists, what is refused, what
# the shipped configuration brings up by itself.
#
#   make check-driver                      every scenario
#   make check-driver SCENARIOS=persist    some of them

.PHONY: check-driver
check-driver: vm
	@$(RUN_SCENARIOS)

DRIVER_TEST := $(B)/driver/dax_pin $(B)/driver/dax_poison

$(B)/driver/%: $(TOP)/tests/driver/%.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $< -o $@

ALL += $(DRIVER_TEST)
check-driver: $(DRIVER_TEST)

# make check-poison: a poisoned guest page across kexec on the patched
# kernel, whose device-dax refuses to map a poisoned page again, and a
# machine check injected through the outer QEMU's monitor (hmpc)
.PHONY: check-poison
check-poison: $(DRIVER_TEST) $(B)/liveupdate/hmpc
	@$(MAKE) --no-print-directory kernel kernel-modules vm
	@$(RUN_SCENARIOS)
