# SPDX-License-Identifier: GPL-2.0-only
#
# make kernel-tree: Debian's linux-source-6.12 with the IOMMU series in
# $(KBUILD_SRC_DIR), made from the series' sources by
# scripts/kernel-series.sh (drivers/iommu/README.md).
# tests/harness/kernel.mk builds the test kernel (make kernel) and its
# modules (make kernel-modules) from it.

KBUILD_SRC_DIR	:= $(B)/kernel/src

# The series' sources: the series list, the edits of existing kernel files
# and the new kernel files, which live at their kernel paths.
KERNEL_SERIES		:= $(TOP)/scripts/kernel-series.sh
KERNEL_SERIES_FILES	:= $(addprefix $(TOP)/,$(shell $(KERNEL_SERIES) files))
KERNEL_SERIES_SRCS	:= $(TOP)/drivers/iommu/edits/series \
	$(wildcard $(TOP)/drivers/iommu/edits/*.patch) $(KERNEL_SERIES_FILES)

# Checked as files, handoff_check.c's __setup draws UNDOCUMENTED_SETUP:
# its kernel-parameters.txt entry is in the same patch's edit, which only
# checkpatch of the patch (check-series) sees.
KERNEL_STYLE_FILES += $(KERNEL_SERIES_FILES) $(TOP)/drivers/iommu/pkern_iommu.c

.PHONY: kernel-tree kernel-series check-series

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
	perl $(KSRC)/scripts/kernel-doc -none -Wall -Werror $(filter %.c %.h,$(KERNEL_SERIES_FILES))

CHECK += check-series
