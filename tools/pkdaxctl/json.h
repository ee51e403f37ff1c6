/* SPDX-License-Identifier: GPL-2.0-only */
/* json-c object builders shared by list, create-namespace and inspect. */
#ifndef PKDAXCTL_JSON_H
#define PKDAXCTL_JSON_H

#include <stdbool.h>
#include <json-c/json.h>
#include "backend.h"

enum pkd_json_flags {
	PKD_JSON_HUMAN = 1 << 0,	/* -u: sizes as "4.00 GiB (4.29 GB)" */
	PKD_JSON_DAX = 1 << 1,	/* -D: add the device-dax view (libdaxctl) */
	PKD_JSON_REGION = 1 << 2, /* add "region" to a namespace object */
	PKD_JSON_MEDIA_ERRORS = 1 << 3, /* -M: add "badblocks" ranges */
};

/*
 * An alignment or granule: always a number, -u or not, as ndctl prints
 * align, so a script reads the same type in every object.
 */
struct json_object *pkd_json_align(u64 v);
struct json_object *pkd_json_size(u64 v, unsigned int flags);
struct json_object *pkd_json_hex(u64 v, unsigned int flags);
struct json_object *pkd_json_u64(u64 v);
struct json_object *pkd_json_uuid(const u8 *uuid);
/* A name from media: at most @max bytes, non-printables replaced */
struct json_object *pkd_json_name(const char *name, size_t max);

struct json_object *pkd_region_json(const struct pkd_region *r,
				   unsigned int flags);
struct json_object *pkd_ns_json(const struct pkd_region *r,
			       const struct pkern_ns *ns, unsigned int flags);

/* "badblock_count" (and "badblocks") of an extent (json-badblocks.c) */
void pkd_badblocks_json(struct json_object *o, const struct pkern_labels *labels,
			u64 off, u64 len, unsigned int flags);

/* Pretty print to stdout the way ndctl does, then drop the reference */
void pkd_json_print(struct json_object *o);

/* Device-dax facts for /dev/daxN.M from libdaxctl (daxinfo.c) */
void pkd_dax_add_json(struct json_object *o, int region, u32 slot,
		     unsigned int flags);
void pkd_dax_release(void);

#endif /* PKDAXCTL_JSON_H */
