# SPDX-License-Identifier: GPL-2.0-only
# tests/harness: boots a scenario in QEMU/TCG through its kexec phases.
# Builds what the guest needs from the build tree (make vm), the test
# kernel (kernel.mk), and gives the suites RUN_SCENARIOS for their
# recipes.  The suites themselves are listed in tests/suites.mk.

HARNESS_DIR := $(TOP)/tests/harness
VMMTOUCH := $(B)/vm/vmmtouch
VM_TSC := $(B)/vm/tsc
VM_INITRD := $(B)/vm/initramfs-$(KVER).cpio.gz

include $(HARNESS_DIR)/kernel.mk

$(VMMTOUCH): $(HARNESS_DIR)/vmmtouch.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $< -o $@ -ldaxctl -lpmem

$(VM_TSC): $(HARNESS_DIR)/tsc.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -static $< -o $@

$(VM_INITRD): $(HARNESS_DIR)/mkinitramfs.sh $(HARNESS_DIR)/init $(VM_TSC)
	@mkdir -p $(dir $@)
	@test -n "$(KVER)" || { echo "tests/harness: no linux-headers-6.12.*-amd64; run 'make deps'" >&2; exit 1; }
	sh $(HARNESS_DIR)/mkinitramfs.sh $(KVER) $@ $(VM_TSC)

# The installed configuration for the driver suite's autoload scenario:
# the driver's own install-module into a DESTDIR, plus depmod indexes
VM_ROOT := $(B)/vm/root
$(VM_ROOT)/.stamp: $(MOD_KO) $(wildcard $(TOP)/drivers/dax/pkern/etc/*) $(HARNESS_DIR)/mkvmroot.sh
	rm -rf $(VM_ROOT)
	$(MAKE) --no-print-directory install-module DESTDIR=$(VM_ROOT)
	sh $(HARNESS_DIR)/mkvmroot.sh $(VM_ROOT) $(KVER)
	touch $@

ALL += $(VMMTOUCH)

# What the guest runs from the build tree (an empty name is not built:
# the scenario that needs it then fails saying so)
VM_NEEDS := $(VMMTOUCH) $(VM_INITRD) $(PKDAXCTL) $(MOD_KO) $(LU_BINS) \
	    $(if $(MOD_KO),$(VM_ROOT)/.stamp)

.PHONY: vm
vm: $(VM_NEEDS)

# A QEMU suite's recipe: its scenarios from tests/suites.mk, or
# SCENARIOS="a b" (names within the suite) to pick some
RUN_SCENARIOS = KVER=$(KVER) B=$(B) $(HARNESS_DIR)/run-scenarios.sh -n $@ \
	$(addprefix $($@.suite)/,$(or $(SCENARIOS),$($@.scenarios)))

# Every shell script of the repository, shellcheck-clean (-x follows the
# files they source, named relative to the top directory)
SHELL_SCRIPTS = $(shell cd $(TOP) && git ls-files '*.sh' tests/harness/init .ci/run 2>/dev/null)

.PHONY: check-shellcheck
check-shellcheck:
	@cd $(TOP) && shellcheck -x $(SHELL_SCRIPTS)
	@echo "check-shellcheck: $(words $(SHELL_SCRIPTS)) scripts clean"
