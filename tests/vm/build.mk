# SPDX-License-Identifier: GPL-2.0-only
# tests/vm: QEMU/TCG + kexec integration tests on Debian's 6.12 kernel.
#
#   make check-vm                     every scenario (VM_SCENARIOS to pick)
#   make demo                         the narrated kexec live update

VM_DIR := $(TOP)/tests/vm
VMMTOUCH := $(B)/vm/vmmtouch
VM_INITRD := $(B)/vm/initramfs-$(KVER).cpio.gz
VM_SCENARIOS ?= baseline persist destroy cycles sizechange corrupt autoload liveupdate

$(VMMTOUCH): $(VM_DIR)/vmmtouch.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $< -o $@ -ldaxctl -lpmem

$(B)/vm/tsc: $(VM_DIR)/tsc.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -static $< -o $@

$(VM_INITRD): $(VM_DIR)/mkinitramfs.sh $(VM_DIR)/init $(B)/vm/tsc
	@mkdir -p $(dir $@)
	@test -n "$(KVER)" || { echo "tests/vm: no linux-headers-6.12.*-amd64; run 'make deps'" >&2; exit 1; }
	sh $(VM_DIR)/mkinitramfs.sh $(KVER) $@ $(B)/vm/tsc

# The installed configuration for the autoload scenario: B's own
# install-module into a DESTDIR, plus depmod indexes
VM_ROOT := $(B)/vm/root
$(VM_ROOT)/.stamp: $(MOD_KO) $(wildcard $(TOP)/drivers/dax/pkern/etc/*) $(VM_DIR)/mkvmroot.sh
	rm -rf $(VM_ROOT)
	$(MAKE) --no-print-directory install-module DESTDIR=$(VM_ROOT)
	sh $(VM_DIR)/mkvmroot.sh $(VM_ROOT) $(KVER)
	touch $@

ALL += $(VMMTOUCH)

# What the guest runs from the build tree (an empty name is not built:
# the scenario that needs it then fails saying so)
VM_NEEDS := $(VMMTOUCH) $(VM_INITRD) $(PKDAXCTL) $(MOD_KO) $(LU_BINS) \
	    $(if $(MOD_KO),$(VM_ROOT)/.stamp)

.PHONY: vm check-vm
vm: $(VM_NEEDS)

check-vm: vm
	@KVER=$(KVER) B=$(B) $(VM_DIR)/check.sh $(VM_SCENARIOS)

demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory vm
	@KVER=$(KVER) B=$(B) $(VM_DIR)/demo.sh

CHECK += check-vm
