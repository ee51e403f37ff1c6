// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live backend: region pkernN through /dev/pkernN.  The driver owns every
 * update (format/create/destroy ioctls); the tool only pulls the raw label
 * area with PKERN_IOC_READ_LABELS and runs lib/'s loader over that
 * snapshot, so list/check/inspect decode live media exactly as they
 * decode an image.  One snapshot per load keeps the view consistent with
 * itself even while another process updates the region; every update
 * takes a new one, so the view follows what the driver did.  The driver
 * reports lib's errors through lib's errno table, which reads them back.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/pkern.h>

#include "backend.h"
#include "pkdaxctl.h"

#define PKD_SYSFS_CLASS	"/sys/class/pkern"

struct live {
	int fd;
	u8 *snap;
	u64 snap_len;
	struct pkern_region_info info;
	struct pkern_media media;
};

static int read_labels(struct live *lv, u64 off, void *buf, u64 len)
{
	struct pkern_read_labels rl = {
		.argsz = sizeof(rl),
		.offset = off,
		.length = len,
		.buf = (u64)(uintptr_t)buf,
	};

	return ioctl(lv->fd, PKERN_IOC_READ_LABELS, &rl) ? -1 : 0;
}

/* Served from the snapshot; anything outside it goes to the driver */
static int live_read(void *ctx, u64 off, void *buf, u64 len)
{
	struct live *lv = ctx;

	if (off <= lv->snap_len && len <= lv->snap_len - off) {
		memcpy(buf, lv->snap + off, len);
		return 0;
	}
	return read_labels(lv, off, buf, len);
}

/* Updates go through ioctls, never through lib on a live region */
static int live_no_write(void *ctx, u64 off, const void *buf, u64 len)
{
	(void)ctx; (void)off; (void)buf; (void)len;
	errno = EROFS;
	return -1;
}

static int live_no_persist(void *ctx, u64 off, u64 len)
{
	(void)ctx; (void)off; (void)len;
	errno = EROFS;
	return -1;
}

static const struct pkern_media_ops live_media_ops = {
	.read = live_read,
	.write = live_no_write,
	.persist = live_no_persist,
};

/* The lib error behind a failed update ioctl, else the tool's own code */
static int ioctl_err(struct pkd_region *r, int e)
{
	int err = pkern_err_from_errno(e);

	r->sys_errno = e;
	if (err)
		return err;
	return e == EBUSY ? -PKD_E_BUSY : -PKD_E_SYS;
}

/*
 * The driver serves the live label area, or only the superblock and
 * index blocks when no superblock is valid; anything else it refuses and
 * live_read() asks for block by block.
 */
static u64 snapshot_len(const struct pkern_region_info *info)
{
	if (info->data_start && info->data_start <= info->size)
		return info->data_start;
	return info->size < PKERN_SLOT_OFF ? info->size : PKERN_SLOT_OFF;
}

static int live_load(struct pkd_region *r)
{
	struct live *lv = r->priv;
	u64 len;
	u8 *p;

	memset(&lv->info, 0, sizeof(lv->info));
	lv->info.argsz = sizeof(lv->info);
	if (ioctl(lv->fd, PKERN_IOC_INFO, &lv->info)) {
		r->sys_errno = errno;
		return -PKD_E_SYS;
	}
	len = snapshot_len(&lv->info);
	p = realloc(lv->snap, len ? len : 1);
	if (!p) {
		r->sys_errno = ENOMEM;
		return -PKD_E_SYS;
	}
	lv->snap = p;
	/* a driver that refuses the whole area still answers per block */
	lv->snap_len = read_labels(lv, 0, lv->snap, len) ? 0 : len;

	lv->media.ops = &live_media_ops;
	lv->media.ctx = lv;
	lv->media.size = lv->info.size;
	r->media = &lv->media;
	pkern_load(r->labels, &lv->media);

	r->size = lv->info.size;
	r->phys_addr = lv->info.phys_addr;
	r->state = lv->info.state;
	r->available = lv->info.available_size;
	r->largest = lv->info.largest_free;
	return 0;
}

static int live_format(struct pkd_region *r, const struct pkern_format_params *p,
		       u32 *nr_lost)
{
	struct live *lv = r->priv;
	struct pkern_format f = {
		.argsz = sizeof(f),
		.flags = p->force ? PKERN_FORMAT_FORCE : 0,
		.nslots = p->nslots,
	};
	int rc = 0;

	memcpy(f.uuid, p->uuid, sizeof(f.uuid));
	if (ioctl(lv->fd, PKERN_IOC_FORMAT, &f))
		rc = ioctl_err(r, errno);
	if (rc == -PKERN_E_HAS_LABELS)
		*nr_lost = f.nr_lost;
	live_load(r);
	return rc;
}

static int live_repair(struct pkd_region *r)
{
	struct live *lv = r->priv;
	struct pkern_repair rp = { .argsz = sizeof(rp) };
	int rc;

	rc = ioctl(lv->fd, PKERN_IOC_REPAIR, &rp) ? ioctl_err(r, errno) :
						      (int)rp.repaired;
	live_load(r);
	return rc;
}

static int live_create(struct pkd_region *r, const struct pkern_create_params *p,
		       u32 *slot)
{
	struct live *lv = r->priv;
	struct pkern_create c = {
		.argsz = sizeof(c),
		.kind = p->kind,
		.size = p->size,
		.align = p->align,
	};
	int rc = 0;

	if (strlen(p->name) >= sizeof(c.name))
		return -PKERN_E_INVAL;
	strcpy(c.name, p->name);
	memcpy(c.uuid, p->uuid, sizeof(c.uuid));
	if (p->offset != PKERN_OFFSET_ANY) {
		c.flags |= PKERN_CREATE_FIXED_OFFSET;
		c.offset = p->offset;
	}
	if (p->allow_bad)
		c.flags |= PKERN_CREATE_ALLOW_BAD_PAGES;
	/* the driver applies the placement rule itself (pkern_place_align) */
	if (ioctl(lv->fd, PKERN_IOC_CREATE, &c))
		rc = ioctl_err(r, errno);
	live_load(r);
	if (rc)
		return rc;
	/* the namespace is pkernN.M with M its slot */
	if (c.dax_id >= PKERN_MAX_SLOTS) {
		r->sys_errno = EPROTO;
		return -PKD_E_SYS;
	}
	*slot = c.dax_id;
	return 0;
}

static int live_destroy(struct pkd_region *r, const struct pkern_ns *ns)
{
	struct live *lv = r->priv;
	struct pkern_destroy d = { .argsz = sizeof(d) };
	int rc = 0;

	/* the UUID names exactly this label even if names were reused */
	d.flags = PKERN_DESTROY_BY_UUID;
	memcpy(d.uuid, ns->uuid, sizeof(d.uuid));
	snprintf(d.name, sizeof(d.name), "%s", ns->name);
	if (ioctl(lv->fd, PKERN_IOC_DESTROY, &d))
		rc = ioctl_err(r, errno);
	live_load(r);
	return rc;
}

static int live_clear_errors(struct pkd_region *r, u64 off, u64 len)
{
	struct live *lv = r->priv;
	struct pkern_clear_errors ce = {
		.argsz = sizeof(ce), .offset = off, .length = len,
	};
	int rc;

	rc = ioctl(lv->fd, PKERN_IOC_CLEAR_ERRORS, &ce) ? ioctl_err(r, errno) :
							  (int)ce.nr_cleared;
	live_load(r);
	return rc;
}

static void live_close(struct pkd_region *r)
{
	struct live *lv = r->priv;

	if (lv) {
		if (lv->fd >= 0)
			close(lv->fd);
		free(lv->snap);
		free(lv);
	}
	free(r->labels);
	free(r->dev);
	free(r);
}

static const struct pkd_backend_ops live_ops = {
	.format = live_format,
	.create = live_create,
	.destroy = live_destroy,
	.repair = live_repair,
	.clear_errors = live_clear_errors,
	.close = live_close,
};

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int pkd_live_ids(int **ids)
{
	DIR *d = opendir(PKD_SYSFS_CLASS);
	struct dirent *e;
	int n = 0, cap = 0, *v = NULL;

	*ids = NULL;
	if (!d)
		return 0;	/* no class: module not loaded, no regions */
	while ((e = readdir(d))) {
		char *end;
		long id;

		if (strncmp(e->d_name, "pkern", 5))
			continue;
		id = strtol(e->d_name + 5, &end, 10);
		if (end == e->d_name + 5 || *end || id < 0 || id > 0x7fffffff)
			continue;
		if (n == cap) {
			int *nv = realloc(v, (cap = cap ? 2 * cap : 8) * sizeof(*v));

			if (!nv) {
				free(v);
				closedir(d);
				pkd_err("out of memory");
				return -1;
			}
			v = nv;
		}
		v[n++] = (int)id;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_int);
	*ids = v;
	return n;
}

int pkd_live_open(int id, struct pkd_region **out)
{
	struct pkd_region *r = calloc(1, sizeof(*r));
	struct live *lv = calloc(1, sizeof(*lv));
	char path[64];
	int rc;

	if (!r || !lv) {
		free(r);
		free(lv);
		pkd_err("out of memory");
		return -1;
	}
	lv->fd = -1;
	r->ops = &live_ops;
	r->priv = lv;
	r->id = id;
	r->live = true;
	r->labels = calloc(1, sizeof(*r->labels));
	if (!r->labels || asprintf(&r->dev, "pkern%d", id) < 0) {
		r->dev = NULL;
		pkd_err("out of memory");
		goto fail;
	}
	snprintf(path, sizeof(path), "/dev/pkern%d", id);
	lv->fd = open(path, O_RDWR | O_CLOEXEC);
	if (lv->fd < 0) {
		if (errno == EACCES || errno == EPERM)
			pkd_err("cannot open %s: %s; live regions need root (CAP_SYS_ADMIN)",
			       path, strerror(errno));
		else
			pkd_err("cannot open %s: %s", path, strerror(errno));
		goto fail;
	}
	rc = live_load(r);
	if (rc) {
		pkd_err("cannot query %s: %s", path, strerror(r->sys_errno));
		goto fail;
	}
	*out = r;
	return 0;
fail:
	live_close(r);
	return -1;
}
