# SPDX-License-Identifier: GPL-2.0-only
#
# make kernel: the patched Linux 6.12 test kernel for the IOMMU tests.
# Source: Debian's linux-source-6.12 with the IOMMU series, made from its
# sources by scripts/kernel-series.sh (drivers/iommu/README.md); config:
# x86_64_defconfig + kvm_guest.config + drivers/iommu/pkern-vm.config.
# ccache keeps rebuilds cheap.

KBUILD_SRC_DIR	:= $(B)/kernel/src
KBUILD_OBJ_DIR	:= $(B)/kernel/obj
KERNEL_JOBS	?= 2
KERNEL_IMAGE	:= $(KBUILD_OBJ_DIR)/arch/x86/boot/bzImage

# The series' sources: the series list, the edits of existing kernel files
# and the new kernel files, which live at their kernel paths.
KERNEL_SERIES		:= $(TOP)/scripts/kernel-series.sh
KERNEL_SERIES_FILES	:= $(addprefix $(TOP)/,$(shell $(KERNEL_SERIES) files))
KERNEL_SERIES_SRCS	:= $(TOP)/drivers/iommu/edits/series \
	$(wildcard $(TOP)/drivers/iommu/edits/*.patch) $(KERNEL_SERIES_FILES)

# Checked as files, handoff_adopt.c's __setup draws UNDOCUMENTED_SETUP:
# its kernel-parameters.txt entry is in the same patch's edit, which only
# checkpatch of the patch (check-series) sees.
KERNEL_STYLE_FILES += $(KERNEL_SERIES_FILES) $(TOP)/drivers/iommu/pkern_iommu.c

.PHONY: kernel kernel-tree kernel-series check-series

# The tree's git repository (series-base, then one commit per patch) is
# $(KBUILD_SRC_DIR).git, outside the tree: a kernel tree at the top of a
# repository gets "+" appended to its release by setlocalversion.
kernel-tree: $(KBUILD_SRC_DIR)/.patched

$(KBUILD_SRC_DIR)/.patched: $(KSRC_TAR) $(KERNEL_SERIES) $(KERNEL_SERIES_SRCS)
	rm -rf $(KBUILD_SRC_DIR) $(KBUILD_SRC_DIR).git
	KSRC_TAR=$(KSRC_TAR) nice $(KERNEL_SERIES) tree --git-dir $(KBUILD_SRC_DIR).git $(KBUILD_SRC_DIR)
	touch $@

# make kernel-series: regenerate drivers/iommu/patches/ from the sources
kernel-series: $(KBUILD_SRC_DIR)/.patched
	rm -f $(TOP)/drivers/iommu/patches/*.patch
	$(KERNEL_SERIES) format $(TOP)/drivers/iommu/patches $(KBUILD_SRC_DIR).git

# The committed patches are what the sources generate, and they and the
# new files pass checkpatch and kernel-doc.  Patches go to checkpatch on
# stdin: it checks a file that git tracks as a source file, not a patch.
# FILE_PATH_CHANGES asks whether MAINTAINERS needs updating for new files;
# it does not: drivers/iommu/ and drivers/iommu/intel/ are covered.
check-series: kernel-source
	KSRC_TAR=$(KSRC_TAR) nice $(KERNEL_SERIES) check
	@set -e; for p in $(TOP)/drivers/iommu/patches/*.patch; do \
		echo "checkpatch $${p##*/}"; \
		perl $(KSRC)/scripts/checkpatch.pl --no-tree --strict --quiet \
			--ignore FILE_PATH_CHANGES - <$$p; done
	perl $(KSRC)/scripts/kernel-doc -none -Wall -Werror $(KERNEL_SERIES_FILES)

CHECK += check-series

$(KBUILD_OBJ_DIR)/.config: $(KBUILD_SRC_DIR)/.patched $(TOP)/drivers/iommu/pkern-vm.config
	mkdir -p $(KBUILD_OBJ_DIR)
	cd $(KBUILD_SRC_DIR) && KCONFIG_CONFIG=$(KBUILD_OBJ_DIR)/.config \
		scripts/kconfig/merge_config.sh -m -O $(KBUILD_OBJ_DIR) \
		arch/x86/configs/x86_64_defconfig kernel/configs/kvm_guest.config \
		$(TOP)/drivers/iommu/pkern-vm.config >/dev/null
	$(MAKE) -C $(KBUILD_SRC_DIR) O=$(KBUILD_OBJ_DIR) olddefconfig >/dev/null
	@# a fragment line Kconfig dropped (unmet dependency) fails here, not
	@# as a strange test failure on the booted kernel
	@sed -n 's/^\(CONFIG_[A-Z0-9_]*=[ym]\)$$/\1/p' $(TOP)/drivers/iommu/pkern-vm.config | \
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

# make kernel-modules: dax_pkern.ko (its own module rules, pointed at the
# patched kernel) and pkern_iommu.ko, the page-table provider, both for
# the test kernel; the guest loads them from these directories.
KMOD_DAX_DIR	:= $(B)/kernel/dax_pkern
KMOD_IOMMU_DIR	:= $(B)/kernel/pkern_iommu

.PHONY: kernel-modules
kernel-modules:
	$(MAKE) --no-print-directory module KDIR=$(KBUILD_OBJ_DIR) \
		MOD_DIR=$(KMOD_DAX_DIR)
	mkdir -p $(KMOD_IOMMU_DIR)
	ln -sf $(TOP)/drivers/iommu/pkern_iommu.c $(TOP)/drivers/iommu/Kbuild \
		$(KMOD_IOMMU_DIR)/
	$(MAKE) -C $(KBUILD_OBJ_DIR) M=$(KMOD_IOMMU_DIR) W=1 \
		PKERN_INC=$(TOP)/include \
		KBUILD_EXTRA_SYMBOLS=$(KMOD_DAX_DIR)/Module.symvers modules
