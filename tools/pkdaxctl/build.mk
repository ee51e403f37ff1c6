# SPDX-License-Identifier: GPL-2.0-only
# tools/pkdaxctl: the management CLI -> build/pkdaxctl, man pages -> build/man

PKDAXCTL_DIR	:= $(TOP)/tools/pkdaxctl
PKDAXCTL_SRCS	:= $(wildcard $(PKDAXCTL_DIR)/*.c)
PKDAXCTL_HDRS	:= $(wildcard $(PKDAXCTL_DIR)/*.h) $(wildcard $(TOP)/lib/*.h) \
		   $(TOP)/include/uapi/linux/pkern.h
PKDAXCTL_OBJS	:= $(patsubst $(PKDAXCTL_DIR)/%.c,$(B)/pkdaxctl.o/%.o,$(PKDAXCTL_SRCS))
PKDAXCTL_SAN_OBJS := $(patsubst $(PKDAXCTL_DIR)/%.c,$(B)/pkdaxctl-san.o/%.o,$(PKDAXCTL_SRCS))
PKDAXCTL_LIBS	:= -lpmem -ldaxctl -ljson-c -luuid -lz
PKDAXCTL	:= $(B)/pkdaxctl
PKDAXCTL_SAN	:= $(B)/pkdaxctl-san
# the release version is PKERN_VERSION in pkdaxctl.h; the git revision is extra
PKDAXCTL_GIT	:= $(shell git -C $(TOP) describe --always --dirty 2>/dev/null)

PKDAXCTL_DOCS	:= $(wildcard $(PKDAXCTL_DIR)/Documentation/pkdaxctl*.txt)
# option descriptions the pages include (not pages themselves)
PKDAXCTL_DOC_INCS := $(filter-out $(PKDAXCTL_DOCS),$(wildcard $(PKDAXCTL_DIR)/Documentation/*.txt))
PKDAXCTL_MANS	:= $(patsubst $(PKDAXCTL_DIR)/Documentation/%.txt,$(B)/man/%.1,$(PKDAXCTL_DOCS))
ASCIIDOCTOR	?= $(shell command -v asciidoctor 2>/dev/null)

$(B)/pkdaxctl.o/%.o: $(PKDAXCTL_DIR)/%.c $(PKDAXCTL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -DPKERN_GIT_REV='"$(PKDAXCTL_GIT)"' -c $< -o $@

$(B)/pkdaxctl-san.o/%.o: $(PKDAXCTL_DIR)/%.c $(PKDAXCTL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_CFLAGS) -DPKERN_GIT_REV='"$(PKDAXCTL_GIT)"' -c $< -o $@

$(PKDAXCTL): $(PKDAXCTL_OBJS) $(LIBPKERN)
	$(CC) -o $@ $(PKDAXCTL_OBJS) $(LIBPKERN) $(PKDAXCTL_LIBS)

$(PKDAXCTL_SAN): $(PKDAXCTL_SAN_OBJS) $(LIBPKERN_SAN)
	$(CC) $(SAN_CFLAGS) -o $@ $(PKDAXCTL_SAN_OBJS) $(LIBPKERN_SAN) $(PKDAXCTL_LIBS)

# --failure-level=WARN: a missing include or a broken list fails the build
$(B)/man/%.1: $(PKDAXCTL_DIR)/Documentation/%.txt $(PKDAXCTL_DOC_INCS)
	@mkdir -p $(dir $@)
	$(ASCIIDOCTOR) -b manpage -d manpage --failure-level=WARN -o $@ $<

.PHONY: pkdaxctl pkdaxctl-man install-pkdaxctl uninstall-pkdaxctl
pkdaxctl: $(PKDAXCTL)
pkdaxctl-man: $(PKDAXCTL_MANS)

ALL += $(PKDAXCTL)
ifneq ($(ASCIIDOCTOR),)
ALL += $(PKDAXCTL_MANS)
endif

BASH_COMPLETION_DIR ?= $(PREFIX)/share/bash-completion/completions

install-pkdaxctl: $(PKDAXCTL) $(if $(ASCIIDOCTOR),$(PKDAXCTL_MANS))
	install -D -m 0755 $(PKDAXCTL) $(DESTDIR)$(PREFIX)/bin/pkdaxctl
	install -D -m 0644 $(PKDAXCTL_DIR)/pkdaxctl-completion.bash \
		$(DESTDIR)$(BASH_COMPLETION_DIR)/pkdaxctl
	$(if $(ASCIIDOCTOR),install -d $(DESTDIR)$(PREFIX)/share/man/man1 && \
		install -m 0644 $(PKDAXCTL_MANS) $(DESTDIR)$(PREFIX)/share/man/man1/)

uninstall-pkdaxctl:
	rm -f $(DESTDIR)$(PREFIX)/bin/pkdaxctl \
		$(DESTDIR)$(BASH_COMPLETION_DIR)/pkdaxctl \
		$(addprefix $(DESTDIR)$(PREFIX)/share/man/man1/,$(notdir $(PKDAXCTL_MANS)))

install: install-pkdaxctl
uninstall: uninstall-pkdaxctl
