# SPDX-License-Identifier: GPL-2.0-only
# tests/liveupdate: the live update of a running VM across kexec.
# Needs tools/liveupdate/build.mk (LU_B, LU_BINS), included before it.
#
#   make check-liveupdate-host   the whole save/restore/verify flow with
#                                guest RAM in /dev/shm (no kexec, no
#                                pkern), plus daxstash's error paths
#   make check-liveupdate        nested QEMU on pkern namespaces across a
#                                real kexec in the QEMU harness
#   make demo                    the same, narrated

.PHONY: check-liveupdate-host check-liveupdate demo
check-liveupdate-host: $(LU_BINS) $(LU_B)/san/daxstash $(LU_B)/san/hmpc
	$(TOP)/tests/liveupdate/host-check.sh $(LU_B)
	$(TOP)/tests/liveupdate/guest-edu-check.sh $(LU_B)

check-liveupdate: vm
	@$(RUN_SCENARIOS)

demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory vm
	@KVER=$(KVER) B=$(B) $(TOP)/tests/liveupdate/demo.sh
