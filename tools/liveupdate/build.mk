# SPDX-License-Identifier: GPL-2.0-only
# tools/liveupdate: live-update a running QEMU guest across kexec.
#   tinyguest.elf  multiboot guest that shows whether it was resumed
#   daxstash       keeps a blob (migration stream, metadata) in a dax device
#   hmpc           QEMU human-monitor client for the script

LU_B := $(B)/liveupdate
LU_SRC := $(TOP)/tools/liveupdate

# The guest is freestanding 32-bit code: no libc or libgcc, no SSE (the
# loader does not enable it), no calls the compiler invents for loops.
LU_GUEST_CFLAGS := -m32 -ffreestanding -nostdlib -fno-pic -O2 -std=c11 \
	-Wall -Wextra -Werror -mgeneral-regs-only -fno-stack-protector \
	-fcf-protection=none -fno-asynchronous-unwind-tables \
	-fno-tree-loop-distribute-patterns -fno-reorder-blocks-and-partition
# tinyguest.c keeps its DMA buffers and mailbox from here up to 2 MiB
LU_GUEST_LIMIT := 0x180000

$(LU_B)/tinyguest-entry.o: $(LU_SRC)/tinyguest.S
	@mkdir -p $(dir $@)
	as --32 -o $@ $<

$(LU_B)/tinyguest-main.o: $(LU_SRC)/tinyguest.c
	@mkdir -p $(dir $@)
	$(CC) $(LU_GUEST_CFLAGS) -c -o $@ $<

# QEMU's multiboot loader takes 32-bit ELF only; load at 1 MiB, the entry
# object first so the multiboot header leads the image.
$(LU_B)/tinyguest.elf: $(LU_B)/tinyguest-entry.o $(LU_B)/tinyguest-main.o
	ld -m elf_i386 -N -Ttext 0x100000 -e _start --no-warn-rwx-segments \
		-o $@ $^
	@end=$$(nm $@ | awk '$$3 == "_end" { print $$1 }'); \
	if [ $$((0x$$end)) -gt $$(($(LU_GUEST_LIMIT))) ]; then \
		echo "$@: image ends at 0x$$end, above $(LU_GUEST_LIMIT)" >&2; \
		rm -f $@; exit 1; \
	fi

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
