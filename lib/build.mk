# SPDX-License-Identifier: GPL-2.0-only
# lib/: the label format, built for userspace as a static library.
# The kernel module compiles the same .c files through its Kbuild.

LIB_SRCS := $(wildcard $(TOP)/lib/*.c)
LIB_OBJS := $(patsubst $(TOP)/lib/%.c,$(B)/lib/%.o,$(LIB_SRCS))
LIB_SAN_OBJS := $(patsubst $(TOP)/lib/%.c,$(B)/lib-san/%.o,$(LIB_SRCS))
LIBPKERN := $(B)/lib/libpkern.a
LIBPKERN_SAN := $(B)/lib-san/libpkern.a

$(B)/lib/%.o: $(TOP)/lib/%.c $(wildcard $(TOP)/lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -c $< -o $@

$(B)/lib-san/%.o: $(TOP)/lib/%.c $(wildcard $(TOP)/lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_CFLAGS) -c $< -o $@

$(LIBPKERN): $(LIB_OBJS)
	ar rcs $@ $^

$(LIBPKERN_SAN): $(LIB_SAN_OBJS)
	ar rcs $@ $^

ALL += $(LIBPKERN)
KERNEL_STYLE_FILES += $(wildcard $(TOP)/lib/*.[ch])
