# SPDX-License-Identifier: GPL-2.0-only
#
# make kernel-tree: Debian's linux-source-6.12 with the IOMMU series
# (drivers/iommu/patches/*.patch, applied in order) in $(KBUILD_SRC_DIR).
# tests/harness/kernel.mk builds the test kernel (make kernel) and its
# modules (make kernel-modules) from it.

KBUILD_SRC_DIR	:= $(B)/kernel/src
KERNEL_PATCHES	:= $(sort $(wildcard $(TOP)/drivers/iommu/patches/*.patch))

.PHONY: kernel-tree

kernel-tree: $(KBUILD_SRC_DIR)/.patched

$(KBUILD_SRC_DIR)/.patched: $(KSRC_TAR) $(KERNEL_PATCHES)
	rm -rf $(KBUILD_SRC_DIR) && mkdir -p $(KBUILD_SRC_DIR)
	tar xJf $(KSRC_TAR) -C $(KBUILD_SRC_DIR) --strip-components=1
	set -e; for p in $(KERNEL_PATCHES); do \
		patch -d $(KBUILD_SRC_DIR) -p1 --quiet < $$p; done
	touch $@
