# SPDX-License-Identifier: GPL-2.0-only
#
# The test suites: one row per make target, in the order make check runs
# them (host-only groups first, the QEMU suites last).  Each suite's
# directory tests/SUITE/ holds its build.mk, its programs and, for a QEMU
# suite, scenarios/SCENARIO.sh; the harness (tests/harness) runs those.
#
#   $(call suite,TARGET,SUITE,NEEDS,SCENARIOS)
#
# NEEDS:  host     runs on this machine
#         qemu     the QEMU harness on Debian's 6.12 kernel
#         patched  the QEMU harness on the patched test kernel (make kernel)
#         manual   add to any of those: not part of make check
# Every target without "manual" is in CHECK.  A scenario may SKIP (exit
# 77) only for what 'make deps' cannot install (tests/README.md).

SUITE_DIRS	:= unit fuzz tools liveupdate iommu driver reliability bench
SUITE_TARGETS	:=

define suite
SUITE_TARGETS += $(strip $(1))
$(strip $(1)).suite := $(strip $(2))
$(strip $(1)).needs := $(strip $(3))
$(strip $(1)).scenarios := $(strip $(4))
ifeq ($(filter manual,$(3)),)
CHECK += $(strip $(1))
endif
endef

#               target                 suite        needs           scenarios
$(eval $(call suite,check-unit,            unit,        host))
$(eval $(call suite,check-fuzz,            fuzz,        host))
$(eval $(call suite,check-tools,           tools,       host))
$(eval $(call suite,check-shellcheck,      harness,     host))
$(eval $(call suite,check-liveupdate-host, liveupdate,  host))
$(eval $(call suite,check-iommu,           iommu,       patched,        iommu iommu-shared iommu-trust vtd-legacy-4level vtd-sl-3level vtd-sl-4level vtd-fl-4level iommufd pool-poison))
$(eval $(call suite,check-driver,          driver,      qemu,           baseline persist destroy cycles sizechange corrupt sbcopy autoload names pinned poison))
$(eval $(call suite,check-liveupdate,      liveupdate,  qemu,           liveupdate))
$(eval $(call suite,check-liveupdate-device, liveupdate, patched,      demo demo-iommufd device-refused))
$(eval $(call suite,check-poison,          driver,      patched,        poison-kexec poison-mce))
$(eval $(call suite,check-reliability,     reliability, qemu,           crash media bootcfg soak zeroing))
$(eval $(call suite,check-bench-smoke,     bench,       qemu,           bench-smoke))
$(eval $(call suite,check-tools-live,      tools,       qemu manual,    live-smoke))
$(eval $(call suite,bench,                 bench,       qemu manual,    bench bench-kexec bench-liveupdate))
$(eval $(call suite,soak,                  reliability, qemu manual,    soak))
$(eval $(call suite,reliability-full,      reliability, qemu manual,    crash media bootcfg soak zeroing))

include $(TOP)/tests/harness/build.mk
-include $(foreach s,$(SUITE_DIRS),$(TOP)/tests/$(s)/build.mk)

.PHONY: list-suites
list-suites:
	@$(foreach t,$(SUITE_TARGETS),printf '%-22s %-12s %-14s %s\n' \
		'$(t)' '$($(t).suite)' '$($(t).needs)' '$($(t).scenarios)';)
