// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_edu: DMA through a VFIO domain with QEMU's edu device and check
 * where the domain's VT-d page tables live.  The domain is a type1
 * container's, or with --iommufd the HWPT of an IOAS the device's cdev is
 * attached to (vmm.h has the order of the steps for each).
 *
 * Maps a buffer (a pkern `guest` namespace, /dev/daxN.M, or anonymous
 * memory) at --iova, lets edu copy a page of it into its internal buffer
 * and back to another page, and verifies the bytes.  With --pool it reads
 * the VT-d debugfs dump of the device's domain and checks that every
 * page-table page lies inside (or, with --ordinary, outside) the pool's
 * physical range, and that the pool's in-use count grew by exactly the
 * number of tables; after teardown the count must be back where it was.
 * --hold keeps the domain alive (across kexec) after writing the tables
 * and their CRCs to --tables; --tables-check compares them after kexec.
 * --corrupt WHAT (with --hold) then damages the tables through
 * pkern_iommu's debugfs "poke", for a kept translation the next kernel
 * must refuse: leaf-ram points the 2 MiB leaf that maps --iova at
 * physical 0 (RAM), leaf-pool at the pool itself, leaf-label at the
 * start of region pkern0 (its labels: persistent memory, but no guest
 * namespace), table-ram points the root entry above it at a "table" in
 * RAM.  --corrupt-held WHAT does the same to the domain another process
 * holds for --device (a paused VMM), and nothing else.
 *
 * After a kexec that kept the translation, --adopt is the new VMM: its
 * domain adopts the kept tables, so the buffer (not rewritten) is mapped
 * again at --iova exactly as it is, and the pool must then hold exactly
 * the domain's tables (the kept root and context tables went back; the
 * pool holds nothing else); after teardown it must be empty.  --remap Y
 * then unmaps --iova, checks that DMA through it is refused, maps the
 * buffer at Y and checks DMA through Y.  --between CMD runs CMD (a DMA
 * check that needs no VFIO, tests/iommu/edu_dma) after the group joins
 * the container and again after the adopted domain is attached, before
 * anything is mapped: the kept translation must not stop at either step.
 * With --iommufd: after the device is bound (vfio-pci stopped it: bus
 * mastering is turned on again first, as the VMM does), after the IOAS
 * is allocated, and after the device is attached to its filled IOAS.
 *
 * --extra Z (with --hold) also maps the buffer's first 16 KiB at Z in
 * 4 KiB pages, a second kept IOVA that the new VMM does not map again.
 * With --adopt, --revoked Z checks that DMA through Z is refused once the
 * device is open (adoption complete: kept mappings not mapped again are
 * revoked), and --clash K maps 8 KiB of other memory (at 1 MiB into the
 * buffer) at K - 4K, over kept K, before the device is opened: the new
 * owner's map replaces the kept leaf (a VMM's memory map before it loads
 * the VM's state differs from the one the VM left), so DMA through K - 4K
 * and K lands in that memory once the device is open.
 * --pinned CMD is a VMM that set up DMA and then let go of the memory:
 * after the DMA check it unmaps the buffer and closes the dax file while
 * the container still maps (pins) it, runs CMD, which must exit 0, then
 * maps new memory at the next IOVA and DMAs through it (the domain must
 * still allocate, walk and free its tables) before the usual teardown.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/vfio.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "edu.h"
#include "vmm.h"

#define PG		4096ULL
#define MAX_TABLES	512
#define VTD_ADDR_MASK	0x000ffffffffff000ULL

#define DBG_POOLS	"/sys/kernel/debug/pkern_iommu/pools"
#define DBG_PAGE	"/sys/kernel/debug/pkern_iommu/page"
#define DBG_POKE	"/sys/kernel/debug/pkern_iommu/poke"
#define REGION_PHYS	"/sys/class/pkern/pkern0/phys_addr"
#define PAGE_TEXT	(64 + 512 * 24)	/* its text for one page */
#define VTD_PTE_LARGE	(1ULL << 7)	/* superpage leaf at levels 2, 3 */
#define DBG_VTD		"/sys/kernel/debug/iommu/intel"

struct opts {
	int group;
	const char *device;
	const char *dax;
	const char *pool;
	const char *tables;
	const char *tables_check;
	uint64_t pool_phys, pool_size, iova, size, remap;
	uint64_t extra, revoked, clash;
	const char *corrupt;
	bool corrupt_held;
	const char *between;
	const char *pinned;
	bool ordinary, hold, adopt, msi, iommufd;
	uint64_t irq_pending;
};

/* Pages in use of @name per pkern_iommu's debugfs; -1 if not open */
static long long pool_in_use(const char *name)
{
	char n[128];
	unsigned long long used, cap;
	long long ret = -1;
	FILE *f = fopen(DBG_POOLS, "r");

	if (!f)
		die("%s: %s; is pkern_iommu loaded and debugfs mounted?",
		    DBG_POOLS, strerror(errno));
	while (fscanf(f, "%127s %llu %llu", n, &used, &cap) == 3)
		if (!strcmp(n, name))
			ret = (long long)used;
	fclose(f);
	return ret;
}

static bool have(const uint64_t *t, int n, uint64_t v)
{
	for (int i = 0; i < n; i++)
		if (t[i] == v)
			return true;
	return false;
}

/*
 * Page tables of @bdf's domain from the VT-d debugfs dump: the root from
 * the "Device … @0xROOT" line, then every non-leaf entry on each leaf's
 * path (the last non-zero value of a row is the leaf).
 */
static int vtd_tables(const char *bdf, uint64_t *t)
{
	char path[256], line[512];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), DBG_VTD "/%s/domain_translation_struct",
		 bdf);
	f = fopen(path, "r");
	if (!f)
		die("%s: %s; needs CONFIG_INTEL_IOMMU_DEBUGFS", path,
		    strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		uint64_t v[6];
		char *p = strchr(line, '@'), *q;
		int k = 0;

		if (!strncmp(line, "Device", 6) && p) {
			v[0] = strtoull(p + 1, NULL, 16) & VTD_ADDR_MASK;
			if (!have(t, n, v[0]))
				t[n++] = v[0];
			continue;
		}
		if (strstr(line, "not mapped"))
			die("%s: a page table could not be mapped", path);
		p = strchr(line, '|');
		if (strncmp(line, "0x", 2) || !p)
			continue;
		for (q = p + 1; k < 6; k++) {
			v[k] = strtoull(q, &p, 16);
			if (p == q)
				break;
			q = p;
		}
		while (k > 0 && !v[k - 1])
			k--;
		for (int i = 0; i + 1 < k; i++) {
			uint64_t a = v[i] & VTD_ADDR_MASK;

			if (v[i] && !have(t, n, a)) {
				if (n == MAX_TABLES)
					die("more than %d tables", MAX_TABLES);
				t[n++] = a;
			}
		}
	}
	fclose(f);
	if (!n)
		die("%s: no translation for %s", path, bdf);
	return n;
}

/* Does a leaf of @bdf's domain map @iova?  (the VT-d debugfs dump) */
static bool vtd_maps(const char *bdf, uint64_t iova)
{
	char path[256], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), DBG_VTD "/%s/domain_translation_struct",
		 bdf);
	f = fopen(path, "r");
	if (!f)
		die("%s: %s", path, strerror(errno));
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '|'), *q;
		uint64_t pfn, v;
		int k = 0, last = -1;

		if (strncmp(line, "0x", 2) || !p)
			continue;
		pfn = strtoull(line, NULL, 16);
		/* columns are the entries of levels 5..1: the leaf is the last */
		for (q = p + 1; k < 5; k++, q = p) {
			v = strtoull(q, &p, 16);
			if (p == q)
				break;
			if (v)
				last = k;
		}
		if (last >= 0 && iova >> 12 >= pfn &&
		    iova >> 12 < pfn + (1ULL << (9 * (4 - last))))
			found = true;
	}
	fclose(f);
	return found;
}

/* The root table of @bdf's domain: the dump's header comes first */
static uint64_t vtd_tables_root(const char *bdf)
{
	uint64_t t[MAX_TABLES];

	vtd_tables(bdf, t);
	return t[0];
}

/*
 * pkern_iommu's debugfs view of a pool page into @buf: "PHYS CRC" and
 * then "INDEX VALUE" per non-zero word.  Returns false if @phys is not an
 * allocated page of an open pool.
 */
static bool page_read(uint64_t phys, char *buf, size_t size)
{
	int fd = open(DBG_PAGE, O_RDWR);
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		die("%s: %s", DBG_PAGE, strerror(errno));
	snprintf(buf, size, "0x%" PRIx64, phys);
	if (write(fd, buf, strlen(buf)) < 0)
		die("%s: write: %s", DBG_PAGE, strerror(errno));
	while ((r = pread(fd, buf + n, size - 1 - n, n)) > 0)
		n += r;
	close(fd);
	buf[n] = 0;
	return r == 0 && n > 0;
}

/* CRC of a pool page from pkern_iommu's debugfs, or -1 if not in a pool */
static long long page_crc(uint64_t phys)
{
	char buf[PAGE_TEXT];
	unsigned long long a;
	unsigned int crc;

	if (!page_read(phys, buf, sizeof(buf)))
		return -1;
	if (sscanf(buf, "%llx %x", &a, &crc) != 2 || a != phys)
		die("%s: unexpected '%.40s'", DBG_PAGE, buf);
	return crc;
}

/* Word @idx of pool page @phys (0 if it is zero) */
static uint64_t page_word(uint64_t phys, unsigned int idx)
{
	static char buf[PAGE_TEXT];
	char *line;

	if (!page_read(phys, buf, sizeof(buf)))
		die("0x%" PRIx64 " is not an allocated pool page", phys);
	for (line = strchr(buf, '\n'); line && line[1];
	     line = strchr(line + 1, '\n')) {
		unsigned int i;
		unsigned long long v;

		if (sscanf(line + 1, "%x %llx", &i, &v) == 2 && i == idx)
			return v;
	}
	return 0;
}

static void poke(uint64_t table, unsigned int idx, uint64_t val)
{
	char cmd[96];
	int fd;

	snprintf(cmd, sizeof(cmd), "0x%" PRIx64 " %u 0x%" PRIx64, table, idx,
		 val);
	fd = open(DBG_POKE, O_WRONLY);
	if (fd < 0 || write(fd, cmd, strlen(cmd)) < 0)
		die("%s: %s", DBG_POKE, strerror(errno));
	close(fd);
}

/* Start of region pkern0: its label area, 2 MiB aligned (memmap= at 1 GiB) */
static uint64_t region_phys(void)
{
	unsigned long long phys;
	FILE *f = fopen(REGION_PHYS, "r");

	if (!f || fscanf(f, "%llx", &phys) != 1)
		die("%s: cannot read the region's address", REGION_PHYS);
	fclose(f);
	if (phys & ((2ULL << 20) - 1))
		die("%s: 0x%llx is not 2 MiB aligned", REGION_PHYS, phys);
	return phys;
}

/*
 * Levels of @bdf's tables: the dump has a column per level 5..1 and
 * leaves the columns above the domain's top level zero
 */
static int vtd_levels(const char *bdf)
{
	char path[256], line[512];
	int levels = 0;
	FILE *f;

	snprintf(path, sizeof(path), DBG_VTD "/%s/domain_translation_struct",
		 bdf);
	f = fopen(path, "r");
	if (!f)
		die("%s: %s", path, strerror(errno));
	while (!levels && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '|'), *q;

		if (strncmp(line, "0x", 2) || !p)
			continue;
		for (q = p + 1, levels = 5; levels > 0; levels--, q = p)
			if (strtoull(q, &p, 16) || p == q)
				break;
	}
	fclose(f);
	if (levels < 3)
		die("%s: cannot tell the levels of its tables", path);
	return levels;
}

/* Damage the tables from @root that map @iova (see --corrupt) */
static void corrupt(const struct opts *o, uint64_t root, int levels)
{
	unsigned int itop = (o->iova >> (12 + 9 * (levels - 1))) & 511;
	unsigned int i2 = (o->iova >> 21) & 511;
	uint64_t etop = page_word(root, itop), l2 = etop & VTD_ADDR_MASK, leaf;

	for (int l = levels - 1; l > 2 && l2; l--)
		l2 = page_word(l2, (o->iova >> (12 + 9 * (l - 1))) & 511) &
		     VTD_ADDR_MASK;
	leaf = l2 ? page_word(l2, i2) : 0;
	if (!(leaf & 3) || !(leaf & VTD_PTE_LARGE))
		die("IOVA 0x%" PRIx64 " is not mapped by a 2 MiB leaf (0x%" PRIx64 ")",
		    o->iova, leaf);
	if (!strcmp(o->corrupt, "leaf-ram")) {
		poke(l2, i2, leaf & ~VTD_ADDR_MASK);
	} else if (!strcmp(o->corrupt, "leaf-pool")) {
		poke(l2, i2, (leaf & ~VTD_ADDR_MASK) |
			     (o->pool_phys & ~((2ULL << 20) - 1)));
	} else if (!strcmp(o->corrupt, "leaf-label")) {
		poke(l2, i2, (leaf & ~VTD_ADDR_MASK) | region_phys());
	} else if (!strcmp(o->corrupt, "table-ram")) {
		poke(root, itop, (etop & ~VTD_ADDR_MASK) | 0x1000);
	} else {
		die("--corrupt %s: expected leaf-ram, leaf-pool, leaf-label or table-ram",
		    o->corrupt);
	}
	printf("vfio_edu: tables of IOVA 0x%" PRIx64 " corrupted: %s\n", o->iova,
	       o->corrupt);
}

/*
 * Add to @t every table reachable from the ones already there through
 * present, non-superpage entries that point at allocated pool pages.
 * The VT-d dump shows only paths that end in a mapping, but a pool
 * domain keeps the tables an unmap emptied (VFIO type1 maps and unmaps
 * 8 KiB at IOVA 0 to probe unmap granularity), and they count.
 */
static int pool_walk(uint64_t *t, int n)
{
	static char buf[PAGE_TEXT];

	for (int i = 0; i < n; i++) {
		char *line;

		if (!page_read(t[i], buf, sizeof(buf)))
			continue;
		for (line = strchr(buf, '\n'); line && line[1];
		     line = strchr(line + 1, '\n')) {
			unsigned int idx;
			unsigned long long v;
			uint64_t a;

			if (sscanf(line + 1, "%x %llx", &idx, &v) != 2)
				die("%s: unexpected line '%.40s'", DBG_PAGE,
				    line + 1);
			a = v & VTD_ADDR_MASK;
			if (!(v & 3) || (v & VTD_PTE_LARGE) || have(t, n, a) ||
			    page_crc(a) < 0)
				continue;
			if (n == MAX_TABLES)
				die("more than %d tables", MAX_TABLES);
			t[n++] = a;
		}
	}
	return n;
}

static void cfg_rw(int dev, struct vfio_region_info *cfg)
{
	uint16_t cmd;

	if (pread(dev, &cmd, 2, cfg->offset + 4) != 2)
		die("PCI config read: %s", strerror(errno));
	cmd |= 0x6;	/* memory space + bus master */
	if (pwrite(dev, &cmd, 2, cfg->offset + 4) != 2)
		die("PCI config write: %s", strerror(errno));
}

/* Copy from offset @from of the buffer to @to through edu and check it */
static void dma_copy(const struct edu *e, uint8_t *buf, const struct opts *o,
		     uint64_t from, uint64_t to)
{
	edu_round_trip(e, buf, o->iova, from, to);
	if (memcmp(buf + from, buf + to, EDU_XFER))
		die("DMA through IOVA 0x%" PRIx64 ": bytes at 0x%" PRIx64
		    " differ from 0x%" PRIx64 " after the round trip",
		    o->iova, to, from);
}

/* DMA through @iova must be refused: the destination stays zero */
static void dma_refused(const struct edu *e, uint8_t *buf, uint64_t iova,
			uint64_t from, uint64_t to)
{
	edu_round_trip(e, buf, iova, from, to);
	if (!edu_zero(buf + to))
		die("DMA through unmapped IOVA 0x%" PRIx64 " landed in the buffer",
		    iova);
}

/*
 * --msi: enable the device's MSI through VFIO, as a VMM does, and check
 * that an interrupt edu raises reaches the eventfd (through interrupt
 * remapping, when it is on).  --irq-pending V: the edu interrupt status
 * must hold V first (raised while nobody owned the device: masked at the
 * device, not lost), and is acknowledged.
 */
static void msi_check(int dev, const struct edu *e, const struct opts *o)
{
	char b[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)b;
	struct pollfd pfd = { .events = POLLIN };
	uint64_t n = 0, status;
	int32_t efd;

	efd = eventfd(0, EFD_NONBLOCK);
	if (efd < 0)
		die("eventfd: %s", strerror(errno));
	*set = (struct vfio_irq_set){
		.argsz = sizeof(b),
		.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = VFIO_PCI_MSI_IRQ_INDEX,
		.count = 1,
	};
	memcpy(set->data, &efd, sizeof(efd));
	if (ioctl(dev, VFIO_DEVICE_SET_IRQS, set))
		die("VFIO_DEVICE_SET_IRQS MSI: %s", strerror(errno));
	status = edu_rd(e, EDU_IRQ_STATUS) & 0xffffffff;
	if (o->irq_pending && (status & o->irq_pending) != o->irq_pending)
		die("edu interrupt status 0x%" PRIx64 " lacks 0x%" PRIx64
		    ", raised while the device was kept", status, o->irq_pending);
	edu_wr(e, EDU_IRQ_ACK, status);
	if (read(efd, &n, sizeof(n)) == sizeof(n))
		printf("vfio_edu: %" PRIu64 " interrupt(s) before any was raised\n", n);
	edu_wr(e, EDU_IRQ_RAISE, 0x2);
	pfd.fd = efd;
	if (poll(&pfd, 1, 5000) != 1 || read(efd, &n, sizeof(n)) != sizeof(n))
		die("the MSI edu raised did not reach the eventfd");
	edu_wr(e, EDU_IRQ_ACK, 0x2);
	printf("vfio_edu: MSI delivered through VFIO (status before 0x%" PRIx64 ")\n",
	       status);
}

#define CLASH_OFF	(1ULL << 20)	/* --clash maps this part of the buffer */

/*
 * --clash: map other memory at @k - 4K..@k + 4K, over kept @k: it
 * replaces the kept leaf
 */
static void clash(struct vmm *v, const struct opts *o, uint8_t *buf)
{
	uint64_t at = o->clash - PG;
	int err;

	memset(buf + CLASH_OFF, 0xa5, EDU_XFER);
	err = vmm_map(v, buf + CLASH_OFF, at, 2 * PG);
	if (err)
		die("mapping 0x%" PRIx64 "+8K over kept IOVA 0x%" PRIx64 ": %s; the new owner's map must replace the kept one",
		    at, o->clash, strerror(err));
	/* iommufd maps the IOAS into the domain when the device attaches */
	if (o->iommufd)
		return;
	if (!vtd_maps(o->device, at) || !vtd_maps(o->device, o->clash))
		die("IOVA 0x%" PRIx64 "+8K not mapped after the map over kept 0x%" PRIx64,
		    at, o->clash);
	printf("vfio_edu: map at 0x%" PRIx64 "+8K replaced kept IOVA 0x%" PRIx64 "\n",
	       at, o->clash);
}

/* --adopt: the pool holds exactly the adopted domain's tables */
static int check_adopted(const struct opts *o)
{
	uint64_t t[MAX_TABLES];
	int n = pool_walk(t, vtd_tables(o->device, t));
	long long in_use = pool_in_use(o->pool);

	for (int i = 0; i < n; i++)
		if (t[i] < o->pool_phys || t[i] - o->pool_phys >= o->pool_size)
			die("adopted table 0x%" PRIx64 " is outside pool %s", t[i],
			    o->pool);
	if (in_use != n)
		die("pool %s has %lld pages in use, but the adopted domain has %d tables",
		    o->pool, in_use, n);
	return n;
}

static void check_tables(const struct opts *o, long long before)
{
	uint64_t t[MAX_TABLES];
	int n = pool_walk(t, vtd_tables(o->device, t));
	long long after = pool_in_use(o->pool);
	FILE *out = NULL;

	for (int i = 0; i < n; i++) {
		bool in = t[i] >= o->pool_phys &&
			  t[i] - o->pool_phys < o->pool_size;

		if (in == o->ordinary)
			die("page table 0x%" PRIx64 " is %s pool %s", t[i],
			    in ? "inside" : "outside", o->pool);
	}
	if (o->ordinary && after != before)
		die("pool %s in use went %lld -> %lld for an ordinary domain",
		    o->pool, before, after);
	if (!o->ordinary && after - before != n)
		die("pool %s in use went %lld -> %lld, but the domain has %d tables",
		    o->pool, before, after, n);
	printf("vfio_edu: %d page tables, all %s pool %s (in use %lld -> %lld)\n",
	       n, o->ordinary ? "outside" : "inside", o->pool, before, after);

	if (o->tables && !(out = fopen(o->tables, "w")))
		die("%s: %s", o->tables, strerror(errno));
	for (int i = 0; out && i < n; i++) {
		long long crc = page_crc(t[i]);

		if (crc < 0)
			die("table 0x%" PRIx64 " is not an allocated pool page",
			    t[i]);
		fprintf(out, "0x%" PRIx64 " %08llx\n", t[i], crc);
	}
	if (out && fclose(out))
		die("%s: %s", o->tables, strerror(errno));
}

/* After kexec: the saved tables are still allocated and byte-identical */
static int tables_check(const char *file)
{
	unsigned long long phys;
	unsigned int crc;
	int n = 0;
	FILE *f = fopen(file, "r");

	if (!f)
		die("%s: %s", file, strerror(errno));
	while (fscanf(f, "%llx %x", &phys, &crc) == 2) {
		long long now = page_crc(phys);

		if (now < 0)
			die("table 0x%llx is no longer allocated in its pool",
			    phys);
		if ((unsigned int)now != crc)
			die("table 0x%llx changed: crc %08x, was %08x", phys,
			    (unsigned int)now, crc);
		n++;
	}
	fclose(f);
	if (!n)
		die("%s: no tables", file);
	printf("vfio_edu: %d page tables still allocated, contents identical\n",
	       n);
	return 0;
}

/* --between: the DMA check must pass at this step */
static void between(const struct opts *o, const char *step)
{
	int rc;

	if (!o->between)
		return;
	fflush(stdout);
	rc = system(o->between);
	if (rc)
		die("DMA check after %s failed (%d): %s", step, rc, o->between);
	printf("vfio_edu: DMA through the kept translation still lands after %s\n",
	       step);
}

/* --pinned: CMD runs while only the container holds the buffer */
static void pinned(const struct opts *o, const struct edu *e, struct vmm *v,
		   uint8_t **buf, int *fd)
{
	struct opts next = *o;
	uint8_t *anon;
	int rc;

	if (munmap(*buf, o->size) || close(*fd))
		die("unmapping and closing %s: %s", o->dax, strerror(errno));
	*buf = NULL;
	*fd = -1;
	printf("vfio_edu: %s unmapped and closed, still mapped for DMA at IOVA 0x%" PRIx64 "\n",
	       o->dax, o->iova);
	fflush(stdout);
	rc = system(o->pinned);
	if (rc)
		die("while %s was pinned: '%s' failed (%d)", o->dax, o->pinned,
		    rc);

	anon = mmap(NULL, o->size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anon == MAP_FAILED)
		die("mmap anonymous: %s", strerror(errno));
	for (uint64_t i = 0; i < o->size; i++)
		anon[i] = (uint8_t)rand();
	next.iova = o->iova + o->size;
	rc = vmm_map(v, anon, next.iova, o->size);
	if (rc)
		die("mapping 0x%" PRIx64 " after '%s': %s", next.iova,
		    o->pinned, strerror(rc));
	dma_copy(e, anon, &next, 0, o->size - PG);
	rc = vmm_unmap(v, next.iova, o->size);
	if (rc)
		die("unmapping 0x%" PRIx64 ": %s", next.iova, strerror(rc));
	munmap(anon, o->size);
	printf("vfio_edu: after '%s', DMA through a new mapping at IOVA 0x%" PRIx64 " verified\n",
	       o->pinned, next.iova);
}

static void usage(void)
{
	fputs("usage: vfio_edu --group N --device BDF [--iommufd] [--dax /dev/daxN.M]\n"
	      "         [--iova ADDR] [--size BYTES]\n"
	      "         [--pool NAME --pool-phys ADDR --pool-size BYTES [--ordinary]]\n"
	      "         [--hold [--tables FILE] [--corrupt leaf-ram|leaf-pool|leaf-label|table-ram]\n"
	      "          [--extra IOVA]]\n"
	      "         [--adopt [--remap IOVA] [--between CMD] [--revoked IOVA]\n"
	      "          [--clash IOVA]] [--pinned CMD]\n"
	      "       vfio_edu --tables-check FILE\n"
	      "       vfio_edu --corrupt-held leaf-ram|leaf-pool|leaf-label|table-ram\n"
	      "         --device BDF --iova ADDR [--pool-phys ADDR]\n", stderr);
	exit(2);
}

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "group", required_argument, NULL, 'g' },
		{ "device", required_argument, NULL, 'd' },
		{ "dax", required_argument, NULL, 'x' },
		{ "iova", required_argument, NULL, 'i' },
		{ "size", required_argument, NULL, 's' },
		{ "pool", required_argument, NULL, 'p' },
		{ "pool-phys", required_argument, NULL, 'P' },
		{ "pool-size", required_argument, NULL, 'S' },
		{ "ordinary", no_argument, NULL, 'o' },
		{ "hold", no_argument, NULL, 'h' },
		{ "tables", required_argument, NULL, 't' },
		{ "tables-check", required_argument, NULL, 'c' },
		{ "corrupt", required_argument, NULL, 'C' },
		{ "corrupt-held", required_argument, NULL, 'H' },
		{ "adopt", no_argument, NULL, 'a' },
		{ "remap", required_argument, NULL, 'r' },
		{ "between", required_argument, NULL, 'b' },
		{ "extra", required_argument, NULL, 'e' },
		{ "revoked", required_argument, NULL, 'R' },
		{ "clash", required_argument, NULL, 'K' },
		{ "pinned", required_argument, NULL, 'n' },
		{ "msi", no_argument, NULL, 'M' },
		{ "irq-pending", required_argument, NULL, 'I' },
		{ "iommufd", no_argument, NULL, 'U' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	*o = (struct opts){ .group = -1, .iova = 0x200000, .size = 2 << 20 };
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'g': o->group = (int)num(optarg, "group"); break;
		case 'd': o->device = optarg; break;
		case 'x': o->dax = optarg; break;
		case 'i': o->iova = num(optarg, "iova"); break;
		case 's': o->size = num(optarg, "size"); break;
		case 'p': o->pool = optarg; break;
		case 'P': o->pool_phys = num(optarg, "pool-phys"); break;
		case 'S': o->pool_size = num(optarg, "pool-size"); break;
		case 'o': o->ordinary = true; break;
		case 'h': o->hold = true; break;
		case 't': o->tables = optarg; break;
		case 'c': o->tables_check = optarg; break;
		case 'C': o->corrupt = optarg; break;
		case 'H': o->corrupt = optarg; o->corrupt_held = true; break;
		case 'a': o->adopt = true; break;
		case 'M': o->msi = true; break;
		case 'I': o->irq_pending = num(optarg, "irq-pending"); break;
		case 'U': o->iommufd = true; break;
		case 'r': o->remap = num(optarg, "remap"); break;
		case 'b': o->between = optarg; break;
		case 'e': o->extra = num(optarg, "extra"); break;
		case 'R': o->revoked = num(optarg, "revoked"); break;
		case 'K': o->clash = num(optarg, "clash"); break;
		case 'n': o->pinned = optarg; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if (o->tables_check)
		return;
	if (o->corrupt_held) {
		if (!o->device)
			die("--corrupt-held needs --device");
		return;
	}
	if (o->group < 0 || !o->device)
		die("--group and --device are required (see usage)");
	if (o->size < 3 * PG || o->size % PG || o->iova % PG ||
	    o->iova + o->size > (1ULL << 28))
		die("--iova/--size must be page-aligned, size >= 12K, and end below 256 MiB (edu's DMA mask)");
	if (o->pool && !o->pool_size)
		die("--pool needs --pool-phys and --pool-size");
	if ((o->hold || o->tables || o->adopt) && (!o->pool || o->ordinary))
		die("--hold, --tables and --adopt need --pool without --ordinary");
	if ((o->corrupt && !o->hold) || ((o->remap || o->between) && !o->adopt) ||
	    (o->adopt && (o->hold || !o->dax)))
		die("--corrupt needs --hold; --remap and --between need --adopt; --adopt needs --dax, not --hold");
	if ((o->extra && !o->hold) || ((o->revoked || o->clash) && !o->adopt))
		die("--extra needs --hold; --revoked and --clash need --adopt");
	if (o->extra % PG || o->revoked % PG || o->clash % (2 * PG) ||
	    (o->clash && o->size < CLASH_OFF + 2 * PG))
		die("--extra, --revoked and --clash must be page-aligned (--clash 8K); --clash needs --size of at least 1M + 8K");
	if (o->pinned && (!o->dax || o->hold || o->adopt ||
			  o->iova + 2 * o->size > (1ULL << 28)))
		die("--pinned needs --dax, neither --hold nor --adopt, and room for a second --size below 256 MiB");
	if (o->remap % (2 << 20) || o->remap + o->size > (1ULL << 28) ||
	    (o->remap && o->remap < o->iova + o->size &&
	     o->iova < o->remap + o->size))
		die("--remap must be 2 MiB aligned, below 256 MiB, and not overlap --iova");
}

/* BAR0 and config space of the open device; memory and bus master on */
static void enable(struct edu *e, int dev, const char *bdf)
{
	struct vfio_region_info bar = { .argsz = sizeof(bar) };
	struct vfio_region_info cfg = { .argsz = sizeof(cfg) };

	bar.index = VFIO_PCI_BAR0_REGION_INDEX;
	cfg.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &bar) ||
	    ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &cfg))
		die("region info of %s: %s", bdf, strerror(errno));
	cfg_rw(dev, &cfg);
	e->fd = dev;
	e->off = bar.offset;
}

int main(int argc, char **argv)
{
	struct edu edu = { 0 };
	long long before = 0, mapped = 0, after;
	struct vmm v;
	int dev, fd = -1, err;
	uint8_t *buf;
	struct opts o;

	parse(argc, argv, &o);
	if (o.tables_check)
		return tables_check(o.tables_check);
	/* the domain of a paused VMM that holds the device: damage only */
	if (o.corrupt_held) {
		corrupt(&o, vtd_tables_root(o.device), vtd_levels(o.device));
		return 0;
	}

	if (o.pool) {
		before = pool_in_use(o.pool);
		if (before < 0)
			die("pool %s is not open: write its name to /sys/kernel/iommu_groups/%d/pgtable_pool first",
			    o.pool, o.group);
	}

	vmm_open(&v, o.iommufd, o.group, o.device);
	if (o.iommufd) {
		/* bound = opened: plain vfio-pci stopped it, start it again */
		enable(&edu, v.dev, o.device);
		between(&o, "the device is bound to iommufd");
		vmm_domain(&v);
		between(&o, "an IOAS is allocated, the device not attached");
	} else {
		between(&o, "the group joined the container");
		vmm_domain(&v);
		between(&o, "the domain is attached, nothing mapped");
	}

	if (o.dax) {
		fd = open(o.dax, O_RDWR);
		if (fd < 0)
			die("%s: %s", o.dax, strerror(errno));
		buf = mmap(NULL, o.size, PROT_READ | PROT_WRITE, MAP_SHARED,
			   fd, 0);
	} else {
		buf = mmap(NULL, o.size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	if (buf == MAP_FAILED)
		die("mmap %s: %s", o.dax ? o.dax : "anonymous", strerror(errno));
	/* adopting: the buffer is what the kept translation maps; keep it */
	srand(o.group * 7919 + 1);
	for (uint64_t i = 0; !o.adopt && i < o.size; i++)
		buf[i] = (uint8_t)rand();

	err = vmm_map(&v, buf, o.iova, o.size);
	if (err)
		die("mapping 0x%" PRIx64 "+0x%" PRIx64 ": %s", o.iova, o.size,
		    strerror(err));
	if (o.extra) {
		err = vmm_map(&v, buf, o.extra, 4 * PG);
		if (err)
			die("mapping 0x%" PRIx64 "+16K: %s", o.extra,
			    strerror(err));
	}
	if (o.clash)
		clash(&v, &o, buf);

	/*
	 * As QEMU does: type1 opens the device once its memory is mapped;
	 * iommufd attaches the bound device to the IOAS, which allocates the
	 * domain and maps what the IOAS holds
	 */
	dev = vmm_device(&v, o.device);
	if (o.iommufd) {
		if (o.clash && (!vtd_maps(o.device, o.clash - PG) ||
				!vtd_maps(o.device, o.clash)))
			die("IOVA 0x%" PRIx64 "+8K not mapped after the attach of an IOAS mapping it over kept 0x%" PRIx64,
			    o.clash - PG, o.clash);
		between(&o, "the device is attached to its IOAS");
	} else {
		enable(&edu, dev, o.device);
	}
	if ((edu_rd(&edu, EDU_ID) & 0xff) != 0xed)
		die("%s is not an edu device (id 0x%" PRIx64 ")", o.device,
		    edu_rd(&edu, EDU_ID));
	edu_wr(&edu, EDU_LIVE, 0x12345678);
	if ((uint32_t)edu_rd(&edu, EDU_LIVE) != (uint32_t)~0x12345678u)
		die("edu liveness check failed");

	if (o.msi)
		msi_check(dev, &edu, &o);
	dma_copy(&edu, buf, &o, 0, o.size - PG);
	dma_copy(&edu, buf, &o, PG, 2 * PG);
	printf("vfio_edu: edu DMA through IOVA 0x%" PRIx64 " of %s verified (%s)\n",
	       o.iova, o.dax ? o.dax : "anonymous memory",
	       o.iommufd ? "iommufd" : "type1");

	if (o.adopt) {
		int n = check_adopted(&o);

		printf("vfio_edu: adopted domain: %d page tables, pool %s in use %lld -> %d\n",
		       n, o.pool, before, n);
		if (o.remap) {
			err = vmm_unmap(&v, o.iova, o.size);
			if (err)
				die("unmapping 0x%" PRIx64 ": %s", o.iova,
				    strerror(err));
			dma_refused(&edu, buf, o.iova, 0, 3 * PG);
			printf("vfio_edu: IOVA 0x%" PRIx64 " unmapped, DMA through it refused\n",
			       o.iova);
			err = vmm_map(&v, buf, o.remap, o.size);
			if (err)
				die("mapping 0x%" PRIx64 ": %s", o.remap,
				    strerror(err));
			o.iova = o.remap;
			dma_copy(&edu, buf, &o, 0, o.size - PG);
			n = check_adopted(&o);
			printf("vfio_edu: remapped at IOVA 0x%" PRIx64 ", DMA verified, %d page tables\n",
			       o.iova, n);
		}
		/* last: VT-d's fault log is rate-limited, the remap's comes first */
		if (o.revoked) {
			dma_refused(&edu, buf, o.revoked, 0, EDU_XFER);
			printf("vfio_edu: kept IOVA 0x%" PRIx64 " not mapped again: DMA through it refused, the device being %s\n",
			       o.revoked, o.iommufd ? "attached" : "open");
		}
		if (o.clash) {
			edu_round_trip(&edu, buf + CLASH_OFF, o.clash - PG, 0,
				       EDU_XFER);
			if (memcmp(buf + CLASH_OFF, buf + CLASH_OFF + EDU_XFER,
				   EDU_XFER))
				die("DMA through IOVA 0x%" PRIx64 " did not land in the memory mapped over the kept leaf",
				    (uint64_t)(o.clash - PG));
			printf("vfio_edu: DMA through IOVA 0x%" PRIx64 " landed in the memory mapped over the kept leaf\n",
			       (uint64_t)(o.clash - PG));
		}
		mapped = pool_in_use(o.pool);
		before = 0;	/* the pool holds nothing but this domain */
	} else if (o.pool) {
		check_tables(&o, before);
		mapped = pool_in_use(o.pool);
	}
	if (o.pinned)
		pinned(&o, &edu, &v, &buf, &fd);
	if (o.corrupt)
		corrupt(&o, vtd_tables_root(o.device), vtd_levels(o.device));
	if (o.hold) {
		printf("vfio_edu: holding the domain\n");
		fflush(stdout);
		for (;;)
			pause();
	}

	err = vmm_unmap(&v, o.iova, o.size);
	if (err)
		die("unmapping 0x%" PRIx64 ": %s", o.iova, strerror(err));
	vmm_close(&v);
	if (o.pool) {
		after = pool_in_use(o.pool);
		if (after != before)
			die("pool %s in use %lld after teardown, %lld before",
			    o.pool, after, before);
		printf("vfio_edu: teardown returned %lld pool pages (in use %lld)\n",
		       mapped - after, after);
	}
	munmap(buf, o.size);
	if (fd >= 0)
		close(fd);
	printf("vfio_edu: PASS\n");
	return 0;
}
