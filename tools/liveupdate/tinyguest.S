/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tinyguest: a multiboot (v1) guest whose only job is to make a live
 * update observable.  At boot it picks a random id, fills all RAM above
 * 2 MiB with an id-seeded xorshift pattern, then spins forever counting.
 * About twice a second it re-reads the whole pattern and prints on the
 * debug port (0xe9):
 *
 *	id=<hex> count=<decimal> sum=<hex>
 *
 * A correctly resumed guest keeps its id and sum and its count keeps
 * growing; a guest restarted from scratch shows a new id and a count
 * starting near zero; a guest whose memory was damaged shows a new sum.
 *
 * Build: as --32, ld -m elf_i386 -Ttext 0x100000 (QEMU's multiboot
 * loader refuses 64-bit ELF).  Runs in the flat 32-bit protected mode
 * multiboot leaves us in, with interrupts off and paging disabled.
 */

	.set	MB_MAGIC, 0x1badb002
	.set	MB_FLAGS, 0x00000003	/* page-align modules, want memory info */
	.set	MB_BOOTED, 0x2badb002	/* what the loader leaves in %eax */
	.set	AREA, 0x200000		/* pattern starts above our image */
	.set	PERIOD, 0x40000000	/* TSC ticks between prints (~0.4 s) */
	.set	DBGPORT, 0xe9

	.text
	.code32
	.globl	_start
	/* multiboot header: first thing in .text, so well inside 8 KiB */
	.balign	4
mbhdr:	.long	MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

_start:
	cli
	movl	$stack_top, %esp

	/* RAM end = 1 MiB + mem_upper KiB; assume 4 MiB if not told */
	movl	$0x400000, %edi
	cmpl	$MB_BOOTED, %eax
	jne	1f
	testb	$1, (%ebx)
	jz	1f
	movl	8(%ebx), %edi
	shll	$10, %edi
	addl	$0x100000, %edi
1:	movl	%edi, area_end

	/* The id seeds the pattern, so a rebooted guest has a new sum too. */
	rdtsc
	xorl	%edx, %eax
	orl	$1, %eax		/* xorshift state must be non-zero */
	movl	%eax, boot_id

	movl	%eax, %edx
	movl	$AREA, %edi
fill:	movl	%edx, %eax		/* xorshift32 (13, 17, 5) */
	shll	$13, %eax
	xorl	%eax, %edx
	movl	%edx, %eax
	shrl	$17, %eax
	xorl	%eax, %edx
	movl	%edx, %eax
	shll	$5, %eax
	xorl	%eax, %edx
	movl	%edx, (%edi)
	addl	$4, %edi
	cmpl	area_end, %edi
	jb	fill

	rdtsc
	movl	%eax, last_tsc
	jmp	report			/* print once straight away */

spin:	addl	$1, count_lo		/* the counter lives in guest RAM */
	adcl	$0, count_hi
	rdtsc
	subl	last_tsc, %eax		/* wrap-safe; a TSC jump just prints */
	cmpl	$PERIOD, %eax
	jb	spin
	addl	%eax, last_tsc

report:	movl	$s_id, %esi
	call	puts
	movl	boot_id, %eax
	call	puthex
	movl	$s_count, %esi
	call	puts
	movl	count_lo, %eax
	movl	count_hi, %edx
	call	putdec64
	movl	$s_sum, %esi
	call	puts
	call	checksum
	call	puthex
	movb	$'\n', %al
	outb	%al, $DBGPORT
	jmp	spin

/* %eax = rotate-and-add over the whole pattern, read back from RAM */
checksum:
	xorl	%eax, %eax
	movl	$AREA, %esi
	movl	area_end, %ecx
2:	roll	$5, %eax
	addl	(%esi), %eax
	addl	$4, %esi
	cmpl	%ecx, %esi
	jb	2b
	ret

/* print the NUL-terminated string at %esi */
puts:	lodsb
	testb	%al, %al
	jz	3f
	outb	%al, $DBGPORT
	jmp	puts
3:	ret

/* print %eax as 8 hex digits */
puthex:	movl	%eax, %edx
	movl	$8, %ecx
4:	roll	$4, %edx
	movl	%edx, %eax
	andl	$15, %eax
	movb	hexdig(%eax), %al
	outb	%al, $DBGPORT
	loop	4b
	ret

/* print %edx:%eax in decimal: divide high then low word by 10 */
putdec64:
	movl	$10, %ebx
	xorl	%ecx, %ecx		/* digits pushed */
5:	movl	%eax, %edi		/* low word */
	movl	%edx, %eax
	xorl	%edx, %edx
	divl	%ebx			/* %eax = high / 10, %edx = rem */
	movl	%eax, %esi
	movl	%edi, %eax
	divl	%ebx			/* %eax = (rem:low) / 10 */
	addl	$'0', %edx
	pushl	%edx
	incl	%ecx
	movl	%esi, %edx
	movl	%eax, %edi
	orl	%edx, %edi
	jnz	5b
6:	popl	%eax
	outb	%al, $DBGPORT
	loop	6b
	ret

	.section .rodata
hexdig:	.ascii	"0123456789abcdef"
s_id:	.asciz	"id="
s_count: .asciz	" count="
s_sum:	.asciz	" sum="

	.bss
	.balign	4
boot_id:	.long	0
area_end:	.long	0
last_tsc:	.long	0
count_lo:	.long	0
count_hi:	.long	0
	.balign	16
	.skip	1024
stack_top:
