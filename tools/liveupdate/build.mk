# SPDX-License-Identifier: GPL-2.0-only
# tools/liveupdate: live-update a running QEMU guest across kexec.
#   tinyguest.elf  multiboot guest that shows whether it was resumed
#   daxstash       keeps a blob (migration stream, metadata) in a dax device
#   hmpc           QEMU human-monitor client for the script

LU_B := $(B)/liveupdate
LU_SRC := $(TOP)/tools/liveupdate

$(LU_B)/tinyguest.o: $(LU_SRC)/tinyguest.S
	@mkdir -p $(dir $@)
	as --32 -o $@ $<

# QEMU's multiboot loader takes 32-bit ELF only; load at 1 MiB.
$(LU_B)/tinyguest.elf: $(LU_B)/tinyguest.o
	ld -m elf_i386 -N -Ttext 0x100000 -e _start --no-warn-rwx-segments \
		-o $@ $<

$(LU_B)/daxstash: $(LU_SRC)/daxstash.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $< -ldaxctl -lpmem -lz

$(LU_B)/hmpc: $(LU_SRC)/hmpc.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $<

# sanitizer builds for the host check
$(LU_B)/san/%: $(LU_SRC)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_CFLAGS) -o $@ $< -ldaxctl -lpmem -lz

LU_BINS := $(LU_B)/tinyguest.elf $(LU_B)/daxstash $(LU_B)/hmpc
ALL += $(LU_BINS)
