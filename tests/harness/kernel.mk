# SPDX-License-Identifier: GPL-2.0-only
#
# make kernel: the test kernel the iommu suite boots, built from the
# patched source tree drivers/iommu/build.mk produces
# ($(KBUILD_SRC_DIR)/.patched); config: x86_64_defconfig +
# kvm_guest.config + tests/harness/pkern-vm.config.  ccache keeps
# rebuilds cheap.
# make kernel-modules: dax_pkern.ko (the driver's own rules, pointed at
# the test kernel) and pkern_iommu.ko, the page-table provider, twice:
# the normal build and, in its own directory, the one with the test-only
# debugfs files page and poke that the iommu suite uses; the guest loads
# them from these directories.

KBUILD_OBJ_DIR	:= $(B)/kernel/obj
KERNEL_CONFIG	:= $(TOP)/tests/harness/pkern-vm.config
KERNEL_JOBS	?= 2
KERNEL_IMAGE	:= $(KBUILD_OBJ_DIR)/arch/x86/boot/bzImage
KMOD_DAX_DIR	:= $(B)/kernel/dax_pkern
KMOD_IOMMU_DIR	:= $(B)/kernel/pkern_iommu
KMOD_IOMMU_FAULTS_DIR := $(B)/kernel/pkern_iommu-faults

.PHONY: kernel kernel-modules

$(KBUILD_OBJ_DIR)/.config: $(KBUILD_SRC_DIR)/.patched $(KERNEL_CONFIG)
	mkdir -p $(KBUILD_OBJ_DIR)
	cd $(KBUILD_SRC_DIR) && KCONFIG_CONFIG=$(KBUILD_OBJ_DIR)/.config \
		scripts/kconfig/merge_config.sh -m -O $(KBUILD_OBJ_DIR) \
		arch/x86/configs/x86_64_defconfig kernel/configs/kvm_guest.config \
		$(KERNEL_CONFIG) >/dev/null
	$(MAKE) -C $(KBUILD_SRC_DIR) O=$(KBUILD_OBJ_DIR) olddefconfig >/dev/null
	@# a fragment line Kconfig dropped (unmet dependency) fails here, not
	@# as a strange test failure on the booted kernel
	@sed -n 's/^\(CONFIG_[A-Z0-9_]*=[ym]\)$$/\1/p' $(KERNEL_CONFIG) | \
		while read -r l; do grep -qx "$$l" $(KBUILD_OBJ_DIR)/.config || \
		echo "$$l"; done >$(KBUILD_OBJ_DIR)/.config.missing
	@if [ -s $(KBUILD_OBJ_DIR)/.config.missing ]; then \
		echo "kernel: pkern-vm.config asks for what Kconfig did not set:" >&2; \
		cat $(KBUILD_OBJ_DIR)/.config.missing >&2; \
		mv $(KBUILD_OBJ_DIR)/.config $(KBUILD_OBJ_DIR)/.config.rejected; exit 1; fi

# CCACHE_BASEDIR makes the compiler's paths relative, so another clone
# of the repository (CI's) hits the same cache entries.
kernel: $(KBUILD_OBJ_DIR)/.config
	CCACHE_BASEDIR=$(TOP) nice -n 10 $(MAKE) -C $(KBUILD_SRC_DIR) O=$(KBUILD_OBJ_DIR) \
		CC="ccache gcc" -j$(KERNEL_JOBS) bzImage modules
	@echo "kernel: $(KERNEL_IMAGE)"

kernel-modules:
	$(MAKE) --no-print-directory module KDIR=$(KBUILD_OBJ_DIR) \
		MOD_DIR=$(KMOD_DAX_DIR)
	$(call kmod_iommu,$(KMOD_IOMMU_DIR),)
	$(call kmod_iommu,$(KMOD_IOMMU_FAULTS_DIR),CONFIG_PKERN_IOMMU_DEBUG_FAULTS=y)

# kmod_iommu DIR FLAGS: pkern_iommu.ko in DIR, built with FLAGS
define kmod_iommu
	mkdir -p $(1)
	ln -sf $(TOP)/drivers/iommu/pkern_iommu.c $(TOP)/drivers/iommu/Kbuild \
		$(1)/
	$(MAKE) -C $(KBUILD_OBJ_DIR) M=$(1) W=1 $(2) \
		PKERN_INC=$(TOP)/include \
		KBUILD_EXTRA_SYMBOLS=$(KMOD_DAX_DIR)/Module.symvers modules
endef
