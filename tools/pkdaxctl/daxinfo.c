// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device-dax side of a live guest namespace, read through libdaxctl
 * so pkdaxctl reports what daxctl itself would (chardev, size, align,
 * mode, target_node, state) instead of parsing dax sysfs by hand.
 * Devices are matched by name: the driver's contract is /dev/daxN.M for
 * slot M of pkernN, whatever dax region object carries it.
 */
#include <stdio.h>
#include <string.h>
#include <daxctl/libdaxctl.h>

#include "json.h"

static struct daxctl_ctx *dax_ctx;
static bool dax_failed;

static struct daxctl_ctx *ctx_get(void)
{
	if (!dax_ctx && !dax_failed && daxctl_new(&dax_ctx) < 0) {
		dax_ctx = NULL;
		dax_failed = true;
	}
	return dax_ctx;
}

void pkd_dax_release(void)
{
	if (dax_ctx)
		daxctl_unref(dax_ctx);
	dax_ctx = NULL;
}

static struct daxctl_dev *find_dev(const char *devname)
{
	struct daxctl_ctx *ctx = ctx_get();
	struct daxctl_region *region;
	struct daxctl_dev *dev;

	if (!ctx)
		return NULL;
	daxctl_region_foreach(ctx, region)
		daxctl_dev_foreach(region, dev)
			if (!strcmp(daxctl_dev_get_devname(dev), devname))
				return dev;
	return NULL;
}

void pkd_dax_add_json(struct json_object *o, int region, u32 slot,
		     unsigned int flags)
{
	struct daxctl_dev *dev;
	char name[48];
	int node;

	snprintf(name, sizeof(name), "dax%d.%u", region, slot);
	dev = find_dev(name);
	if (!dev) {
		/* the label is usable but the driver exposes no device */
		json_object_object_add(o, "state",
				       json_object_new_string("missing"));
		return;
	}
	json_object_object_add(o, "chardev", json_object_new_string(name));
	json_object_object_add(o, "mode", json_object_new_string(
		daxctl_dev_get_memory(dev) ? "system-ram" : "devdax"));
	node = daxctl_dev_get_target_node(dev);
	json_object_object_add(o, "target_node", json_object_new_int(node));
	json_object_object_add(o, "dax_size",
			       pkd_json_size(daxctl_dev_get_size(dev), flags));
	json_object_object_add(o, "dax_align",
			       pkd_json_align(daxctl_dev_get_align(dev)));
	json_object_object_add(o, "state", json_object_new_string(
		daxctl_dev_is_enabled(dev) ? "enabled" : "disabled"));
}
