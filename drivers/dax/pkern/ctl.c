// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/pkernN: the control interface of include/uapi/linux/pkern.h.
 *
 * Argument versioning: @argsz must be at least the size of the struct
 * this driver knows (EINVAL otherwise).  A larger @argsz (at most one
 * page) is accepted if every byte past the known struct is zero, else
 * E2BIG: a newer caller asking for something this driver cannot do is
 * refused rather than half-served.  Results are copied back into the
 * known part only.  Unknown @flags bits: EINVAL.
 *
 * Every ioctl needs CAP_SYS_ADMIN and runs under the region mutex;
 * label updates also hold the update mutex, so they are serialised even
 * while a create or destroy zeroes memory without the region mutex.
 * lib/ orders the media writes so that a crash at any point leaves the
 * old or the new label set, and decides every refusal.  Its errors reach
 * userspace through pkern_errno(), the table the tools read them back
 * with.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/uuid.h>

#include "internal.h"

/* ioctl names and UUIDs go to lib as they are: same sizes as on media */
static_assert(sizeof_field(struct pkern_create, uuid) == PKERN_UUID_LEN);

static int pkern_get_arg(void *karg, size_t ksize, void __user *uarg)
{
	u32 argsz;
	int ret;

	if (get_user(argsz, (u32 __user *)uarg))
		return -EFAULT;
	if (argsz < ksize)
		return -EINVAL;
	if (argsz > PAGE_SIZE)
		return -E2BIG;
	if (argsz > ksize) {
		ret = check_zeroed_user(uarg + ksize, argsz - ksize);
		if (ret < 0)
			return ret;
		if (!ret)
			return -E2BIG;
	}
	if (copy_from_user(karg, uarg, ksize))
		return -EFAULT;
	return 0;
}

static bool pkern_name_terminated(const char *name)
{
	return strnlen(name, PKERN_NAME_LEN) < PKERN_NAME_LEN;
}

static bool pkern_uuid_zero(const u8 *uuid)
{
	return !memchr_inv(uuid, 0, PKERN_UUID_LEN);
}

static long pkern_ioc_info(struct pkern_region *rgn, void __user *uarg)
{
	struct pkern_region_info info;
	const struct pkern_labels *r = rgn->labels;
	int ret;

	ret = pkern_get_arg(&info, sizeof(info), uarg);
	if (ret)
		return ret;
	if (info.flags)
		return -EINVAL;

	info.region_id = rgn->id;
	info.state = rgn->state;
	info.phys_addr = rgn->phys;
	info.size = rgn->size;
	info.data_start = pkern_region_data_start(rgn);
	info.available_size = 0;
	info.largest_free = 0;
	info.generation = 0;
	info.nr_namespaces = 0;
	info.nslots = 0;
	memset(info.uuid, 0, sizeof(info.uuid));
	if (info.data_start) {
		info.nslots = r->sb[r->active_sb].nslots;
		memcpy(info.uuid, r->sb[r->active_sb].uuid, sizeof(info.uuid));
	}
	if (rgn->state == PKERN_STATE_READY) {
		info.available_size = pkern_free_bytes(r, PKERN_ALIGN_4K,
						       &info.largest_free);
		info.generation = r->generation;
		info.nr_namespaces = r->nr_used;
	}
	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long pkern_ioc_format(struct pkern_region *rgn, void __user *uarg)
{
	struct pkern_format_params p = { };
	struct pkern_media m;
	struct pkern_format f;
	u32 slot;
	int ret;

	ret = pkern_get_arg(&f, sizeof(f), uarg);
	if (ret)
		return ret;
	if (f.flags & ~PKERN_FORMAT_FORCE)
		return -EINVAL;
	p.force = f.flags & PKERN_FORMAT_FORCE;
	p.nslots = f.nslots;
	if (pkern_uuid_zero(f.uuid))
		generate_random_uuid(p.uuid);
	else
		memcpy(p.uuid, f.uuid, sizeof(p.uuid));

	/* the labels and every namespace may go: no kept DMA may reach them */
	if (pkern_kept_dma_reaches(rgn->phys, rgn->size)) {
		pr_info("%s: not formatted: reached by DMA translation kept across kexec\n",
			dev_name(&rgn->dev));
		return -EBUSY;
	}
	/* a forced format drops every namespace: none may be in use */
	if (p.force) {
		for (slot = 0; slot < PKERN_MAX_SLOTS; slot++) {
			ret = pkern_ns_busy(rgn, slot);
			if (ret)
				return ret;
		}
		for (slot = 0; slot < PKERN_MAX_SLOTS; slot++) {
			ret = pkern_ns_revoke(rgn, slot);
			if (ret)
				return ret;
		}
		for (slot = 0; slot < PKERN_MAX_SLOTS; slot++)
			pkern_ns_remove(rgn, slot);
	}

	f.nr_lost = 0;
	pkern_region_media(rgn, &m);
	ret = pkern_format(rgn->labels, &m, &p);
	pkern_region_sync(rgn);
	if (ret == -PKERN_E_HAS_LABELS) {
		f.nr_lost = rgn->labels->nr_used;
		if (copy_to_user(uarg, &f, sizeof(f)))
			return -EFAULT;
	}
	if (!ret) {
		pr_info("%s: formatted (%u label slots, generation %llu)\n",
			dev_name(&rgn->dev),
			rgn->labels->sb[rgn->labels->active_sb].nslots,
			rgn->labels->generation);
		memcpy(f.uuid, p.uuid, sizeof(f.uuid));
		if (copy_to_user(uarg, &f, sizeof(f)))
			return -EFAULT;
	}
	return pkern_errno(ret);
}

/* Rewrite the superblock copy that is not live; lib decides whether. */
static long pkern_ioc_repair(struct pkern_region *rgn, void __user *uarg)
{
	struct pkern_media m;
	struct pkern_repair rp;
	int ret;

	ret = pkern_get_arg(&rp, sizeof(rp), uarg);
	if (ret)
		return ret;
	if (rp.flags || rp.reserved)
		return -EINVAL;
	pkern_region_media(rgn, &m);
	ret = pkern_repair(rgn->labels, &m);
	pkern_region_sync(rgn);
	if (ret < 0)
		return pkern_errno(ret);
	if (ret)
		pr_info("%s: superblock copy restored from the live one\n",
			dev_name(&rgn->dev));
	rp.repaired = ret;
	return copy_to_user(uarg, &rp, sizeof(rp)) ? -EFAULT : 0;
}

static long pkern_ioc_create(struct pkern_region *rgn, void __user *uarg)
{
	struct pkern_create_params p = { };
	const struct pkern_ns *ns;
	struct pkern_create c;
	u32 bad;
	int ret;

	ret = pkern_get_arg(&c, sizeof(c), uarg);
	if (ret)
		return ret;
	if (c.flags & ~(PKERN_CREATE_FIXED_OFFSET |
			PKERN_CREATE_ALLOW_BAD_PAGES) || c.pad)
		return -EINVAL;
	if (!pkern_name_terminated(c.name))
		return -EINVAL;

	p.name = c.name;
	if (pkern_uuid_zero(c.uuid))
		generate_random_uuid(p.uuid);
	else
		memcpy(p.uuid, c.uuid, sizeof(p.uuid));
	p.kind = c.kind;
	p.size = c.size;
	p.align = c.align;
	p.offset = c.flags & PKERN_CREATE_FIXED_OFFSET ? c.offset :
		   PKERN_OFFSET_ANY;
	if (p.offset == PKERN_OFFSET_ANY &&
	    c.flags & PKERN_CREATE_FIXED_OFFSET)
		return -EINVAL;
	p.place_align = pkern_place_align(p.kind, p.align);
	p.allow_bad = c.flags & PKERN_CREATE_ALLOW_BAD_PAGES;

	/* zeroes the memory (killable) before the label makes it visible */
	rgn->scrub_err = 0;
	ret = pkern_create(rgn->labels, &p, &ns);
	if (ret) {
		int err = ret == -PKERN_E_IO && rgn->scrub_err ?
			  rgn->scrub_err : pkern_errno(ret);

		pkern_region_sync(rgn);
		if (err == -EINTR)
			pr_info("%s: create of %s interrupted while zeroing; nothing created\n",
				dev_name(&rgn->dev), c.name);
		return err;
	}

	ret = pkern_ns_add(rgn, ns);
	if (ret) {
		/* no device, no namespace: undo the label (memory is zero) */
		pr_err("%s: cannot expose new namespace %s (%d); removing it\n",
		       dev_name(&rgn->dev), c.name, ret);
		if (pkern_destroy(rgn->labels, ns->slot))
			pkern_region_sync(rgn);
		return ret;
	}

	memcpy(c.uuid, ns->uuid, sizeof(c.uuid));
	c.offset = ns->offset;
	c.dax_region = rgn->id;
	c.dax_id = ns->slot;
	pr_info("%s: created %s namespace %s at %#llx, %llu bytes (slot %u, generation %llu)\n",
		dev_name(&rgn->dev), pkern_kind_str(ns->kind), ns->name,
		ns->offset, ns->size, ns->slot, rgn->labels->generation);
	bad = pkern_bad_count(rgn->labels, ns->offset, ns->size);
	if (bad)
		pr_warn("%s: namespace %s covers %u recorded bad pages, as asked; they are not zeroed and may fail again when accessed\n",
			dev_name(&rgn->dev), ns->name, bad);
	return copy_to_user(uarg, &c, sizeof(c)) ? -EFAULT : 0;
}

static long pkern_ioc_destroy(struct pkern_region *rgn, void __user *uarg)
{
	const struct pkern_ns *ns;
	struct pkern_destroy d;
	char name[PKERN_NAME_LEN];
	u8 uuid[PKERN_UUID_LEN];
	u32 slot;
	int ret;

	ret = pkern_get_arg(&d, sizeof(d), uarg);
	if (ret)
		return ret;
	if (d.flags & ~PKERN_DESTROY_BY_UUID)
		return -EINVAL;
	/* the lookups below need labels lib can update */
	if (rgn->labels->status)
		return pkern_errno(-PKERN_E_STATE);
	if (d.flags & PKERN_DESTROY_BY_UUID) {
		ns = pkern_find_uuid(rgn->labels, d.uuid);
	} else {
		if (!pkern_name_terminated(d.name))
			return -EINVAL;
		ns = pkern_find_name(rgn->labels, d.name);
	}
	if (!ns)
		return pkern_errno(-PKERN_E_NOENT);
	slot = ns->slot;
	strscpy(name, ns->name, sizeof(name));
	memcpy(uuid, ns->uuid, sizeof(uuid));

	ret = pkern_ns_busy(rgn, slot);
	if (!ret)
		ret = pkern_ns_revoke(rgn, slot);
	if (ret)
		return ret;
	/* device first: unmaps every user before the memory is scrubbed */
	pkern_ns_remove(rgn, slot);
	rgn->scrub_err = 0;
	ret = pkern_destroy(rgn->labels, slot);
	if (ret) {
		pkern_region_sync(rgn);
		if (rgn->labels->status || pkern_find_uuid(rgn->labels, uuid))
			return pkern_errno(ret);
		/*
		 * The label is gone; only zeroing its memory failed (or was
		 * interrupted).  Every create zeroes again before reuse.
		 */
		pr_warn("%s: destroyed namespace %s, but zeroing its memory failed (%d); it is zeroed again before reuse\n",
			dev_name(&rgn->dev), name, rgn->scrub_err);
		return 0;
	}
	pr_info("%s: destroyed namespace %s (slot %u, generation %llu)\n",
		dev_name(&rgn->dev), name, slot, rgn->labels->generation);
	return 0;
}

/* Forget recorded bad pages; the namespaces stay as they are. */
static long pkern_ioc_clear_errors(struct pkern_region *rgn, void __user *uarg)
{
	struct pkern_clear_errors ce;
	int ret;

	ret = pkern_get_arg(&ce, sizeof(ce), uarg);
	if (ret)
		return ret;
	if (ce.flags || ce.reserved)
		return -EINVAL;
	ret = pkern_bad_clear(rgn->labels, ce.offset, ce.length);
	if (ret == -PKERN_E_IO)
		pkern_region_sync(rgn);
	if (ret < 0)
		return pkern_errno(ret);
	pr_info("%s: forgot %d recorded bad pages in %#llx..%#llx (generation %llu)\n",
		dev_name(&rgn->dev), ret, ce.offset, ce.offset + ce.length - 1,
		rgn->labels->generation);
	ce.nr_cleared = ret;
	return copy_to_user(uarg, &ce, sizeof(ce)) ? -EFAULT : 0;
}

static long pkern_ioc_read_labels(struct pkern_region *rgn, void __user *uarg)
{
	struct pkern_read_labels rl;
	u64 limit;
	int ret;

	ret = pkern_get_arg(&rl, sizeof(rl), uarg);
	if (ret)
		return ret;
	if (rl.flags)
		return -EINVAL;
	/*
	 * The label area of the live superblock; without one, only the
	 * superblock and index blocks.  Never namespace data.
	 */
	limit = pkern_region_data_start(rgn);
	if (!limit)
		limit = PKERN_SLOT_OFF;
	limit = min(limit, rgn->map_len);
	if (rl.offset > limit || rl.length > limit - rl.offset)
		return -EINVAL;
	if (copy_to_user(u64_to_user_ptr(rl.buf), rgn->label_map + rl.offset,
			 rl.length))
		return -EFAULT;
	return 0;
}

/* Commands that change labels; the others only read them. */
static bool pkern_ioc_updates(unsigned int cmd)
{
	return cmd == PKERN_IOC_FORMAT || cmd == PKERN_IOC_CREATE ||
	       cmd == PKERN_IOC_DESTROY || cmd == PKERN_IOC_REPAIR ||
	       cmd == PKERN_IOC_CLEAR_ERRORS;
}

static long pkern_ctl_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct pkern_region *rgn = file->private_data;
	void __user *uarg = (void __user *)arg;
	bool update = pkern_ioc_updates(cmd);
	long ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	/* a create or destroy zeroing memory holds only the update lock */
	if (update) {
		ret = mutex_lock_killable(&rgn->update_lock);
		if (ret)
			return ret;
	}
	ret = mutex_lock_killable(&rgn->lock);
	if (ret)
		goto out_update;
	if (rgn->dead) {
		ret = -ENXIO;
		goto out;
	}
	switch (cmd) {
	case PKERN_IOC_INFO:
		ret = pkern_ioc_info(rgn, uarg);
		break;
	case PKERN_IOC_FORMAT:
		ret = pkern_ioc_format(rgn, uarg);
		break;
	case PKERN_IOC_CREATE:
		ret = pkern_ioc_create(rgn, uarg);
		break;
	case PKERN_IOC_DESTROY:
		ret = pkern_ioc_destroy(rgn, uarg);
		break;
	case PKERN_IOC_READ_LABELS:
		ret = pkern_ioc_read_labels(rgn, uarg);
		break;
	case PKERN_IOC_REPAIR:
		ret = pkern_ioc_repair(rgn, uarg);
		break;
	case PKERN_IOC_CLEAR_ERRORS:
		ret = pkern_ioc_clear_errors(rgn, uarg);
		break;
	default:
		ret = -ENOTTY;
	}
out:
	mutex_unlock(&rgn->lock);
out_update:
	if (update)
		mutex_unlock(&rgn->update_lock);
	return ret;
}

static int pkern_ctl_open(struct inode *inode, struct file *file)
{
	struct pkern_region *rgn = container_of(inode->i_cdev, struct pkern_region,
					     cdev);

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	file->private_data = rgn;
	return nonseekable_open(inode, file);
}

const struct file_operations pkern_ctl_fops = {
	.owner = THIS_MODULE,
	.open = pkern_ctl_open,
	.unlocked_ioctl = pkern_ctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};
