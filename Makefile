# SPDX-License-Identifier: GPL-2.0-only
#
# pkern top-level build.  Each component keeps its rules in a build.mk
# next to its sources and adds its targets to ALL and CHECK.
#
#   make           build everything this machine can build
#   make check     install missing test dependencies, run every test
#                  suite (tests/suites.mk; make list-suites prints them)
#   make fuzz      run the label-format fuzzer for FUZZ_SECONDS
#   make demo      the kexec live-update demo in QEMU
#   make install   module, pkdaxctl, man pages, udev/modprobe config
#                  (what needs missing kernel headers is skipped, saying so)
#   make uninstall what make install installed (same PREFIX, DESTDIR)
#   make checkpatch  kernel style (checkpatch --strict, kernel-doc) of
#                  KERNEL_STYLE_FILES, which each build.mk appends to

TOP	:= $(abspath .)
B	:= $(TOP)/build

# Debian's 6.12 kernel, never the running one (see README)
KVER	?= $(shell ls -d /usr/src/linux-headers-6.12.*-amd64 2>/dev/null | \
		sed 's|.*/linux-headers-||' | sort -V | tail -n 1)
KDIR	?= /usr/src/linux-headers-$(KVER)
KSRC_TAR ?= /usr/src/linux-source-6.12.tar.xz
# Private headers and checkpatch, unpacked from linux-source-6.12
KSRC	?= $(B)/linux-source

CC	?= cc
CLANG	?= clang
USER_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	       -I$(TOP)/lib -I$(TOP)/include/uapi
SAN_CFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	      -fno-sanitize-recover=all

PREFIX	?= /usr/local
DESTDIR	?=

ALL	:=
CHECK	:= checkpatch
KERNEL_STYLE_FILES :=

.PHONY: all check deps fuzz demo install uninstall clean kernel-source checkpatch

all: real-all

# Order matters: it is the order of ALL.  The tests come last: their
# rules use the components' variables, and tests/suites.mk, the table of
# test suites, sets the order of CHECK and includes the harness and each
# suite's build.mk.
include lib/build.mk
-include drivers/dax/pkern/build.mk
-include drivers/iommu/build.mk
-include tools/pkdaxctl/build.mk
-include tools/liveupdate/build.mk
include tests/suites.mk

real-all: $(ALL)

deps:
	@$(TOP)/scripts/install-deps.sh

check: deps
	@set -e; for t in $(CHECK); do $(MAKE) --no-print-directory $$t; done
	@echo "make check: all test groups passed"

kernel-source: $(KSRC)/.stamp

$(KSRC)/.stamp: $(KSRC_TAR) Makefile
	@mkdir -p $(KSRC)
	tar xJf $(KSRC_TAR) -C $(KSRC) --strip-components=1 \
		--wildcards 'linux-source-6.12/drivers/dax/*.h' \
		'linux-source-6.12/scripts/checkpatch.pl' \
		'linux-source-6.12/scripts/kernel-doc' \
		'linux-source-6.12/scripts/spelling.txt' \
		'linux-source-6.12/scripts/const_structs.checkpatch'
	@touch $@

# Every kernel-side file: checkpatch --strict and kernel-doc, any warning
# fails.  SPDX_LICENSE_TAG: lib/ is dual-licensed; MACRO_ARG_REUSE and
# PREFER_KERNEL_TYPES: lib/'s iterator macro and its userspace glue;
# UNDOCUMENTED_SETUP: a parameter's documentation is in the same patch
# of the IOMMU series, which check-series checks as a patch.
checkpatch: kernel-source
	perl $(KSRC)/scripts/checkpatch.pl --no-tree --strict --quiet \
		--ignore SPDX_LICENSE_TAG,MACRO_ARG_REUSE,PREFER_KERNEL_TYPES,UNDOCUMENTED_SETUP \
		-f $(KERNEL_STYLE_FILES)
	@out=$$(perl $(KSRC)/scripts/kernel-doc -none $(KERNEL_STYLE_FILES) 2>&1); \
	if [ -n "$$out" ]; then echo "$$out"; exit 1; fi
	@echo "checkpatch: $(words $(KERNEL_STYLE_FILES)) files clean"

clean:
	rm -rf $(B)
