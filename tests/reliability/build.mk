# SPDX-License-Identifier: GPL-2.0-only
# tests/reliability: crash injection in the kernel, malicious media,
# ioctl abuse, concurrency and kexec soak, all in the QEMU harness.
#
#   make check-reliability     crash, media, bootcfg, soak (SOAK_CYCLES_CHECK), zeroing
#   make soak                  the kexec soak with SOAK_CYCLES (20) cycles
#   make reliability-full      every malicious image, 20-cycle soak
#
# make check samples every MEDIA_STRIDE_CHECK-th malicious image: each
# one costs a driver switch and ~20 s of TCG time on a loaded machine.

REL_DIR		:= $(TOP)/tests/reliability
REL_B		:= $(B)/reliability
REL_BINS	:= $(REL_B)/ioctl_abuse $(REL_B)/genbad
SOAK_CYCLES	?= 20
SOAK_CYCLES_CHECK ?= 2
MEDIA_STRIDE_CHECK ?= 4

# The fault-injection module, in its own directory so that the normal
# build/module/dax_pkern.ko is never replaced by a debug build.
FMOD_DIR	:= $(REL_B)/module-faults
FMOD_KO		:= $(FMOD_DIR)/dax_pkern.ko

$(FMOD_KO): $(MOD_INPUTS) $(KSRC)/.stamp $(REL_DIR)/build.mk
	$(call pkern_module_farm,$(FMOD_DIR))
	$(MAKE) -C $(KDIR) M=$(FMOD_DIR) CONFIG_DEV_DAX_PKERN=m \
		PKERN_DAX_INC=$(KSRC)/drivers/dax W=1 \
		CONFIG_DEV_DAX_PKERN_DEBUG_FAULTS=y modules

$(REL_B)/%: $(REL_DIR)/%.c $(wildcard $(TOP)/lib/*.h) $(TOP)/include/uapi/linux/pkern.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $< -o $@ -lz

.PHONY: reliability check-reliability soak reliability-full
reliability: vm $(REL_BINS) $(FMOD_KO)

check-reliability: reliability
	@echo $(SOAK_CYCLES_CHECK) >$(REL_B)/soak-cycles
	@echo $(MEDIA_STRIDE_CHECK) >$(REL_B)/media-stride
	@$(RUN_SCENARIOS)

soak: reliability
	@echo $(SOAK_CYCLES) >$(REL_B)/soak-cycles
	@$(RUN_SCENARIOS)

reliability-full: reliability
	@echo $(SOAK_CYCLES) >$(REL_B)/soak-cycles
	@echo 1 >$(REL_B)/media-stride
	@$(RUN_SCENARIOS)
