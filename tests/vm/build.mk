# SPDX-License-Identifier: GPL-2.0-only
# tests/vm: QEMU/TCG + kexec integration tests on Debian's 6.12 kernel.
#
#   make check-vm                     every scenario (VM_SCENARIOS to pick)
#   make demo                         the narrated kexec live update

VM_DIR := $(TOP)/tests/vm
VMMTOUCH := $(B)/vm/vmmtouch
VM_INITRD := $(B)/vm/initramfs-$(KVER).cpio.gz
VM_SCENARIOS ?= baseline persist destroy cycles sizechange corrupt autoload

$(VMMTOUCH): $(VM_DIR)/vmmtouch.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $< -o $@ -ldaxctl -lpmem

$(VM_INITRD): $(VM_DIR)/mkinitramfs.sh $(VM_DIR)/init
	@mkdir -p $(dir $@)
	@test -n "$(KVER)" || { echo "tests/vm: no linux-headers-6.12.*-amd64; run 'make deps'" >&2; exit 1; }
	sh $(VM_DIR)/mkinitramfs.sh $(KVER) $@

ALL += $(VMMTOUCH)

.PHONY: vm check-vm
vm: real-all $(VMMTOUCH) $(VM_INITRD)

check-vm: vm
	@KVER=$(KVER) B=$(B) $(VM_DIR)/check.sh $(VM_SCENARIOS)

demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory vm
	@KVER=$(KVER) B=$(B) $(VM_DIR)/demo.sh

CHECK += check-vm
