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
#   make install-module              module (for KVER), udev rules,
#                                    modprobe.d file; without KVER's
#                                    headers: the configuration only
#   make dkms-install                the module's source to DKMS, built
#                                    and installed for the running kernel
#                                    or KVER=, rebuilt on kernel upgrades
#   make uninstall-module, dkms-uninstall
#
# Where the configuration goes: PREFIX=/usr is a package's install
# (/lib/udev/rules.d, /lib/modprobe.d), any other PREFIX an
# administrator's (/etc/udev/rules.d, /etc/modprobe.d); UDEV_RULES_DIR
# and MODPROBE_D_DIR override either.  The installed module is stripped
# of debug info (INSTALL_MOD_STRIP=1, as Kbuild's modules_install);
# INSTALL_MOD_STRIP= keeps it, any other value is strip's options.

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
ifeq ($(PREFIX),/usr)
UDEV_RULES_DIR	?= /lib/udev/rules.d
MODPROBE_D_DIR	?= /lib/modprobe.d
else
UDEV_RULES_DIR	?= /etc/udev/rules.d
MODPROBE_D_DIR	?= /etc/modprobe.d
endif
INSTALL_MOD_STRIP ?= 1
MOD_STRIP_OPTS	:= $(if $(filter 1,$(INSTALL_MOD_STRIP)),--strip-debug,$(INSTALL_MOD_STRIP))
MOD_INSTALLED	:= /lib/modules/$(KVER)/updates/dax_pkern.ko
PKERN_ETC	:= 60-dax-pkern.rules 61-dax-pkern-names.rules dax_pkern.conf
PKERN_ETC_DEST	= $(if $(filter %.rules,$(1)),$(UDEV_RULES_DIR),$(MODPROBE_D_DIR))/$(1)

.PHONY: module install-module uninstall-module install-module-config \
	module-clean

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

install-module-config:
	install -D -m 0644 -t $(DESTDIR)$(UDEV_RULES_DIR) \
		$(addprefix $(PKERN_DRV)/etc/,$(filter %.rules,$(PKERN_ETC)))
	install -D -m 0644 -t $(DESTDIR)$(MODPROBE_D_DIR) \
		$(addprefix $(PKERN_DRV)/etc/,$(filter %.conf,$(PKERN_ETC)))

# Without KVER's headers (or linux-source's private dax headers) the
# module cannot be built: install the rest and say what was skipped
# rather than fail before pkdaxctl is installed.
MOD_MISSING	:= $(if $(wildcard $(KDIR)/Makefile),,kernel headers at '$(KDIR)' (KVER='$(KVER)'; apt install linux-headers-$(or $(KVER),$$(uname -r))))
MOD_MISSING	+= $(if $(wildcard $(KSRC)/.stamp $(KSRC_TAR)),,$(KSRC_TAR) (apt install linux-source-6.12))
MOD_MISSING	:= $(strip $(MOD_MISSING))
ifeq ($(MOD_MISSING),)
install-module: module install-module-config
	install -D -m 0644 $(MOD_KO) $(DESTDIR)$(MOD_INSTALLED)
	$(if $(MOD_STRIP_OPTS),strip $(MOD_STRIP_OPTS) $(DESTDIR)$(MOD_INSTALLED))
	if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi
else
install-module: install-module-config
	@echo "install: skipped dax_pkern.ko: it needs $(MOD_MISSING); then run 'make install' again, or 'make dkms-install'" >&2
endif

uninstall-module:
	rm -f $(DESTDIR)$(MOD_INSTALLED)
	rm -f $(foreach f,$(PKERN_ETC),$(DESTDIR)$(call PKERN_ETC_DEST,$(f)))
	if [ -z "$(DESTDIR)" ] && [ -d /lib/modules/$(KVER) ]; then depmod -a $(KVER); fi

install: install-module
uninstall: uninstall-module

# DKMS builds for the kernel it is told (-k), here the running one unless
# KVER= is given: the newest headers found may belong to another kernel.
PKERN_VERSION	?= $(shell cat $(TOP)/VERSION 2>/dev/null || echo 0.1)
DKMS		?= dkms
DKMS_SRC_ROOT	?= /usr/src
DKMS_SRC	:= $(DKMS_SRC_ROOT)/pkern-$(PKERN_VERSION)
DKMS_MOD	:= pkern/$(PKERN_VERSION)
DKMS_KVER	:= $(if $(filter command line environment override,$(origin KVER)),$(KVER),$(shell uname -r))

.PHONY: dkms-source dkms-install dkms-uninstall

# The module's source as DKMS builds it: the Kbuild layout of
# build/module/, as files, plus dkms.conf and the private dax headers
dkms-source: $(KSRC)/.stamp
	rm -rf $(DESTDIR)$(DKMS_SRC)
	install -D -m 0644 -t $(DESTDIR)$(DKMS_SRC) $(PKERN_DRV)/Kbuild \
		$(wildcard $(PKERN_DRV)/*.[ch])
	install -D -m 0644 -t $(DESTDIR)$(DKMS_SRC)/lib $(wildcard $(TOP)/lib/*.[ch])
	install -D -m 0644 -t $(DESTDIR)$(DKMS_SRC)/include/linux \
		$(TOP)/include/linux/pkern.h
	install -D -m 0644 -t $(DESTDIR)$(DKMS_SRC)/include/uapi/linux \
		$(TOP)/include/uapi/linux/pkern.h
	install -D -m 0644 -t $(DESTDIR)$(DKMS_SRC)/dax \
		$(KSRC)/drivers/dax/bus.h $(KSRC)/drivers/dax/dax-private.h
	sed 's/@PKERN_VERSION@/$(PKERN_VERSION)/' $(PKERN_DRV)/dkms/dkms.conf \
		>$(DESTDIR)$(DKMS_SRC)/dkms.conf

dkms-install: dkms-source install-module-config
	$(DKMS) status $(DKMS_MOD) | grep -q . || $(DKMS) add $(DKMS_MOD)
	$(DKMS) install $(DKMS_MOD) -k $(DKMS_KVER)

dkms-uninstall:
	-$(DKMS) remove $(DKMS_MOD) --all
	rm -rf $(DESTDIR)$(DKMS_SRC)

ifneq ($(wildcard $(KDIR)/Makefile),)
ALL += module
endif

KERNEL_STYLE_FILES += $(wildcard $(PKERN_DRV)/*.[ch]) \
		      $(TOP)/include/linux/pkern.h \
		      $(TOP)/include/uapi/linux/pkern.h
