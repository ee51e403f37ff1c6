# SPDX-License-Identifier: GPL-2.0-only
#
# dax_pkern.ko, built out of tree against Debian's 6.12 headers ($(KDIR)).
# build/module/ gets symlinks to the driver sources, lib/ and the uapi
# header in the layout the Kbuild file expects; the private dax headers
# (bus.h, dax-private.h) come from linux-source via `make kernel-source`.
#
#   make module                      build/module/dax_pkern.ko
#   make module PKERN_DEBUG_FAULTS=1 with the debugfs fault-injection knob
#   make install-module              module, udev rule, modprobe.d file
#   make check-module                checkpatch on the driver (the pool
#                                    format is unit-tested in tests/unit)

PKERN_DRV	:= $(TOP)/drivers/dax/pkern
MOD_DIR		:= $(B)/module
MOD_KO		:= $(MOD_DIR)/dax_pkern.ko
MOD_INPUTS	:= $(wildcard $(PKERN_DRV)/*.[ch] $(TOP)/lib/*.[ch]) \
		   $(PKERN_DRV)/Kbuild $(TOP)/include/uapi/linux/pkern.h
MOD_FLAGS	:= CONFIG_DEV_DAX_PKERN=m PKERN_DAX_INC=$(KSRC)/drivers/dax W=1
ifeq ($(PKERN_DEBUG_FAULTS),1)
MOD_FLAGS	+= CONFIG_DEV_DAX_PKERN_DEBUG_FAULTS=y
endif
UDEV_RULES_DIR	?= /etc/udev/rules.d
MODPROBE_D_DIR	?= /etc/modprobe.d

.PHONY: module install-module module-clean check-module

module: $(MOD_KO)

# Rebuild the symlink farm every time: sources may come and go.
# Kbuild does not notice a reconfigured kernel under an external module;
# its config and symbol list do
$(MOD_KO): $(MOD_INPUTS) $(KSRC)/.stamp $(MAKEFILE_LIST) \
	   $(wildcard $(KDIR)/include/config/auto.conf $(KDIR)/Module.symvers)
	@rm -rf $(MOD_DIR)/lib $(MOD_DIR)/include
	@mkdir -p $(MOD_DIR)/lib $(MOD_DIR)/include/linux
	@find $(MOD_DIR) -maxdepth 1 -name '*.[ch]' -type l -delete
	@ln -sf $(PKERN_DRV)/*.[ch] $(PKERN_DRV)/Kbuild $(MOD_DIR)/
	@ln -sf $(TOP)/lib/*.[ch] $(MOD_DIR)/lib/
	@ln -sf $(TOP)/include/uapi/linux/pkern.h $(MOD_DIR)/include/linux/
	$(MAKE) -C $(KDIR) M=$(MOD_DIR) $(MOD_FLAGS) modules

module-clean:
	rm -rf $(MOD_DIR)

install-module: module
	install -D -m 0644 $(MOD_KO) \
		$(DESTDIR)/lib/modules/$(KVER)/updates/dax_pkern.ko
	install -D -m 0644 $(PKERN_DRV)/etc/60-dax-pkern.rules \
		$(DESTDIR)$(UDEV_RULES_DIR)/60-dax-pkern.rules
	install -D -m 0644 $(PKERN_DRV)/etc/dax_pkern.conf \
		$(DESTDIR)$(MODPROBE_D_DIR)/dax_pkern.conf
	if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi

install: install-module

ifneq ($(wildcard $(KDIR)/Makefile),)
ALL += module
endif

PKERN_CHECKPATCH := $(wildcard $(PKERN_DRV)/*.[ch]) $(TOP)/lib/pool.c \
		    $(TOP)/lib/pkern_pool.h

check-module: $(KSRC)/.stamp
	perl $(KSRC)/scripts/checkpatch.pl --no-tree --strict --quiet \
		--ignore SPDX_LICENSE_TAG -f $(PKERN_CHECKPATCH)

CHECK += check-module
