# SPDX-License-Identifier: GPL-2.0-only
# tests/iommu: the IOMMU page-table pool and DMA translation kept across
# kexec, on the patched test kernel in the QEMU harness; vfio_edu and
# edu_dma drive QEMU's edu device through VFIO inside the guest.

IOMMU_TEST := $(B)/iommu/vfio_edu $(B)/iommu/edu_dma

$(B)/iommu/%: $(TOP)/tests/iommu/%.c $(TOP)/tests/iommu/edu.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $< -o $@

ALL += $(IOMMU_TEST)

# make check-iommu: the patched kernel (make kernel kernel-modules; cold
# on a fresh machine, ccache-warm after) booted with VT-d and two edu
# devices, scenarios/iommu.sh on it
.PHONY: check-iommu
check-iommu: $(IOMMU_TEST)
	@$(MAKE) --no-print-directory kernel kernel-modules vm
	@$(RUN_SCENARIOS)
