# SPDX-License-Identifier: GPL-2.0-only
# tests/iommu: the IOMMU page-table pool and DMA translation kept across
# kexec, on the patched test kernel in the QEMU harness; vfio_edu and
# edu_dma drive QEMU's edu device through VFIO inside the guest.

IOMMU_TEST := $(B)/iommu/vfio_edu $(B)/iommu/edu_dma

$(B)/iommu/%: $(TOP)/tests/iommu/%.c $(TOP)/tests/iommu/edu.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $< -o $@

# iommufd and the VFIO cdev need 6.12's uAPI headers; Debian 12's libc
# headers are 6.1's.  The headers package has them, as the kernel wrote
# them (with __user, which headers_install drops, dropped here): a
# directory with just those two comes first on the include path.
IOMMU_UAPI := $(B)/iommu/uapi
KHDR_UAPI := $(subst -amd64,-common,$(KDIR))/include/uapi/linux

$(IOMMU_UAPI)/linux/iommufd.h:
	@test -f $(KHDR_UAPI)/iommufd.h || { echo "iommu: no $(KHDR_UAPI)/iommufd.h; install linux-headers-6.12-amd64 (scripts/install-deps.sh)" >&2; exit 1; }
	@mkdir -p $(dir $@)
	for h in iommufd.h vfio.h; do \
		sed 's/\b__user\b//g' $(KHDR_UAPI)/$$h >$(dir $@)/$$h || exit 1; done

$(B)/iommu/vfio_edu: $(TOP)/tests/iommu/vfio_edu.c $(TOP)/tests/iommu/vmm.c \
		$(TOP)/tests/iommu/vmm.h $(TOP)/tests/iommu/edu.h \
		$(IOMMU_UAPI)/linux/iommufd.h
	@mkdir -p $(dir $@)
	$(CC) -I$(IOMMU_UAPI) $(USER_CFLAGS) $(filter %.c,$^) -o $@

ALL += $(IOMMU_TEST)

# make check-iommu: the patched kernel (make kernel kernel-modules; cold
# on a fresh machine, ccache-warm after) booted with VT-d and two edu
# devices, scenarios/iommu.sh on it
.PHONY: check-iommu
check-iommu: $(IOMMU_TEST)
	@$(MAKE) --no-print-directory kernel kernel-modules vm
	@$(RUN_SCENARIOS)
