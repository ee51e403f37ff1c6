/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tinyguest entry: the multiboot (v1) header and the few instructions C
 * cannot express.  Everything else, and the description of what the
 * guest does, its memory layout and its report line, is in tinyguest.c.
 *
 * Build: as --32, ld -m elf_i386 -Ttext 0x100000 with this object first,
 * so the header leads .text, well inside the 8 KiB the loader searches
 * (QEMU's multiboot loader refuses 64-bit ELF).  Runs in the flat 32-bit
 * protected mode multiboot leaves us in, interrupts off, paging disabled.
 */

	.set	MB_MAGIC, 0x1badb002
	.set	MB_FLAGS, 0x00000003	/* page-align modules, want memory info */

	.text
	.code32
	.globl	_start
	.balign	4
mbhdr:	.long	MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

_start:
	cli
	cld				/* C assumes a clear direction flag */
	/*
	 * Zero .bss rather than trust every loader to: the counters must
	 * start from zero.  %eax and %ebx hold the loader's magic and info
	 * pointer, so keep them out of the way.
	 */
	movl	$__bss_start, %edi
	movl	$_end, %ecx
	subl	%edi, %ecx
	movl	%eax, %edx
	xorl	%eax, %eax
	rep stosb
	movl	%edx, %eax

	movl	$stack_top, %esp
	pushl	%ebx			/* multiboot info */
	pushl	%eax			/* loader magic */
	call	guest_main
1:	hlt				/* guest_main never returns */
	jmp	1b

	.bss
	.balign	16
	.skip	4096
stack_top:

	.section .note.GNU-stack, "", @progbits
