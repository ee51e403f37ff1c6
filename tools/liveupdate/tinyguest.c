// SPDX-License-Identifier: GPL-2.0-only
/*
 * tinyguest: a multiboot guest whose only job is to make a live update
 * observable.  At boot it picks a random id, fills all RAM above 2 MiB
 * with an id-seeded xorshift pattern, then spins forever counting.  About
 * twice a second it re-reads the whole pattern and prints on the debug
 * port (0xe9):
 *
 *	id=<8 hex> count=<decimal> sum=<8 hex>
 *
 * A correctly resumed guest keeps its id and sum and its count keeps
 * growing; a guest restarted from scratch shows a new id and a count
 * starting near zero; a guest whose memory was damaged shows a new sum.
 *
 * With a QEMU "edu" device (PCI 1234:11e8) on bus 0 the guest also drives
 * it, to show that an assigned device kept working across the update, and
 * the line grows:
 *
 *	id=<8 hex> count=<decimal> sum=<8 hex> dma=<good> bad=<bad>
 *	    stuck=<n> live=<ok|BAD> landed=<0..4>		(one line)
 *
 * dma/bad: completed rounds of its own DMA loop whose data did / did not
 * come back intact: a round writes a round-stamped 1 KiB pattern to the
 * src page, DMAs it into edu's buffer at device address 0x40800 and back
 * into the dst page, and compares.  stuck: transfers still busy after
 * about ten seconds (edu takes 100 ms).  live: edu's liveness register
 * 0x04 still returns the complement of what the guest wrote at boot; the
 * guest writes ~id, so the register reads back the id.  landed: how many
 * mailbox slots hold, in their first 2 KiB, a copy of the bsrc page.
 *
 * Guest-physical layout (all below 2 MiB, so outside the checksum):
 *
 *	0x100000  this image (text, data, bss, stack; the build checks that
 *	          it ends below 0x180000)
 *	0x180000  DMA src page (1 KiB used)
 *	0x181000  DMA dst page (1 KiB used)
 *	0x1c0000  bsrc: 2 KiB seeded by the id, written once at boot
 *	0x1c1000  mailbox slot 0; slot i at 0x1c1000 + i * 0x1000, i < 4,
 *	          zeroed at boot
 *	0x200000  the checksummed pattern, to the end of RAM
 *
 * The mailbox lets a harness outside the guest prove a device could DMA
 * into guest memory while the guest was paused: it copies bsrc into some
 * slots, through edu using only the first half of edu's buffer (device
 * addresses 0x40000-0x407ff, transfers of at most 2 KiB), and the next
 * report counts them.  Such a harness must wait for edu's DMA command
 * register (0x98) to go idle before its first transfer, since the guest
 * may have paused with one in flight, and must put back edu's DMA src,
 * dst and count registers (0x80, 0x88, 0x90) afterwards, since the guest
 * may have paused between programming them and starting its transfer.
 *
 * Freestanding C for the flat 32-bit protected mode multiboot leaves us
 * in (interrupts off, paging disabled); tinyguest.S is the entry.
 */
#include <stdbool.h>
#include <stdint.h>

#define MB_BOOTED	0x2badb002u	/* what the loader leaves in %eax */
#define AREA		0x200000u	/* pattern starts above our image */
#define PERIOD		0x40000000u	/* TSC ticks between prints (~0.4 s) */
#define DBGPORT		0xe9

#define DMA_SRC		0x180000u
#define DMA_DST		0x181000u
#define MBOX_BSRC	0x1c0000u
#define MBOX_SLOT0	0x1c1000u
#define MBOX_SLOTS	4
#define MBOX_WORDS	(2048 / 4)

#define EDU_ID		0x11e81234u	/* device << 16 | vendor */
#define EDU_LIVE	0x04
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_RUN	0x1		/* start; reads 1 while busy */
#define EDU_CMD_TO_RAM	0x2		/* direction: edu buffer -> RAM */
#define EDU_GUEST_BUF	0x40800u	/* our half of edu's 4 KiB buffer */
#define ROUND_WORDS	(1024 / 4)	/* stays clear of the buffer's end */

/*
 * Checking edu every loop would turn the counting loop into MMIO exits
 * (through two levels of QEMU when nested); a transfer takes 100 ms, so
 * looking every ~2 ms costs nothing in rounds.
 */
#define POLL_TICKS	(1ull << 22)
#define STUCK_TICKS	(1ull << 35)	/* ~10 s at the TSC rates we see */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline volatile uint32_t *phys(uint32_t addr)
{
	return (volatile uint32_t *)(uintptr_t)addr;
}

static uint32_t xorshift(uint32_t x)	/* xorshift32 (13, 17, 5) */
{
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

/* fill WORDS words at P with the xorshift sequence after SEED (non-zero) */
static void fill(volatile uint32_t *p, uint32_t words, uint32_t seed)
{
	while (words--) {
		seed = xorshift(seed);
		*p++ = seed;
	}
}

static bool same(volatile uint32_t *a, volatile uint32_t *b, uint32_t words)
{
	while (words--)
		if (*a++ != *b++)
			return false;
	return true;
}

static void print(const char *s)
{
	while (*s)
		outb(DBGPORT, (uint8_t)*s++);
}

static void puthex(uint32_t v)
{
	for (int i = 28; i >= 0; i -= 4)
		outb(DBGPORT, (uint8_t)"0123456789abcdef"[(v >> i) & 15]);
}

static void putdec(uint64_t v)
{
	char d[20];
	int n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		outb(DBGPORT, (uint8_t)d[--n]);
}

static uint32_t boot_id, area_end;
static uint64_t count;

/* rotate-and-add over the whole pattern, read back from RAM */
static uint32_t checksum(void)
{
	const uint32_t *p = (const uint32_t *)(uintptr_t)AREA;
	const uint32_t *end = (const uint32_t *)(uintptr_t)area_end;
	uint32_t sum = 0;

	while (p < end)
		sum = ((sum << 5) | (sum >> 27)) + *p++;
	return sum;
}

/* ---- edu ---------------------------------------------------------------- */

static volatile uint32_t *edu;		/* BAR0, NULL without an edu */
static enum { IDLE, TO_EDU, FROM_EDU } xfer;
static uint64_t xfer_start, last_poll;
static uint32_t rounds, good, bad, stuck;

static uint32_t pci_read(uint32_t devfn, uint32_t reg)
{
	outl(0xcf8, 0x80000000u | devfn << 8 | reg);	/* bus 0 */
	return inl(0xcfc);
}

static void pci_write(uint32_t devfn, uint32_t reg, uint32_t v)
{
	outl(0xcf8, 0x80000000u | devfn << 8 | reg);
	outl(0xcfc, v);
}

static void edu_init(void)
{
	uint32_t devfn, bar;

	for (devfn = 0; devfn < 256; devfn++)
		if (pci_read(devfn, 0x00) == EDU_ID)
			break;
	if (devfn == 256)
		return;
	/* firmware placed it; we need a 32-bit memory BAR below 4 GiB */
	bar = pci_read(devfn, 0x10);
	if ((bar & 0x7) != 0 || (bar & ~0xfu) == 0)
		return;
	/*
	 * Memory Space + Bus Master.  Writing 0 to the status half leaves
	 * its write-1-to-clear bits alone.
	 */
	pci_write(devfn, 0x04, (pci_read(devfn, 0x04) & 0xffff) | 0x6);
	edu = phys(bar & ~0xfu);
	edu[EDU_LIVE / 4] = ~boot_id;
	xfer_start = rdtsc();
}

static void edu_dma(uint32_t src, uint32_t dst, uint32_t cmd)
{
	edu[EDU_DMA_SRC / 4] = src;	/* a 4-byte write sets all 64 bits */
	edu[EDU_DMA_DST / 4] = dst;
	edu[EDU_DMA_CNT / 4] = ROUND_WORDS * 4;
	edu[EDU_DMA_CMD / 4] = cmd | EDU_CMD_RUN;
}

/*
 * One step of the DMA loop; returns at once.  A busy edu is waited for
 * whether the transfer is ours or one left over from before a reboot
 * (edu has no reset), since edu ignores a start while busy.
 */
static void edu_step(uint64_t now)
{
	if (edu[EDU_DMA_CMD / 4] & EDU_CMD_RUN) {
		if (now - xfer_start > STUCK_TICKS) {
			stuck++;
			xfer_start = now;	/* count each further bound too */
			xfer = IDLE;		/* start afresh once idle */
		}
		return;
	}
	switch (xfer) {
	case IDLE:
		/* stamped with the round, so a transfer that did nothing fails */
		fill(phys(DMA_SRC), ROUND_WORDS,
		     (boot_id ^ (rounds * 0x9e3779b9u)) | 1);
		edu_dma(DMA_SRC, EDU_GUEST_BUF, 0);
		xfer = TO_EDU;
		break;
	case TO_EDU:
		edu_dma(EDU_GUEST_BUF, DMA_DST, EDU_CMD_TO_RAM);
		xfer = FROM_EDU;
		break;
	case FROM_EDU:
		if (same(phys(DMA_SRC), phys(DMA_DST), ROUND_WORDS))
			good++;
		else
			bad++;
		rounds++;
		xfer = IDLE;
		break;
	}
	xfer_start = now;
}

static uint32_t landed(void)
{
	uint32_t i, n = 0;

	for (i = 0; i < MBOX_SLOTS; i++)
		n += same(phys(MBOX_SLOT0 + i * 0x1000), phys(MBOX_BSRC),
			  MBOX_WORDS);
	return n;
}

/* ---- main loop ------------------------------------------------------------ */

static void report(void)
{
	print("id=");
	puthex(boot_id);
	print(" count=");
	putdec(count);
	print(" sum=");
	puthex(checksum());
	if (edu) {
		print(" dma=");
		putdec(good);
		print(" bad=");
		putdec(bad);
		print(" stuck=");
		putdec(stuck);
		print(edu[EDU_LIVE / 4] == boot_id ? " live=ok" : " live=BAD");
		print(" landed=");
		putdec(landed());
	}
	outb(DBGPORT, '\n');
}

void guest_main(uint32_t magic, const uint32_t *mbi);

void guest_main(uint32_t magic, const uint32_t *mbi)
{
	uint32_t last, i;
	uint64_t t;

	/* RAM end = 1 MiB + mem_upper KiB; assume 4 MiB if not told */
	area_end = 0x400000;
	if (magic == MB_BOOTED && (mbi[0] & 1))
		area_end = (mbi[2] << 10) + 0x100000;

	/* The id seeds the pattern, so a rebooted guest has a new sum too. */
	t = rdtsc();
	boot_id = ((uint32_t)t ^ (uint32_t)(t >> 32)) | 1;
	fill(phys(AREA), (area_end - AREA) / 4, boot_id);

	fill(phys(MBOX_BSRC), MBOX_WORDS, (boot_id ^ 0x6d626f78) | 1);	/* "mbox" */
	for (i = 0; i < MBOX_SLOTS * 0x1000 / 4; i++)
		phys(MBOX_SLOT0)[i] = 0;
	edu_init();

	last = (uint32_t)rdtsc();
	report();			/* print once straight away */
	for (;;) {
		count++;
		t = rdtsc();
		if (edu && t - last_poll >= POLL_TICKS) {
			last_poll = t;
			edu_step(t);
		}
		if ((uint32_t)t - last >= PERIOD) {	/* wrap-safe */
			last = (uint32_t)t;	/* a TSC jump just prints */
			report();
		}
	}
}
