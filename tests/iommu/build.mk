# SPDX-License-Identifier: GPL-2.0-only
# tests/iommu: VFIO + edu DMA test program for the IOMMU page-table pool
# (runs inside the test VM on the patched kernel; see tests/iommu/README.md).

IOMMU_TEST := $(B)/iommu/vfio_edu $(B)/iommu/edu_dma

$(B)/iommu/%: $(TOP)/tests/iommu/%.c $(TOP)/tests/iommu/edu.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $< -o $@

ALL += $(IOMMU_TEST)

# make check-iommu: the patched kernel (make kernel kernel-modules; cold
# on a fresh machine, ccache-warm after) booted with VT-d and two edu
# devices, tests/vm/scenarios/iommu.sh on it
.PHONY: check-iommu
check-iommu: $(IOMMU_TEST)
	@$(MAKE) --no-print-directory kernel kernel-modules vm
	@KVER=$(KVER) B=$(B) $(TOP)/tests/vm/run.sh iommu

CHECK += check-iommu
