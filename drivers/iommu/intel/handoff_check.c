// SPDX-License-Identifier: GPL-2.0-only
/*
 * Validate, at boot, the VT-d translation a previous kernel kept running
 * across kexec (handoff.c).
 *
 * New kernel, booted with intel_iommu_handoff=<record address>: when it
 * finds translation enabled, it validates the record and everything it
 * points to, like any data from outside: checksum, the IOMMU it names,
 * the root table the hardware really uses, every table inside the pool
 * and inside persistent memory, every mapping inside the guest memory the
 * record names, which must lie in persistent memory (ordinary RAM belongs
 * to the new kernel) and outside the pool (the device must not reach its
 * own tables).  The record itself must lie in persistent memory before
 * anything maps it.  What passes is installed and later adopted by
 * handoff_adopt.c; if anything fails, translation stays enabled with
 * empty tables, so the devices' DMA faults until a new domain is
 * attached; nothing is half adopted.
 */
#define pr_fmt(fmt)	"DMAR: " fmt

#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/range.h>
#include <linux/slab.h>

#include "handoff_adopt.h"
#include "iommu.h"
#include "pasid.h"

#define VTD_HANDOFF_MAX_PMEM	16

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
	struct vtd_walk walk;
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

static u64 *vtd_check_walk_table(struct vtd_walk *w, u64 phys)
{
	return vtd_check_table(container_of(w, struct vtd_check, walk), phys);
}

/* Every table in the pool, every mapping in the recorded guest memory */
static const char *vtd_check_leaf(struct vtd_walk *w, u64 iova_pfn, u64 pte,
				  int level)
{
	struct vtd_check *c = container_of(w, struct vtd_check, walk);
	u64 addr = pte & VTD_SL_ADDR_MASK;

	w->where = addr;
	if (!vtd_check_in_guest(c, addr, BIT_ULL(VTD_PAGE_SHIFT + 9 * (level - 1))))
		return "mapping outside the recorded guest memory";
	return NULL;
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

/*
 * A kept scalable context entry leads, through a one-page PASID directory
 * and table in the pool that hold nothing else, to the RID_PASID entry
 * the record describes.
 */
static bool vtd_check_sm_dev(struct vtd_check *c, const struct vtd_handoff_dev *d)
{
	struct context_entry ce = { .lo = d->lo, .hi = d->hi };
	struct vtd_handoff_dev got = { };
	struct pasid_dir_entry *dir;
	struct pasid_entry *table;
	const char *why;
	int i;

	if (d->hi || (d->lo & ~(VTD_SM_CTX_KEEP_BITS | VTD_PAGE_MASK)) ||
	    get_pasid_dir_size(&ce) * sizeof(*dir) > VTD_PAGE_SIZE)
		return vtd_check_fail(c, "scalable context entry not as kept", d->lo);
	dir = vtd_check_table(c, d->lo & VTD_PAGE_MASK);
	if (!dir)
		return vtd_check_fail(c, "PASID directory outside the pool", d->lo);
	for (i = 1; i < get_pasid_dir_size(&ce); i++)
		if (READ_ONCE(dir[i].val))
			return vtd_check_fail(c, "PASID directory holds other PASIDs", i);
	table = vtd_check_table(c, READ_ONCE(dir[0].val) & VTD_PAGE_MASK);
	if (!(READ_ONCE(dir[0].val) & PASID_PTE_PRESENT) || !table)
		return vtd_check_fail(c, "PASID table outside the pool", dir[0].val);
	for (i = 1; i < PASID_TBL_ENTRIES; i++)
		if (pasid_pte_is_present(&table[i]))
			return vtd_check_fail(c, "PASID table holds other PASIDs", i);
	why = vtd_handoff_decode_pasid(&table[0], &got);
	if (why)
		return vtd_check_fail(c, why, table[0].val[0]);
	if (got.format != d->format || got.pgd != d->pgd ||
	    got.levels != d->levels || got.did != d->did)
		return vtd_check_fail(c, "RID_PASID entry differs from the record",
				      table[0].val[0]);
	/* a second-stage entry's width is the IOMMU's, as a legacy one's */
	if (d->format == VTD_HANDOFF_SECOND_STAGE &&
	    ((table[0].val[0] >> 2) & 7) != c->iommu->agaw)
		return vtd_check_fail(c, "address width differs from this IOMMU's",
				      table[0].val[0]);
	if (d->format == VTD_HANDOFF_FIRST_STAGE && !ecap_flts(c->iommu->ecap))
		return vtd_check_fail(c, "first-stage tables on an IOMMU without them",
				      c->iommu->ecap);
	return true;
}

static bool vtd_check_legacy_dev(struct vtd_check *c,
				 const struct vtd_handoff_dev *d)
{
	struct context_entry ce = { .lo = d->lo, .hi = d->hi };

	if (!context_present(&ce) || ((d->lo >> 2) & 3) != CONTEXT_TT_MULTI_LEVEL)
		return vtd_check_fail(c, "context entry is not multi-level translation",
				      d->lo);
	if ((d->hi & 7) != c->iommu->agaw)
		return vtd_check_fail(c, "address width differs from this IOMMU's",
				      d->hi);
	if (d->format != VTD_HANDOFF_SECOND_STAGE ||
	    d->pgd != (d->lo & VTD_SL_ADDR_MASK) ||
	    d->did != context_domain_id(&ce))
		return vtd_check_fail(c, "context entry differs from the record",
				      d->lo);
	return true;
}

static bool vtd_check_dev(struct vtd_check *c, const struct vtd_handoff_dev *d)
{
	const char *why;
	bool ok;

	if (d->segment != c->iommu->segment)
		return vtd_check_fail(c, "device on another segment", d->segment);
	if (d->reserved || d->irq & ~(VTD_HANDOFF_IRQ_INTX | VTD_HANDOFF_IRQ_MSI |
				      VTD_HANDOFF_IRQ_MSIX))
		return vtd_check_fail(c, "bad device entry", d->irq);
	if (c->rec->flags & VTD_HANDOFF_SCALABLE)
		ok = vtd_check_sm_dev(c, d);
	else
		ok = vtd_check_legacy_dev(c, d);
	if (!ok)
		return false;
	/* the levels a domain of this IOMMU walks: the new owner's */
	if (d->levels != agaw_to_level(c->iommu->agaw))
		return vtd_check_fail(c, "page-table levels differ from this IOMMU's",
				      d->levels);
	if (!d->did || d->did >= cap_ndoms(c->iommu->cap))
		return vtd_check_fail(c, "domain id out of range", d->did);
	why = vtd_walk_tables(&c->walk, d->pgd, d->levels, 0);
	return why ? vtd_check_fail(c, why, c->walk.where) : true;
}

/* Entry @devfn of a context table: scalable ones are two entries wide */
static struct context_entry *vtd_check_ctx(struct context_entry *table,
					   bool sm, int devfn)
{
	return sm ? &table[VTD_SM_CTX_SLOT(devfn)] : &table[devfn];
}

/* The old tables hold exactly the record's devices */
static bool vtd_check_tables(struct vtd_check *c)
{
	const struct vtd_handoff_rec *rec = c->rec;
	struct root_entry *root = vtd_check_table(c, rec->root);
	bool sm = rec->flags & VTD_HANDOFF_SCALABLE;
	u32 found = 0;
	int bus, devfn;

	if (!root)
		return vtd_check_fail(c, "root table outside the pool", rec->root);
	for (bus = 0; bus < VTD_HANDOFF_BUSES; bus++) {
		struct context_entry *half[2] = { };
		int h;

		for (h = 0; h < 2; h++) {
			u64 e = h ? root[bus].hi : root[bus].lo;

			if (!e)
				continue;
			half[h] = vtd_check_table(c, e & VTD_PAGE_MASK);
			/* legacy root entries have no upper half */
			if (!(e & 1) || !half[h] || (h && !sm))
				return vtd_check_fail(c, "context table outside the pool",
						      e);
		}
		for (devfn = 0; devfn < 256; devfn++) {
			struct context_entry *table = half[sm && devfn >= 0x80];
			const struct vtd_handoff_dev *d;
			struct context_entry *ce;

			if (!table)
				continue;
			ce = vtd_check_ctx(table, sm, devfn);
			if (!context_present(ce))
				continue;
			d = vtd_check_find(rec, bus, devfn);
			if (!d || d->lo != ce->lo || d->hi != ce->hi ||
			    (sm && (ce[1].lo || ce[1].hi)))
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
	if (rec->flags & ~VTD_HANDOFF_SCALABLE)
		return vtd_check_fail(c, "unknown record flags", rec->flags);
	/* the root table type cannot change while translation is on */
	if (!sm_supported(c->iommu) != !(rec->flags & VTD_HANDOFF_SCALABLE) ||
	    !sm_supported(c->iommu) != !(rtaddr & DMA_RTADDR_SMT))
		return vtd_check_fail(c, sm_supported(c->iommu) ?
				      "kept in legacy mode, this kernel runs scalable mode" :
				      "kept in scalable mode, this kernel runs legacy mode",
				      rtaddr);
	if ((rtaddr & VTD_PAGE_MASK) != rec->root)
		return vtd_check_fail(c, "the IOMMU uses another root table",
				      rtaddr);

	c->pool = memremap(rec->pool_start, rec->pool_size, MEMREMAP_WB);
	if (!c->pool)
		return vtd_check_fail(c, "cannot map the pool", rec->pool_start);
	/* one budget for all devices: together they cannot need more */
	c->walk = (struct vtd_walk){
		.table = vtd_check_walk_table,
		.leaf = vtd_check_leaf,
		.budget = rec->pool_size / VTD_PAGE_SIZE,
	};
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
