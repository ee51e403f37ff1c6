// SPDX-License-Identifier: GPL-2.0-only
/*
 * Adopt the VT-d translation a previous kernel kept running across kexec
 * (handoff.c) for the devices of its page-table-pool domains.
 *
 * New kernel, booted with intel_iommu_handoff=<record address>: when it
 * finds translation enabled, it validates the record and everything it
 * points to, like any data from outside: checksum, the IOMMU it names,
 * the root table the hardware really uses, every table inside the pool
 * and inside persistent memory, every mapping inside the guest memory the
 * record names, which must lie in persistent memory (ordinary RAM belongs
 * to the new kernel) and outside the pool (the device must not reach its
 * own tables).  The record itself must lie in persistent memory before
 * anything maps it.  If all of it holds, the
 * context entries are copied into the new kernel's tables as kdump does,
 * so translation never stops, and the devices wait (deferred attach)
 * until a VMM binds them to the pool again: the first domain allocated
 * for such a device from that pool adopts its page tables.  If anything
 * fails, translation stays enabled with empty tables, so the devices'
 * DMA faults until a new domain is attached; nothing is half adopted.
 *
 * What the kept tables reach (the tables and every page they map) is
 * recorded at boot: nothing in this kernel holds that memory yet, so its
 * owner asks iommu_kept_dma_reaches() before handing it out again.  A
 * kept translation stays live until its adoption completes, when the new
 * owner opens the device (the kept mappings it did not map again are
 * revoked then), or until it ends unadopted: another domain takes the
 * device's context entry, or the adopting domain is freed unused.
 *
 * Only legacy (non-scalable) mode, one pool and one IOMMU per handoff.
 */
#define pr_fmt(fmt)	"DMAR: " fmt

#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/range.h>
#include <linux/sort.h>
#include <asm/tsc.h>

#include "handoff.h"
#include "iommu.h"
#include "../iommu-pages.h"

#define VTD_HANDOFF_MAX_PMEM	16

/**
 * struct vtd_kept_run - kept leaves that map one contiguous range
 * @iova_pfn: IOVA of the first, in VT-d pages
 * @pte: the first one's entry; each next one maps the next page
 * @bit: the first one's bit in vtd_kept.declared
 * @nr: how many leaves
 * @level: their level: 1 (4 KiB pages), 2 (2 MiB) or 3 (1 GiB)
 */
struct vtd_kept_run {
	u64 iova_pfn;
	u64 pte;
	u64 bit;
	u32 nr;
	u8 level;
};

/**
 * struct vtd_kept - what one kept set of page tables reaches
 * @tables: its tables, as sorted and merged physical ranges
 * @runs: its leaves, in IOVA order
 * @declared: a bit per leaf: mapped again by the new owner
 * @nr_tables: entries of @tables
 * @nr_runs: entries of @runs
 * @done: its adoption completed; the leaves not mapped again are revoked
 *
 * Devices of one kept domain share one.
 */
struct vtd_kept {
	struct range *tables;
	struct vtd_kept_run *runs;
	unsigned long *declared;
	u32 nr_tables;
	u32 nr_runs;
	bool done;
};

/**
 * struct vtd_handoff - validated handoff of one IOMMU, in the new kernel
 * @iommu: the IOMMU
 * @released: the old root and context tables went back to the pool
 * @adopted: bit i set once @rec.dev[i]'s tables belong to a domain
 * @copied: bit i set while @rec.dev[i] runs on its copied context entry
 * @owner: the domain of @adopted, until it is freed
 * @kept: what @rec.dev[i]'s kept tables reach
 * @rec: copy of the record
 */
struct vtd_handoff {
	struct intel_iommu *iommu;
	bool released;
	DECLARE_BITMAP(adopted, VTD_HANDOFF_MAX_DEVS);
	DECLARE_BITMAP(copied, VTD_HANDOFF_MAX_DEVS);
	struct dmar_domain *owner[VTD_HANDOFF_MAX_DEVS];
	struct vtd_kept *kept[VTD_HANDOFF_MAX_DEVS];
	struct vtd_handoff_rec rec;
};

/* Serialises adoption and the freeing of adopted domains */
static DEFINE_MUTEX(vtd_handoff_lock);
/*
 * Guards @copied, @owner and each vtd_kept for the reachability check,
 * which runs under the IOMMU core's spinlock; innermost of all locks.
 */
static DEFINE_SPINLOCK(vtd_kept_lock);
/* The handoff being adopted, if any: one per system */
static struct vtd_handoff *vtd_handoff_cur;
static phys_addr_t vtd_handoff_addr __initdata;
static unsigned int vtd_handoff_named __initdata;
/* Named twice, differently: which record the previous kernel meant is unknown */
static bool vtd_handoff_conflict __initdata;

static int __init vtd_handoff_setup(char *str)
{
	bool valid;
	u64 addr;

	valid = !kstrtou64(str, 0, &addr) && addr && IS_ALIGNED(addr, 8);
	if (!valid)
		pr_err("intel_iommu_handoff=%s is not an 8-byte aligned address; ignored\n",
		       str);
	if (vtd_handoff_named++ && (!valid || addr != vtd_handoff_addr))
		vtd_handoff_conflict = true;
	else if (valid)
		vtd_handoff_addr = addr;
	return 1;
}
__setup("intel_iommu_handoff=", vtd_handoff_setup);

struct vtd_check {
	struct intel_iommu *iommu;
	const struct vtd_handoff_rec *rec;
	void *pool;
	struct range pmem[VTD_HANDOFF_MAX_PMEM];
	int nr_pmem;
	unsigned long budget;
	const char *why;
	u64 where;
};

static bool vtd_check_fail(struct vtd_check *c, const char *why, u64 where)
{
	c->why = why;
	c->where = where;
	return false;
}

static int __init vtd_check_add_pmem(struct resource *res, void *arg)
{
	struct vtd_check *c = arg;

	if (c->nr_pmem == VTD_HANDOFF_MAX_PMEM)
		return -ENOSPC;
	c->pmem[c->nr_pmem].start = res->start;
	c->pmem[c->nr_pmem++].end = res->end;
	return 0;
}

static bool vtd_check_in_pmem(struct vtd_check *c, u64 start, u64 len)
{
	int i;

	for (i = 0; i < c->nr_pmem; i++)
		if (start >= c->pmem[i].start && start <= c->pmem[i].end &&
		    len - 1 <= c->pmem[i].end - start)
			return true;
	return false;
}

static bool vtd_check_overlap(u64 a, u64 a_len, u64 b, u64 b_len)
{
	return a < b + b_len && b < a + a_len;
}

/* The recorded guest memory: in persistent memory, apart from the pool */
static bool vtd_check_guest(struct vtd_check *c)
{
	const struct vtd_handoff_rec *rec = c->rec;
	const struct vtd_handoff_guest *g;
	u32 i, j;

	if (rec->nr_guest > VTD_HANDOFF_MAX_GUEST || rec->reserved2)
		return vtd_check_fail(c, "bad guest memory list", rec->nr_guest);
	for (i = 0; i < rec->nr_guest; i++) {
		g = &rec->guest[i];
		if (!g->size || !IS_ALIGNED(g->start | g->size, VTD_PAGE_SIZE) ||
		    g->start + g->size < g->start)
			return vtd_check_fail(c, "bad guest memory range", g->start);
		if (!vtd_check_in_pmem(c, g->start, g->size))
			return vtd_check_fail(c, "guest memory outside persistent memory",
					      g->start);
		/* a device that can write its own page tables owns the IOMMU */
		if (vtd_check_overlap(g->start, g->size, rec->pool_start,
				      rec->pool_size))
			return vtd_check_fail(c, "guest memory overlaps the pool",
					      g->start);
		for (j = 0; j < i; j++)
			if (vtd_check_overlap(g->start, g->size,
					      rec->guest[j].start,
					      rec->guest[j].size))
				return vtd_check_fail(c, "guest memory ranges overlap",
						      g->start);
	}
	return true;
}

static bool vtd_check_in_guest(struct vtd_check *c, u64 start, u64 len)
{
	const struct vtd_handoff_guest *g;
	u32 i;

	for (i = 0; i < c->rec->nr_guest; i++) {
		g = &c->rec->guest[i];
		if (start >= g->start && start - g->start < g->size &&
		    len <= g->size - (start - g->start))
			return true;
	}
	return false;
}

static void *vtd_check_table(struct vtd_check *c, u64 phys)
{
	u64 off = phys - c->rec->pool_start;

	if (phys < c->rec->pool_start || off >= c->rec->pool_size ||
	    !IS_ALIGNED(phys, VTD_PAGE_SIZE))
		return NULL;
	return c->pool + off;
}

/* Every table in the pool, every mapping in the recorded guest memory */
static bool vtd_check_walk(struct vtd_check *c, u64 phys, int level)
{
	u64 *pte = vtd_check_table(c, phys);
	int i;

	if (!pte)
		return vtd_check_fail(c, "page table outside the pool", phys);
	if (!c->budget--)
		return vtd_check_fail(c, "more page tables than the pool holds",
				      phys);
	for (i = 0; i < VTD_PAGE_SIZE / sizeof(*pte); i++) {
		u64 v = READ_ONCE(pte[i]), addr = v & VTD_SL_ADDR_MASK;
		u64 size;

		if (!(v & (DMA_PTE_READ | DMA_PTE_WRITE)))
			continue;
		if (level > 1 && !(v & DMA_PTE_LARGE_PAGE)) {
			if (!vtd_check_walk(c, addr, level - 1))
				return false;
			continue;
		}
		if (level > 3)
			return vtd_check_fail(c, "superpage above 1 GiB", v);
		size = 1ULL << (VTD_PAGE_SHIFT + 9 * (level - 1));
		if (!IS_ALIGNED(addr, size))
			return vtd_check_fail(c, "misaligned superpage", v);
		if (!vtd_check_in_guest(c, addr, size))
			return vtd_check_fail(c, "mapping outside the recorded guest memory",
					      addr);
	}
	return true;
}

static const struct vtd_handoff_dev *
vtd_check_find(const struct vtd_handoff_rec *rec, int bus, int devfn)
{
	u32 i;

	for (i = 0; i < rec->nr_devs; i++)
		if (rec->dev[i].bus == bus && rec->dev[i].devfn == devfn)
			return &rec->dev[i];
	return NULL;
}

static bool vtd_check_dev(struct vtd_check *c, const struct vtd_handoff_dev *d)
{
	struct context_entry ce = { .lo = d->lo, .hi = d->hi };
	int did = context_domain_id(&ce);

	if (d->segment != c->iommu->segment || d->reserved)
		return vtd_check_fail(c, "device on another segment", d->segment);
	if (!context_present(&ce) || ((d->lo >> 2) & 3) != CONTEXT_TT_MULTI_LEVEL)
		return vtd_check_fail(c, "context entry is not multi-level translation",
				      d->lo);
	if ((d->hi & 7) != c->iommu->agaw)
		return vtd_check_fail(c, "address width differs from this IOMMU's",
				      d->hi);
	if (!did || did >= cap_ndoms(c->iommu->cap))
		return vtd_check_fail(c, "domain id out of range", did);
	return vtd_check_walk(c, d->lo & VTD_SL_ADDR_MASK,
			      agaw_to_level(c->iommu->agaw));
}

/* The old tables hold exactly the record's devices */
static bool vtd_check_tables(struct vtd_check *c)
{
	const struct vtd_handoff_rec *rec = c->rec;
	struct root_entry *root = vtd_check_table(c, rec->root);
	u32 found = 0;
	int bus, devfn;

	if (!root)
		return vtd_check_fail(c, "root table outside the pool", rec->root);
	for (bus = 0; bus < VTD_HANDOFF_BUSES; bus++) {
		struct context_entry *ctx;

		if (!(root[bus].lo & 1))
			continue;
		ctx = vtd_check_table(c, root[bus].lo & VTD_PAGE_MASK);
		if (!ctx || root[bus].hi)
			return vtd_check_fail(c, "context table outside the pool",
					      root[bus].lo);
		for (devfn = 0; devfn < 256; devfn++) {
			const struct vtd_handoff_dev *d;

			if (!context_present(&ctx[devfn]))
				continue;
			d = vtd_check_find(rec, bus, devfn);
			if (!d || d->lo != ctx[devfn].lo || d->hi != ctx[devfn].hi)
				return vtd_check_fail(c, "context entry not in the record",
						      bus << 8 | devfn);
			found++;
		}
	}
	if (found != rec->nr_devs)
		return vtd_check_fail(c, "record lists devices the tables lack",
				      found);
	for (found = 0; found < rec->nr_devs; found++)
		if (!vtd_check_dev(c, &rec->dev[found]))
			return false;
	return true;
}

static bool __init vtd_check_rec(struct vtd_check *c)
{
	const struct vtd_handoff_rec *rec = c->rec;
	u64 rtaddr = dmar_readq(c->iommu->reg + DMAR_RTADDR_REG);

	if (!rec->pool_size || !IS_ALIGNED(rec->pool_start | rec->pool_size,
					   VTD_PAGE_SIZE) ||
	    rec->pool_start + rec->pool_size < rec->pool_start)
		return vtd_check_fail(c, "bad pool range", rec->pool_start);
	if (vtd_handoff_addr - rec->pool_start >= rec->pool_size)
		return vtd_check_fail(c, "record outside its pool", vtd_handoff_addr);
	if (!vtd_check_in_pmem(c, rec->pool_start, rec->pool_size))
		return vtd_check_fail(c, "pool outside persistent memory",
				      rec->pool_start);
	if (!vtd_check_guest(c))
		return false;
	if (sm_supported(c->iommu) || (rtaddr & DMA_RTADDR_SMT))
		return vtd_check_fail(c, "scalable mode", rtaddr);
	if ((rtaddr & VTD_PAGE_MASK) != rec->root)
		return vtd_check_fail(c, "the IOMMU uses another root table",
				      rtaddr);

	c->pool = memremap(rec->pool_start, rec->pool_size, MEMREMAP_WB);
	if (!c->pool)
		return vtd_check_fail(c, "cannot map the pool", rec->pool_start);
	c->budget = rec->pool_size / VTD_PAGE_SIZE;
	return vtd_check_tables(c);
}

/*
 * A valid record for @iommu, copied; NULL and c->why if there is none.
 * A record that names this IOMMU is read once: its magic is cleared, so
 * a later kexec that keeps nothing cannot make a kernel find it again.
 * Nothing is mapped, let alone written, unless the record's page lies in
 * persistent memory: anywhere else is memory of this kernel.
 */
static struct vtd_handoff * __init vtd_handoff_read(struct vtd_check *c)
{
	phys_addr_t base = round_down(vtd_handoff_addr, PAGE_SIZE);
	size_t off = vtd_handoff_addr - base, len;
	struct vtd_handoff_rec *rec;
	struct vtd_handoff *h = NULL;
	void *map;

	if (vtd_handoff_conflict) {
		vtd_check_fail(c, "intel_iommu_handoff= given more than once",
			       vtd_handoff_addr);
		return NULL;
	}
	if (off + sizeof(*rec) > PAGE_SIZE) {
		vtd_check_fail(c, "record crosses a page", vtd_handoff_addr);
		return NULL;
	}
	walk_iomem_res_desc(IORES_DESC_PERSISTENT_MEMORY_LEGACY, IORESOURCE_MEM,
			    0, U64_MAX, c, vtd_check_add_pmem);
	if (!vtd_check_in_pmem(c, base, PAGE_SIZE)) {
		vtd_check_fail(c, "record outside persistent memory",
			       vtd_handoff_addr);
		return NULL;
	}
	map = memremap(base, PAGE_SIZE, MEMREMAP_WB);
	if (!map) {
		vtd_check_fail(c, "cannot map the record", vtd_handoff_addr);
		return NULL;
	}
	rec = map + off;
	if (rec->magic != VTD_HANDOFF_MAGIC) {
		vtd_check_fail(c, "no record", vtd_handoff_addr);
		goto out;
	}
	len = vtd_handoff_rec_size(rec->nr_devs);
	if (rec->nr_devs > VTD_HANDOFF_MAX_DEVS || off + len > PAGE_SIZE ||
	    rec->size != len - offsetof(struct vtd_handoff_rec, size) ||
	    rec->crc != vtd_handoff_crc(rec, rec->size)) {
		vtd_check_fail(c, "record checksum or size", rec->crc);
		goto out;
	}
	if (rec->reg_phys != c->iommu->reg_phys)
		goto out;	/* another IOMMU's: c->why stays NULL */
	WRITE_ONCE(rec->magic, 0);
	h = kzalloc(struct_size(h, rec.dev, rec->nr_devs), GFP_KERNEL);
	if (!h) {
		vtd_check_fail(c, "out of memory", 0);
		goto out;
	}
	memcpy(&h->rec, rec, len);
	h->rec.magic = VTD_HANDOFF_MAGIC;
	h->rec.pool[VTD_HANDOFF_POOL_NAME - 1] = '\0';
out:
	memunmap(map);
	return h;
}

/**
 * vtd_handoff_check() - validate what the previous kernel kept for @iommu
 * @iommu: IOMMU found with translation enabled, outside kdump
 *
 * Context: init_dmars().
 * Return: 0 if @iommu->handoff now holds a valid record, -ENOENT if there
 * is no record for this IOMMU (disable translation as always), -EINVAL if
 * there is one but something is wrong with it: translation must then stay
 * enabled with empty tables, because the devices still have bus mastering.
 */
int __init vtd_handoff_check(struct intel_iommu *iommu)
{
	struct vtd_check c = { .iommu = iommu };
	struct vtd_handoff *h;

	if (!vtd_handoff_addr)
		return -ENOENT;
	h = vtd_handoff_read(&c);
	if (!h && !c.why)
		return -ENOENT;
	if (h) {
		c.rec = &h->rec;
		if (vtd_check_rec(&c))
			c.why = NULL;
		if (c.pool)
			memunmap(c.pool);
	}
	if (c.why) {
		pr_err("%s: translation kept by the previous kernel rejected: %s (0x%llx); blocking all DMA until devices are attached again\n",
		       iommu->name, c.why, c.where);
		kfree(h);
		return -EINVAL;
	}
	iommu->handoff = h;
	return 0;
}

/* Walk of kept tables that vtd_check_walk() approved, recording them */
struct vtd_kept_walk {
	void *pool;
	u64 pool_start;
	u64 pool_size;
	unsigned long budget;
	struct vtd_kept *k;
	bool fill;
	struct range table;
	struct vtd_kept_run run;
	u32 nr_tables;
	u32 nr_runs;
	u64 nr_leaves;
};

static void __init vtd_kept_end_table(struct vtd_kept_walk *w)
{
	if (w->fill)
		w->k->tables[w->nr_tables] = w->table;
	w->nr_tables++;
}

static void __init vtd_kept_end_run(struct vtd_kept_walk *w)
{
	if (w->fill)
		w->k->runs[w->nr_runs] = w->run;
	w->nr_runs++;
}

static void __init vtd_kept_add_table(struct vtd_kept_walk *w, u64 phys)
{
	/* a table's end is never 0: it tells whether there is one */
	if (w->table.end && w->table.end + 1 == phys) {
		w->table.end += VTD_PAGE_SIZE;
		return;
	}
	if (w->table.end)
		vtd_kept_end_table(w);
	w->table.start = phys;
	w->table.end = phys + VTD_PAGE_SIZE - 1;
}

static void __init vtd_kept_add_leaf(struct vtd_kept_walk *w, u64 iova_pfn,
				     u64 pte, int level)
{
	struct vtd_kept_run *r = &w->run;
	u64 span = lvl_to_nr_pages(level);

	if (r->nr && r->level == level && r->iova_pfn + r->nr * span == iova_pfn &&
	    r->pte + ((r->nr * span) << VTD_PAGE_SHIFT) == pte) {
		r->nr++;
	} else {
		if (r->nr)
			vtd_kept_end_run(w);
		*r = (struct vtd_kept_run){ .iova_pfn = iova_pfn, .pte = pte,
					    .bit = w->nr_leaves, .nr = 1,
					    .level = level };
	}
	w->nr_leaves++;
}

static bool __init vtd_kept_walk(struct vtd_kept_walk *w, u64 phys, int level,
				 u64 iova_pfn)
{
	u64 off = phys - w->pool_start, *pte;
	int i;

	if (phys < w->pool_start || off >= w->pool_size ||
	    !IS_ALIGNED(phys, VTD_PAGE_SIZE) || !w->budget--)
		return false;
	pte = w->pool + off;
	vtd_kept_add_table(w, phys);
	for (i = 0; i < VTD_PAGE_SIZE / sizeof(*pte); i++) {
		u64 v = READ_ONCE(pte[i]);
		u64 pfn = iova_pfn + ((u64)i << (9 * (level - 1)));

		if (!(v & (DMA_PTE_READ | DMA_PTE_WRITE)))
			continue;
		if (level > 1 && !(v & DMA_PTE_LARGE_PAGE)) {
			if (!vtd_kept_walk(w, v & VTD_SL_ADDR_MASK, level - 1, pfn))
				return false;
			continue;
		}
		vtd_kept_add_leaf(w, pfn, v, level);
	}
	return true;
}

static int vtd_kept_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void vtd_kept_free(struct vtd_kept *k)
{
	kvfree(k->tables);
	kvfree(k->runs);
	kvfree(k->declared);
	k->tables = NULL;
	k->runs = NULL;
	k->declared = NULL;
	k->nr_tables = 0;
	k->nr_runs = 0;
}

/* What the kept tables from @pgd reach: one pass counts, one records */
static struct vtd_kept * __init vtd_kept_build(const struct vtd_handoff_rec *rec,
					       void *pool, u64 pgd, int level)
{
	struct vtd_kept_walk w = { .pool = pool, .pool_start = rec->pool_start,
				   .pool_size = rec->pool_size };
	struct vtd_kept *k = kzalloc(sizeof(*k), GFP_KERNEL);
	u32 i, n;

	if (!k)
		return NULL;
	w.k = k;
	for (;;) {
		w.budget = rec->pool_size / VTD_PAGE_SIZE;
		w.nr_tables = 0;
		w.nr_runs = 0;
		w.nr_leaves = 0;
		w.table = (struct range){ };
		w.run = (struct vtd_kept_run){ };
		if (!vtd_kept_walk(&w, pgd, level, 0))
			goto fail;
		vtd_kept_end_table(&w);
		if (w.run.nr)
			vtd_kept_end_run(&w);
		if (w.fill)
			break;
		k->tables = kvcalloc(w.nr_tables, sizeof(*k->tables), GFP_KERNEL);
		k->runs = kvcalloc(max(w.nr_runs, 1U), sizeof(*k->runs), GFP_KERNEL);
		k->declared = kvcalloc(max(BITS_TO_LONGS(w.nr_leaves), 1UL),
				       sizeof(long), GFP_KERNEL);
		if (!k->tables || !k->runs || !k->declared)
			goto fail;
		w.fill = true;
	}
	sort(k->tables, w.nr_tables, sizeof(*k->tables), vtd_kept_cmp, NULL);
	for (i = 1, n = 0; i < w.nr_tables; i++) {
		if (k->tables[i].start <= k->tables[n].end + 1)
			k->tables[n].end = max(k->tables[n].end, k->tables[i].end);
		else
			k->tables[++n] = k->tables[i];
	}
	k->nr_tables = n + 1;
	k->nr_runs = w.nr_runs;
	return k;
fail:
	vtd_kept_free(k);
	kfree(k);
	return NULL;
}

static void vtd_kept_free_all(struct vtd_handoff *h)
{
	u32 i, j;

	for (i = 0; i < h->rec.nr_devs; i++) {
		for (j = 0; j < i && h->kept[i]; j++)
			if (h->kept[j] == h->kept[i])
				break;
		if (h->kept[i] && j == i) {
			vtd_kept_free(h->kept[i]);
			kfree(h->kept[i]);
		}
		h->kept[i] = NULL;
	}
}

/* Record what each kept device's tables reach; devices may share tables */
static bool __init vtd_kept_record(struct vtd_handoff *h, int level)
{
	struct vtd_handoff_rec *rec = &h->rec;
	void *pool;
	u32 i, j;

	pool = memremap(rec->pool_start, rec->pool_size, MEMREMAP_WB);
	if (!pool)
		return false;
	for (i = 0; i < rec->nr_devs; i++) {
		u64 pgd = rec->dev[i].lo & VTD_SL_ADDR_MASK;

		for (j = 0; j < i; j++)
			if ((rec->dev[j].lo & VTD_SL_ADDR_MASK) == pgd)
				h->kept[i] = h->kept[j];
		if (!h->kept[i])
			h->kept[i] = vtd_kept_build(rec, pool, pgd, level);
		if (!h->kept[i])
			break;
	}
	memunmap(pool);
	if (i == rec->nr_devs)
		return true;
	vtd_kept_free_all(h);
	return false;
}

/**
 * vtd_handoff_install() - put the kept context entries into the new tables
 * @iommu: IOMMU after vtd_handoff_check() and iommu_alloc_root_entry()
 *
 * Like kdump's copy, the entries are marked copied: the devices' default
 * domain attach is deferred and their first real attach replaces them.
 * On failure no entry stays, and translation stays enabled (blocking).
 *
 * Context: init_dmars(), before the root table is programmed.
 */
void __init vtd_handoff_install(struct intel_iommu *iommu)
{
	struct vtd_handoff *h = iommu->handoff;
	struct vtd_handoff_rec *rec = &h->rec;
	struct context_entry *ce;
	u64 ns = 0, now;
	u32 i;

	iommu->copied_tables = bitmap_zalloc(BIT_ULL(16), GFP_KERNEL);
	if (!iommu->copied_tables ||
	    !vtd_kept_record(h, agaw_to_level(iommu->agaw)))
		goto fail;
	for (i = 0; i < rec->nr_devs; i++) {
		ce = iommu_context_addr(iommu, rec->dev[i].bus,
					rec->dev[i].devfn, 1);
		if (!ce)
			goto fail;
		ce->lo = rec->dev[i].lo;
		ce->hi = rec->dev[i].hi;
		__iommu_flush_cache(iommu, ce, sizeof(*ce));
		set_bit(context_domain_id(ce), iommu->domain_ids);
		set_context_copied(iommu, rec->dev[i].bus, rec->dev[i].devfn);
		set_bit(i, h->copied);
	}

	now = rdtsc_ordered();
	if (tsc_khz && now > rec->tsc)
		ns = mul_u64_u32_div(now - rec->tsc, 1000000, tsc_khz);
	h->iommu = iommu;
	vtd_handoff_cur = h;
	pr_info("%s: adopted the translation of %u device(s) kept by the previous kernel in pool %s; unmanaged for %llu us\n",
		iommu->name, rec->nr_devs, rec->pool, div_u64(ns, 1000));
	return;

fail:
	for (i = 0; i < rec->nr_devs; i++) {
		ce = iommu_context_addr(iommu, rec->dev[i].bus,
					rec->dev[i].devfn, 0);
		if (ce)
			context_clear_entry(ce);
	}
	vtd_kept_free_all(h);
	bitmap_free(iommu->copied_tables);
	iommu->copied_tables = NULL;
	iommu->handoff = NULL;
	kfree(h);
	pr_err("%s: out of memory adopting kept translation; blocking all DMA until devices are attached again\n",
	       iommu->name);
}

/* The old root and context tables: unused since the new root was set */
static void vtd_handoff_release(struct vtd_handoff *h,
				struct iommu_pgtable_pool *pool)
{
	struct root_entry *root;
	void *ctx;
	int bus;

	if (h->released)
		return;
	h->released = true;
	root = iommu_pgtable_pool_page(pool, h->rec.root);
	if (!root)
		return;
	for (bus = 0; bus < VTD_HANDOFF_BUSES; bus++) {
		if (!(root[bus].lo & 1))
			continue;
		ctx = iommu_pgtable_pool_page(pool, root[bus].lo & VTD_PAGE_MASK);
		if (ctx)
			iommu_pgtable_free_page(pool, ctx);
	}
	iommu_pgtable_free_page(pool, root);
}

/* Every table is an allocated page of @pool (the pool may be new) */
static bool vtd_handoff_in_pool(struct iommu_pgtable_pool *pool, u64 phys,
				int level)
{
	u64 *pte = iommu_pgtable_pool_page(pool, phys);
	int i;

	if (!pte)
		return false;
	for (i = 0; level > 1 && i < VTD_PAGE_SIZE / sizeof(*pte); i++) {
		u64 v = READ_ONCE(pte[i]);

		if (!(v & (DMA_PTE_READ | DMA_PTE_WRITE)) ||
		    (v & DMA_PTE_LARGE_PAGE))
			continue;
		if (!vtd_handoff_in_pool(pool, v & VTD_SL_ADDR_MASK, level - 1))
			return false;
	}
	return true;
}

/**
 * intel_iommu_adopt_translation() - iommu_domain_ops.adopt_translation for VT-d
 * @domain: fresh paging domain, just switched to its group's pool
 * @dev: the device it is allocated for
 *
 * If @dev still runs on a context entry kept by the previous kernel in
 * this pool, the domain's page tables become the kept ones: the attach
 * that follows rewrites the context entry with the same tables, and
 * mapping an IOVA again exactly as it is mapped succeeds.
 */
void intel_iommu_adopt_translation(struct iommu_domain *domain,
				   struct device *dev)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);
	struct iommu_pgtable_pool *pool = domain_pgtable_pool(dmar_domain);
	struct intel_iommu *iommu = info->iommu;
	struct vtd_handoff *h;
	u64 pgd;
	u32 i;

	mutex_lock(&vtd_handoff_lock);
	h = iommu->handoff;
	if (!h || !context_copied(iommu, info->bus, info->devfn))
		goto out;
	for (i = 0; i < h->rec.nr_devs; i++)
		if (h->rec.dev[i].bus == info->bus &&
		    h->rec.dev[i].devfn == info->devfn)
			break;
	if (i == h->rec.nr_devs || test_bit(i, h->adopted))
		goto out;
	pgd = h->rec.dev[i].lo & VTD_SL_ADDR_MASK;

	if (strcmp(iommu_pgtable_pool_name(pool), h->rec.pool)) {
		dev_warn(dev, "kept translation is in pool %s, not %s; not adopted\n",
			 h->rec.pool, iommu_pgtable_pool_name(pool));
		goto out;
	}
	if (dmar_domain->agaw < iommu->agaw || dmar_domain->use_first_level ||
	    !vtd_handoff_in_pool(pool, pgd, agaw_to_level(iommu->agaw))) {
		dev_warn(dev, "kept page tables are no longer pages of pool %s; not adopted\n",
			 h->rec.pool);
		goto out;
	}
	/* Another device of the same kept domain already brought its tables */
	for (i = 0; i < h->rec.nr_devs; i++)
		if (test_bit(i, h->adopted) &&
		    (h->rec.dev[i].lo & VTD_SL_ADDR_MASK) == pgd)
			goto out;

	vtd_handoff_release(h, pool);
	iommu_pgtable_free_page(pool, dmar_domain->pgd);
	dmar_domain->pgd = iommu_pgtable_pool_page(pool, pgd);
	/* the levels and width attaching would knock a fresh domain down to */
	dmar_domain->agaw = iommu->agaw;
	dmar_domain->gaw = min_t(int, agaw_to_width(iommu->agaw),
				 cap_mgaw(iommu->cap));
	dmar_domain->has_mappings = true;
	dmar_domain->adopted = true;
	spin_lock(&vtd_kept_lock);
	for (i = 0; i < h->rec.nr_devs; i++) {
		if ((h->rec.dev[i].lo & VTD_SL_ADDR_MASK) != pgd)
			continue;
		set_bit(i, h->adopted);
		h->owner[i] = dmar_domain;
	}
	spin_unlock(&vtd_kept_lock);
	dev_info(dev, "domain adopts the page tables kept by the previous kernel (pool %s)\n",
		 h->rec.pool);
out:
	mutex_unlock(&vtd_handoff_lock);
}

/**
 * vtd_handoff_domain_free() - an adopted domain is about to be freed
 * @dmar_domain: the domain
 *
 * Its tables are about to go back to the pool.  A device that still runs
 * on the copied context entry pointing at them (the domain was freed
 * without ever being attached, e.g. a VFIO setup that failed) must stop
 * walking them first: drop the entry, so its DMA faults from now on.
 */
void vtd_handoff_domain_free(struct dmar_domain *dmar_domain)
{
	struct vtd_handoff *h;
	struct context_entry *ce;
	u32 i;

	mutex_lock(&vtd_handoff_lock);
	h = vtd_handoff_cur;
	for (i = 0; h && i < h->rec.nr_devs; i++) {
		u8 bus = h->rec.dev[i].bus, devfn = h->rec.dev[i].devfn;

		if (h->owner[i] != dmar_domain)
			continue;
		spin_lock(&h->iommu->lock);
		/* copied entries are found with alloc set (iommu_context_addr) */
		ce = iommu_context_addr(h->iommu, bus, devfn, 1);
		if (ce && context_copied(h->iommu, bus, devfn)) {
			copied_context_tear_down(h->iommu, ce, bus, devfn);
			pr_info("%s: %02x:%02x.%d: kept translation dropped, its domain was freed unused\n",
				h->iommu->name, bus, PCI_SLOT(devfn),
				PCI_FUNC(devfn));
		}
		spin_unlock(&h->iommu->lock);
		spin_lock(&vtd_kept_lock);
		h->owner[i] = NULL;
		spin_unlock(&vtd_kept_lock);
	}
	mutex_unlock(&vtd_handoff_lock);
}

/**
 * vtd_handoff_entry_gone() - a copied context entry is being replaced
 * @iommu: its IOMMU, lock held
 * @bus: the device's bus
 * @devfn: and its devfn
 *
 * Context: copied_context_tear_down().
 */
void vtd_handoff_entry_gone(struct intel_iommu *iommu, u8 bus, u8 devfn)
{
	struct vtd_handoff *h = iommu->handoff;
	u32 i;

	spin_lock(&vtd_kept_lock);
	for (i = 0; i < h->rec.nr_devs; i++) {
		if (h->rec.dev[i].bus != bus || h->rec.dev[i].devfn != devfn ||
		    !test_and_clear_bit(i, h->copied))
			continue;
		/* else the adopting domain's entry, with the same tables, follows */
		if (!h->owner[i])
			pr_info("%s: %02x:%02x.%d: kept translation ended unadopted: another domain took the device\n",
				iommu->name, bus, PCI_SLOT(devfn), PCI_FUNC(devfn));
	}
	spin_unlock(&vtd_kept_lock);
}

/* Still live: reached through a copied entry or an adopting domain */
static bool vtd_kept_live(const struct vtd_handoff *h, u32 i)
{
	return h->kept[i] && !h->kept[i]->done &&
	       (test_bit(i, h->copied) || h->owner[i]);
}

static bool vtd_kept_overlaps(const struct vtd_kept *k, u64 start, u64 last)
{
	u32 i;

	for (i = 0; i < k->nr_tables; i++)
		if (k->tables[i].start <= last && start <= k->tables[i].end)
			return true;
	for (i = 0; i < k->nr_runs; i++) {
		const struct vtd_kept_run *r = &k->runs[i];
		u64 phys = r->pte & VTD_SL_ADDR_MASK;
		u64 len = ((u64)r->nr * lvl_to_nr_pages(r->level)) << VTD_PAGE_SHIFT;

		if (phys <= last && start <= phys + len - 1)
			return true;
	}
	return false;
}

/**
 * intel_iommu_kept_dma_reaches() - iommu_ops.kept_dma_reaches for VT-d
 * @iommu_dev: the IOMMU
 * @start: physical address
 * @len: bytes from @start
 *
 * Return: true if a kept translation that is still live has a table or
 * a leaf mapping in [@start, @start + @len).
 */
bool intel_iommu_kept_dma_reaches(struct iommu_device *iommu_dev,
				  phys_addr_t start, u64 len)
{
	struct intel_iommu *iommu = container_of(iommu_dev, struct intel_iommu,
						 iommu);
	struct vtd_handoff *h = iommu->handoff;
	u64 last = start + len - 1;
	bool ret = false;
	u32 i;

	if (!h || !len)
		return false;
	if (last < start)
		last = U64_MAX;
	spin_lock(&vtd_kept_lock);
	for (i = 0; !ret && i < h->rec.nr_devs; i++)
		ret = vtd_kept_live(h, i) &&
		      vtd_kept_overlaps(h->kept[i], start, last);
	spin_unlock(&vtd_kept_lock);
	return ret;
}

/**
 * vtd_handoff_mapped() - an adopted domain mapped a range
 * @dmar_domain: the domain
 * @iov_pfn: first IOVA page of the range
 * @nr_pages: its length in VT-d pages
 *
 * Until adoption completes, a kept leaf that the range covers whole is
 * declared by the new owner and stays.
 */
void vtd_handoff_mapped(struct dmar_domain *dmar_domain, unsigned long iov_pfn,
			unsigned long nr_pages)
{
	struct vtd_handoff *h = vtd_handoff_cur;
	u64 end = (u64)iov_pfn + nr_pages;
	struct vtd_kept *k = NULL;
	u32 i, lo, hi;

	if (!h)
		return;
	spin_lock(&vtd_kept_lock);
	for (i = 0; i < h->rec.nr_devs && !k; i++)
		if (h->owner[i] == dmar_domain && !h->kept[i]->done)
			k = h->kept[i];
	if (!k)
		goto out;
	/* the first run that ends after @iov_pfn */
	for (lo = 0, hi = k->nr_runs; lo < hi;) {
		const struct vtd_kept_run *r = &k->runs[(lo + hi) / 2];

		if (r->iova_pfn + r->nr * lvl_to_nr_pages(r->level) <= iov_pfn)
			lo = (lo + hi) / 2 + 1;
		else
			hi = (lo + hi) / 2;
	}
	for (i = lo; i < k->nr_runs && k->runs[i].iova_pfn < end; i++) {
		const struct vtd_kept_run *r = &k->runs[i];
		int shift = 9 * (r->level - 1);
		u64 first = 0, stop;

		if (iov_pfn > r->iova_pfn)
			first = (iov_pfn - r->iova_pfn + BIT_ULL(shift) - 1) >> shift;
		stop = min_t(u64, (end - r->iova_pfn) >> shift, r->nr);
		if (stop > first)
			bitmap_set(k->declared, r->bit + first, stop - first);
	}
out:
	spin_unlock(&vtd_kept_lock);
}

/* The entry of @domain's tables at @level for IOVA page @pfn, or NULL */
static struct dma_pte *vtd_kept_pte(struct dmar_domain *domain, u64 pfn,
				    int level)
{
	struct iommu_pgtable_pool *pool = domain_pgtable_pool(domain);
	struct dma_pte *table = domain->pgd, *pte;
	int l;

	for (l = agaw_to_level(domain->agaw); l >= level; l--) {
		pte = &table[pfn_level_offset(pfn, l)];
		if (l == level)
			return pte;
		if (!dma_pte_present(pte) || dma_pte_superpage(pte))
			return NULL;
		table = iommu_pgtable_pool_page(pool, dma_pte_addr(pte));
		if (!table)
			return NULL;
	}
	return NULL;
}

/* Unmap every kept leaf of @k that the new owner did not map again */
static unsigned long vtd_kept_revoke(struct vtd_handoff *h,
				     struct dmar_domain *domain,
				     struct vtd_kept *k)
{
	struct intel_iommu *iommu = h->iommu;
	unsigned long n = 0;
	u32 i, j;

	for (i = 0; i < k->nr_runs; i++) {
		const struct vtd_kept_run *r = &k->runs[i];
		u64 span = lvl_to_nr_pages(r->level);

		for (j = 0; j < r->nr; j++) {
			u64 want = r->pte + ((j * span) << VTD_PAGE_SHIFT);
			struct dma_pte *pte;

			if (test_bit(r->bit + j, k->declared))
				continue;
			pte = vtd_kept_pte(domain, r->iova_pfn + j * span, r->level);
			if (!pte || !try_cmpxchg64(&pte->val, &want, 0ULL))
				continue;
			if (!domain->iommu_coherency)
				clflush_cache_range(pte, sizeof(*pte));
			n++;
		}
	}
	if (!n)
		return 0;
	cache_tag_flush_all(domain);
	/* a device of these tables that still runs on its copied entry */
	for (i = 0; i < h->rec.nr_devs; i++) {
		struct context_entry ce = { .lo = h->rec.dev[i].lo,
					    .hi = h->rec.dev[i].hi };

		if (h->kept[i] == k && test_bit(i, h->copied))
			iommu->flush.flush_iotlb(iommu, context_domain_id(&ce),
						 0, 0, DMA_TLB_DSI_FLUSH);
	}
	return n;
}

/**
 * intel_iommu_complete_adoption() - iommu_ops.complete_adoption for VT-d
 * @dev: device whose user is about to drive it
 *
 * If @dev's kept tables were adopted, the kept mappings its new owner did
 * not map again are unmapped now; from here on the domain holds only
 * what its owner mapped.
 */
void intel_iommu_complete_adoption(struct device *dev)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct vtd_handoff *h = info->iommu->handoff;
	struct vtd_kept *k;
	unsigned long n;
	u32 i;

	if (!h)
		return;
	mutex_lock(&vtd_handoff_lock);
	for (i = 0; i < h->rec.nr_devs; i++)
		if (h->rec.dev[i].bus == info->bus &&
		    h->rec.dev[i].devfn == info->devfn)
			break;
	if (i == h->rec.nr_devs || !h->owner[i] || h->kept[i]->done)
		goto out;
	k = h->kept[i];
	n = vtd_kept_revoke(h, h->owner[i], k);
	spin_lock(&vtd_kept_lock);
	k->done = true;
	spin_unlock(&vtd_kept_lock);
	vtd_kept_free(k);
	dev_info(dev, "adoption of the kept translation complete: %lu kept mapping(s) not mapped again revoked\n",
		 n);
out:
	mutex_unlock(&vtd_handoff_lock);
}
