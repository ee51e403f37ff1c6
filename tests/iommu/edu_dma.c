// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu_dma: one edu DMA round trip with no driver and no new mapping.
 *
 * After a kexec that kept a device's translation, nothing in the new
 * kernel has mapped anything yet: the device must still translate
 * through the tables the previous kernel kept.  This drives QEMU's edu
 * straight through sysfs (BAR 0 via resource0, the command register via
 * config) and has it copy EDU_XFER bytes from IOVA + FROM to IOVA + TO,
 * where IOVA maps offset 0 of a pkern guest namespace (/dev/daxN.M).
 * The destination is zeroed first through the namespace's mapping; then
 *   default:        the bytes at TO must equal those at FROM;
 *   --expect-fault: the bytes at TO must still be zero (both transfers
 *                   were refused by the IOMMU, nothing landed).
 * It refuses to run if the device's bus mastering is off: a DMA that
 * QEMU drops for that reason would prove nothing about the IOMMU.
 */
#include <fcntl.h>
#include <getopt.h>
#include <sys/mman.h>

#include "edu.h"

#define EDU_BAR_SIZE	(1 << 20)
#define PCI_COMMAND	4
#define PCI_CMD_MEM	0x2
#define PCI_CMD_MASTER	0x4
#define PCI_CMD_INTX_OFF	0x400

static void usage(void)
{
	fputs("usage: edu_dma --device BDF --iova ADDR --dax /dev/daxN.M\n"
	      "               --from OFF --to OFF [--expect-fault]\n"
	      "       edu_dma --device BDF --raise-irq\n", stderr);
	exit(2);
}

/*
 * The device may belong to a paused VM whose guest drives the same DMA
 * engine: it may have stopped with a transfer running, or between
 * programming the registers and starting.  Wait for the engine, use only
 * the first half of edu's buffer (the guest keeps to the second), and put
 * the guest's registers back.
 */
static void edu_borrowed_round_trip(const struct edu *e, uint8_t *buf,
				    uint64_t iova, uint64_t from, uint64_t to)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	uint64_t src, dst, cnt;
	int i;

	for (i = 0; i < 1000 && (edu_rd(e, EDU_DMA_CMD) & EDU_CMD_START); i++)
		nanosleep(&ts, NULL);
	if (i == 1000)
		die("edu's DMA engine stayed busy for 10 s");
	src = edu_rd(e, EDU_DMA_SRC);
	dst = edu_rd(e, EDU_DMA_DST);
	cnt = edu_rd(e, EDU_DMA_CNT);
	edu_round_trip(e, buf, iova, from, to);
	edu_wr(e, EDU_DMA_SRC, src);
	edu_wr(e, EDU_DMA_DST, dst);
	edu_wr(e, EDU_DMA_CNT, cnt);
}

/* Offset of the MSI capability in config space @cfg, or 0 */
static unsigned int msi_cap(const uint8_t *cfg)
{
	unsigned int at = cfg[0x34] & 0xfc, n;

	for (n = 0; at && n < 48; n++, at = cfg[at + 1] & 0xfc)
		if (cfg[at] == 0x05)
			return at;
	return 0;
}

/*
 * --raise-irq: edu raises an interrupt while nobody owns it.  The
 * previous kernel masked it at the device (INTx disabled, MSI off), so
 * the interrupt stays in edu's status register and no message is sent.
 */
static int raise_irq(const struct edu *e, const char *bdf)
{
	char path[128];
	uint8_t cfg[256];
	unsigned int msi;
	uint64_t status;
	uint16_t cmd;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDONLY);
	if (fd < 0 || pread(fd, cfg, sizeof(cfg), 0) != sizeof(cfg))
		die("%s: %s", path, strerror(errno));
	close(fd);
	memcpy(&cmd, cfg + PCI_COMMAND, 2);
	msi = msi_cap(cfg);
	if (!(cmd & PCI_CMD_INTX_OFF))
		die("%s has INTx enabled (command 0x%04x)", bdf, cmd);
	if (!msi || (cfg[msi + 2] & 1))
		die("%s has MSI enabled (or no MSI capability)", bdf);
	edu_wr(e, EDU_IRQ_RAISE, 0x1);
	status = edu_rd(e, EDU_IRQ_STATUS) & 0xffffffff;
	if (!(status & 0x1))
		die("edu interrupt status 0x%" PRIx64 " after raising 0x1", status);
	printf("edu_dma: interrupt raised with INTx and MSI masked at the device (status 0x%" PRIx64 ")\n",
	       status);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "iova", required_argument, NULL, 'i' },
		{ "dax", required_argument, NULL, 'x' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "expect-fault", no_argument, NULL, 'e' },
		{ "raise-irq", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	const char *bdf = NULL, *dax = NULL;
	uint64_t iova = 0, from = 0, to = 0, span;
	bool fault = false, set_iova = false, raise = false;
	struct edu edu = { 0 };
	void *bar;
	char path[128];
	uint16_t cmd;
	uint8_t *buf;
	int c, fd;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': bdf = optarg; break;
		case 'i': iova = num(optarg, "iova"); set_iova = true; break;
		case 'x': dax = optarg; break;
		case 'f': from = num(optarg, "from"); break;
		case 't': to = num(optarg, "to"); break;
		case 'e': fault = true; break;
		case 'r': raise = true; break;
		default: usage();
		}
	}
	if (optind != argc || !bdf || (!raise && (!dax || !set_iova)))
		usage();
	if (!raise && (from % EDU_XFER || to % EDU_XFER || from == to))
		die("--from and --to must be distinct multiples of %d", EDU_XFER);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDWR);
	if (fd < 0 || pread(fd, &cmd, 2, PCI_COMMAND) != 2)
		die("%s: %s", path, strerror(errno));
	if (!(cmd & PCI_CMD_MASTER))
		die("%s has bus mastering off (command 0x%04x): no DMA can happen",
		    bdf, cmd);
	if (!(cmd & PCI_CMD_MEM)) {
		cmd |= PCI_CMD_MEM;
		if (pwrite(fd, &cmd, 2, PCI_COMMAND) != 2)
			die("enabling memory decoding: %s", strerror(errno));
	}
	close(fd);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0", bdf);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	bar = mmap(NULL, EDU_BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   0);
	if (bar == MAP_FAILED)
		die("mmap %s: %s", path, strerror(errno));
	close(fd);
	edu.mmio = bar;
	if ((edu_rd(&edu, EDU_ID) & 0xff) != 0xed)
		die("%s is not an edu device", bdf);
	if (raise)
		return raise_irq(&edu, bdf);

	span = (from > to ? from : to) + EDU_XFER;
	fd = open(dax, O_RDWR);
	if (fd < 0)
		die("%s: %s", dax, strerror(errno));
	/* device-dax maps in its alignment; 2 MiB covers the test offsets */
	span = (span + (2 << 20) - 1) & ~((uint64_t)(2 << 20) - 1);
	buf = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (buf == MAP_FAILED)
		die("mmap %s: %s", dax, strerror(errno));

	if (edu_zero(buf + from))
		die("the source bytes at 0x%" PRIx64 " are all zero: a refused DMA could not be told from a landed one",
		    from);
	edu_borrowed_round_trip(&edu, buf, iova, from, to);

	if (fault) {
		if (!edu_zero(buf + to))
			die("DMA through IOVA 0x%" PRIx64 " landed at 0x%" PRIx64
			    " of %s; expected the IOMMU to refuse it",
			    iova, to, dax);
		printf("edu_dma: DMA through IOVA 0x%" PRIx64 " was refused, %s untouched\n",
		       iova, dax);
	} else {
		if (memcmp(buf + from, buf + to, EDU_XFER))
			die("DMA through IOVA 0x%" PRIx64 ": bytes at 0x%" PRIx64
			    " of %s differ from those at 0x%" PRIx64,
			    iova, to, dax, from);
		printf("edu_dma: DMA through IOVA 0x%" PRIx64 " landed in %s (0x%" PRIx64
		       " -> 0x%" PRIx64 ")\n", iova, dax, from, to);
	}
	return 0;
}
