# SPDX-License-Identifier: GPL-2.0-only
# tests/liveupdate: the live update of a running VM across kexec.
# Needs tools/liveupdate/build.mk (LU_B, LU_BINS), included before it.
#
#   make check-liveupdate-host   the whole save/restore/verify flow with
#                                guest RAM in /dev/shm (no kexec, no
#                                pkern), plus daxstash's error paths
#   make check-liveupdate        nested QEMU on pkern namespaces across a
#                                real kexec in the QEMU harness
#   make check-liveupdate-device a VM with an assigned device across a
#                                real kexec on the patched kernel (the
#                                demo, and the refused handoffs)
#   make demo                    the VM with its device, narrated

.PHONY: check-liveupdate-host check-liveupdate check-liveupdate-device demo
check-liveupdate-host: $(LU_BINS) $(LU_B)/san/daxstash $(LU_B)/san/hmpc
	$(TOP)/tests/liveupdate/host-check.sh $(LU_B)
	$(TOP)/tests/liveupdate/guest-edu-check.sh $(LU_B)

check-liveupdate: vm
	@$(RUN_SCENARIOS)

check-liveupdate-device: $(LU_BINS) $(IOMMU_TEST)
	@$(MAKE) --no-print-directory kernel kernel-modules vm
	@$(RUN_SCENARIOS)

# demo.sh builds the patched kernel itself, to show its progress
demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all vm
	@KVER=$(KVER) B=$(B) MAKE="$(MAKE)" TOP=$(TOP) $(TOP)/tests/liveupdate/demo.sh
