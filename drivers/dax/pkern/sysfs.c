// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysfs: /sys/class/pkern/pkernN/ for regions (names follow ndctl's
 * region attributes) and the namespace attributes of each pkernN.M child.
 */
#include <linux/device.h>
#include <linux/sysfs.h>

#include "internal.h"

/* A consistent copy of what the region attributes show. */
struct pkern_region_snap {
	u64 avail;
	u64 largest;
	u64 generation;
	u64 label_size;
	u32 state;
	u32 nr_used;
	bool have_sb;
	u8 uuid[PKERN_UUID_LEN];
};

static int pkern_region_snapshot(struct pkern_region *rgn, struct pkern_region_snap *s)
{
	const struct pkern_labels *r = rgn->labels;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = mutex_lock_interruptible(&rgn->lock);
	if (ret)
		return ret;
	s->state = rgn->state;
	s->label_size = pkern_region_data_start(rgn);
	s->have_sb = s->label_size != 0;
	if (s->have_sb)
		memcpy(s->uuid, r->sb[r->active_sb].uuid, sizeof(s->uuid));
	if (s->state == PKERN_STATE_READY) {
		s->avail = pkern_free_bytes(r, PKERN_ALIGN_4K, &s->largest);
		s->generation = r->generation;
		s->nr_used = r->nr_used;
	}
	mutex_unlock(&rgn->lock);
	return 0;
}

#define PKERN_RGN_ATTR(_name, _fmt, _field)				\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct pkern_region_snap s;					\
	int ret = pkern_region_snapshot(to_pkern_region(dev), &s);		\
									\
	return ret ? ret : sysfs_emit(buf, _fmt "\n", s._field);	\
}									\
static DEVICE_ATTR_RO(_name)

PKERN_RGN_ATTR(available_size, "%llu", avail);
PKERN_RGN_ATTR(max_available_extent, "%llu", largest);
PKERN_RGN_ATTR(generation, "%llu", generation);
PKERN_RGN_ATTR(label_size, "%llu", label_size);
PKERN_RGN_ATTR(namespaces, "%u", nr_used);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct pkern_region_snap s;
	int ret = pkern_region_snapshot(to_pkern_region(dev), &s);

	return ret ? ret : sysfs_emit(buf, "%s\n", pkern_state_str(s.state));
}
static DEVICE_ATTR_RO(state);

static ssize_t uuid_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct pkern_region_snap s;
	int ret = pkern_region_snapshot(to_pkern_region(dev), &s);

	if (ret)
		return ret;
	if (!s.have_sb)
		return sysfs_emit(buf, "\n");
	return sysfs_emit(buf, "%pUb\n", s.uuid);
}
static DEVICE_ATTR_RO(uuid);

/* Fixed at probe: no lock needed. */
static ssize_t size_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%llu\n", to_pkern_region(dev)->size);
}
static DEVICE_ATTR_RO(size);

static ssize_t phys_addr_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%#llx\n", (u64)to_pkern_region(dev)->phys);
}
static DEVICE_ATTR_RO(phys_addr);

/*
 * Recorded bad pages, one run per line: "offset length" in bytes from
 * the start of the region (ndctl's badblocks use 512-byte sectors).  A
 * full list of scattered pages does not fit a page: the runs that fit
 * are shown; badblock_count and the tools, which read the label area,
 * give them all.
 */
static ssize_t badblocks_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	struct pkern_region *rgn = to_pkern_region(dev);
	const struct pkern_labels *r = rgn->labels;
	u64 pos = 0, off, len;
	ssize_t n = 0;
	int ret;

	ret = mutex_lock_interruptible(&rgn->lock);
	if (ret)
		return ret;
	while (pkern_bad_next_range(r, pos, rgn->size, &off, &len)) {
		/* a line is at most 2 * 20 + 2 bytes: never write past the page */
		if (n > PAGE_SIZE - 42)
			break;
		n += sysfs_emit_at(buf, n, "%llu %llu\n", off, len);
		pos = off + len;
	}
	mutex_unlock(&rgn->lock);
	return n;
}
static DEVICE_ATTR_RO(badblocks);

static ssize_t badblock_count_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct pkern_region *rgn = to_pkern_region(dev);
	u32 n;
	int ret;

	ret = mutex_lock_interruptible(&rgn->lock);
	if (ret)
		return ret;
	n = rgn->labels->nr_bad;
	mutex_unlock(&rgn->lock);
	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(badblock_count);

static struct attribute *pkern_region_attrs[] = {
	&dev_attr_badblocks.attr,
	&dev_attr_badblock_count.attr,
	&dev_attr_size.attr,
	&dev_attr_available_size.attr,
	&dev_attr_max_available_extent.attr,
	&dev_attr_generation.attr,
	&dev_attr_state.attr,
	&dev_attr_phys_addr.attr,
	&dev_attr_label_size.attr,
	&dev_attr_uuid.attr,
	&dev_attr_namespaces.attr,
	NULL,
};

static const struct attribute_group pkern_region_group = {
	.attrs = pkern_region_attrs,
};

const struct attribute_group *pkern_region_groups[] = {
	&pkern_region_group,
	NULL,
};

/* Namespace attributes: a child's label copy never changes. */
static const struct pkern_ns *pkern_child_ns(struct device *dev)
{
	struct pkern_nsdev **p = dev_get_platdata(dev);

	return &(*p)->ns;
}

static ssize_t name_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", pkern_child_ns(dev)->name);
}
static DEVICE_ATTR_RO(name);

static ssize_t ns_uuid_show(struct device *dev,
			    struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%pUb\n", pkern_child_ns(dev)->uuid);
}

static struct device_attribute dev_attr_ns_uuid = __ATTR(uuid, 0444,
							  ns_uuid_show, NULL);

static ssize_t kind_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", pkern_kind_str(pkern_child_ns(dev)->kind));
}
static DEVICE_ATTR_RO(kind);

static ssize_t offset_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%llu\n", pkern_child_ns(dev)->offset);
}
static DEVICE_ATTR_RO(offset);

static ssize_t ns_size_show(struct device *dev,
			    struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", pkern_child_ns(dev)->size);
}

static struct device_attribute dev_attr_ns_size = __ATTR(size, 0444,
							  ns_size_show, NULL);

static ssize_t align_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%llu\n", pkern_child_ns(dev)->align);
}
static DEVICE_ATTR_RO(align);

static ssize_t slot_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%u\n", pkern_child_ns(dev)->slot);
}
static DEVICE_ATTR_RO(slot);

static struct attribute *pkern_ns_attrs[] = {
	&dev_attr_name.attr,
	&dev_attr_ns_uuid.attr,
	&dev_attr_kind.attr,
	&dev_attr_offset.attr,
	&dev_attr_ns_size.attr,
	&dev_attr_align.attr,
	&dev_attr_slot.attr,
	NULL,
};

static const struct attribute_group pkern_ns_group = {
	.attrs = pkern_ns_attrs,
};

const struct attribute_group *pkern_ns_groups[] = {
	&pkern_ns_group,
	NULL,
};
