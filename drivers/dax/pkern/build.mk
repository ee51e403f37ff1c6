# SPDX-License-Identifier: GPL-2.0-only
#
# dax_pkern.ko, built out of tree against Debian's 6.12 headers ($(KDIR)).
# build/module/ gets symlinks to the driver sources, lib/ and the two
# pkern.h headers in the layout the Kbuild file expects; the private dax
# headers (bus.h, dax-private.h) come from linux-source via
# `make kernel-source`.
#
#   make module                      build/module/dax_pkern.ko
#   make module PKERN_DEBUG_FAULTS=1 with the debugfs fault-injection knob
#   make install-module              module, udev rules, modprobe.d file

PKERN_DRV	:= $(TOP)/drivers/dax/pkern
MOD_DIR		:= $(B)/module
MOD_KO		:= $(MOD_DIR)/dax_pkern.ko
MOD_INPUTS	:= $(wildcard $(PKERN_DRV)/*.[ch] $(TOP)/lib/*.[ch]) \
		   $(PKERN_DRV)/Kbuild $(TOP)/include/linux/pkern.h \
		   $(TOP)/include/uapi/linux/pkern.h
MOD_FLAGS	:= CONFIG_DEV_DAX_PKERN=m PKERN_DAX_INC=$(KSRC)/drivers/dax W=1
ifeq ($(PKERN_DEBUG_FAULTS),1)
MOD_FLAGS	+= CONFIG_DEV_DAX_PKERN_DEBUG_FAULTS=y
endif
UDEV_RULES_DIR	?= /etc/udev/rules.d
MODPROBE_D_DIR	?= /etc/modprobe.d

.PHONY: module install-module module-clean

module: $(MOD_KO)

# pkern_module_farm DIR: give DIR the layout the Kbuild file expects, as
# symlinks: the driver sources, lib/, include/linux/pkern.h (the kernel
# API) and include/uapi/linux/pkern.h.  Rebuilt every time: sources may
# come and go.
define pkern_module_farm
	@rm -rf $(1)/lib $(1)/include
	@mkdir -p $(1)/lib $(1)/include/linux $(1)/include/uapi/linux
	@find $(1) -maxdepth 1 -name '*.[ch]' -type l -delete
	@ln -sf $(PKERN_DRV)/*.[ch] $(PKERN_DRV)/Kbuild $(1)/
	@ln -sf $(TOP)/lib/*.[ch] $(1)/lib/
	@ln -sf $(TOP)/include/linux/pkern.h $(1)/include/linux/
	@ln -sf $(TOP)/include/uapi/linux/pkern.h $(1)/include/uapi/linux/
endef

# Kbuild does not notice a reconfigured kernel under an external module;
# its config and symbol list do
$(MOD_KO): $(MOD_INPUTS) $(KSRC)/.stamp $(MAKEFILE_LIST) \
	   $(wildcard $(KDIR)/include/config/auto.conf $(KDIR)/Module.symvers)
	$(call pkern_module_farm,$(MOD_DIR))
	$(MAKE) -C $(KDIR) M=$(MOD_DIR) $(MOD_FLAGS) modules

module-clean:
	rm -rf $(MOD_DIR)

install-module: module
	install -D -m 0644 $(MOD_KO) \
		$(DESTDIR)/lib/modules/$(KVER)/updates/dax_pkern.ko
	install -D -m 0644 -t $(DESTDIR)$(UDEV_RULES_DIR) \
		$(PKERN_DRV)/etc/60-dax-pkern.rules \
		$(PKERN_DRV)/etc/61-dax-pkern-names.rules
	install -D -m 0644 $(PKERN_DRV)/etc/dax_pkern.conf \
		$(DESTDIR)$(MODPROBE_D_DIR)/dax_pkern.conf
	if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi

install: install-module

ifneq ($(wildcard $(KDIR)/Makefile),)
ALL += module
endif

KERNEL_STYLE_FILES += $(wildcard $(PKERN_DRV)/*.[ch]) \
		      $(TOP)/include/linux/pkern.h \
		      $(TOP)/include/uapi/linux/pkern.h
