# SPDX-License-Identifier: GPL-2.0-only
# Host-level live-update check: the whole save/restore/verify flow with
# guest RAM in /dev/shm (no kexec, no pkern), plus daxstash's error paths.
# Needs tools/liveupdate/build.mk (LU_B, LU_BINS), included before it.

.PHONY: check-liveupdate-host
check-liveupdate-host: $(LU_BINS) $(LU_B)/san/daxstash $(LU_B)/san/hmpc
	$(TOP)/tests/liveupdate/host-check.sh $(LU_B)
CHECK += check-liveupdate-host

# The real thing alone: nested QEMU on pkern namespaces across a real
# kexec in the tests/vm harness (check-vm runs it with the others).
.PHONY: check-liveupdate-vm
check-liveupdate-vm: vm
	@KVER=$(KVER) B=$(B) $(TOP)/tests/vm/run.sh liveupdate
