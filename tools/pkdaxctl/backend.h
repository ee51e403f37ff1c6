/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A region as the commands see it, whichever way it is reached: a file
 * image updated through lib/ + libpmem, or a live pkernN through its
 * /dev/pkernN ioctls.  In both cases the label state in @labels comes from
 * running lib/'s loader over the region's label area, so list, check and
 * inspect share one decoder.
 */
#ifndef PKDAXCTL_BACKEND_H
#define PKDAXCTL_BACKEND_H

#include <stdbool.h>
#include "pklib.h"
#include <linux/pkern.h>

/* Tool-side errors beyond lib's PKERN_E_* (same negative convention) */
enum pkd_err {
	PKD_E_BUSY = PKERN_E_MAX + 1,	/* device open or mapped */
	PKD_E_SYS,			/* other errno, in pkd_region.sys_errno */
};

struct pkd_region;

/**
 * struct pkd_backend_ops - what differs between an image and a live region
 * @format: write fresh labels; on -PKERN_E_HAS_LABELS fill @nr_lost
 * @create: create a namespace; fill @slot with the label slot it used
 * @destroy: remove the namespace in @ns
 * @repair: rewrite a damaged, blank or stale superblock copy from the live
 *	one; returns lib's pkern_repair() result
 * @clear_errors: forget the recorded bad pages of a range; returns the
 *	number forgotten
 * @close: release everything
 *
 * Operations return 0 or a negative PKERN_E_ / PKD_E_ code: for a live
 * region exactly the lib error the driver saw.  Whatever they return,
 * @labels then describes the region as it is (lib's state after an update on
 * an image, a fresh snapshot of a live region).
 */
struct pkd_backend_ops {
	int (*format)(struct pkd_region *r, const struct pkern_format_params *p,
		      u32 *nr_lost);
	int (*create)(struct pkd_region *r, const struct pkern_create_params *p,
		      u32 *slot);
	int (*destroy)(struct pkd_region *r, const struct pkern_ns *ns);
	int (*repair)(struct pkd_region *r);
	int (*clear_errors)(struct pkd_region *r, u64 off, u64 len);
	void (*close)(struct pkd_region *r);
};

/**
 * struct pkd_region - one region, image or live
 * @dev: "pkernN" or the image path
 * @id: N of pkernN, -1 for an image
 * @live: reached through /dev/pkernN
 * @created: image file created by this run (removed if its format fails)
 * @size: bytes of the region
 * @phys_addr: live only
 * @state: PKERN_STATE_* (kernel's view when live, lib status otherwise)
 * @available, @largest: free bytes and largest free 4 KiB extent
 * @labels: lib's decoded label state
 * @media: the media @labels was loaded from (for re-running lib's loader)
 * @sys_errno: errno behind the last PKD_E_SYS/PKERN_E_IO, 0 if none
 * @priv: backend data
 */
struct pkd_region {
	char *dev;
	int id;
	bool live;
	bool created;
	u64 size;
	u64 phys_addr;
	u32 state;
	u64 available;
	u64 largest;
	struct pkern_labels *labels;
	const struct pkern_media *media;
	int sys_errno;
	const struct pkd_backend_ops *ops;
	void *priv;
};

/**
 * struct pkd_target - which regions a command acts on
 * @image: image path, or NULL for live regions
 * @region: -r value: "pkernN", "N", or the image path; NULL = all
 * @create_size: init-labels --size: create the image with this size
 * @readonly: the command only reads: open an image read-only, so a
 *	read-only file or an unprivileged reader works
 * @has_timeout, @timeout: --timeout: seconds to wait for an image's lock
 */
struct pkd_target {
	const char *image;
	const char *region;
	u64 create_size;
	bool readonly;
	bool has_timeout;
	u32 timeout;
};

struct pkd_regions {
	struct pkd_region **r;
	int n;
};

/* Open the selected regions; prints one error line and returns -1 on failure */
int pkd_open(const struct pkd_target *t, struct pkd_regions *out);
void pkd_close_all(struct pkd_regions *rs);

int pkd_image_open(const struct pkd_target *t, struct pkd_region **out);
/*
 * image-lock.c: take @fd's image lock for @t (shared if @t->readonly),
 * waiting as @t says; prints one error line and returns -1 on failure
 */
int pkd_lock_image(int fd, const struct pkd_target *t);
int pkd_live_open(int id, struct pkd_region **out);
/* Ids of live regions in ascending order; returns count or -1 */
int pkd_live_ids(int **ids);

/* Update @state/@available/@largest from @labels (images) */
void pkd_region_refresh_space(struct pkd_region *r);
/*
 * Error line for a region whose labels describe another size: the way
 * back for a live region (memmap=) or an image (its old size)
 */
void pkd_report_size_changed(const struct pkd_region *r);
/* Message for a negative PKERN_E_ / PKD_E_ code */
const char *pkd_strerror(const struct pkd_region *r, int err);

/* lookup.c: used labels (usable or not, checksum intact) by name/UUID */
const struct pkern_ns *pkd_find_name_any(const struct pkern_labels *labels,
					const char *name);
const struct pkern_ns *pkd_find_uuid_any(const struct pkern_labels *labels,
					const u8 *uuid);
/* NAME or UUID string, as destroy-namespace and list -n take it */
const struct pkern_ns *pkd_lookup(const struct pkern_labels *labels,
				 const char *name_or_uuid);

#endif /* PKDAXCTL_BACKEND_H */
