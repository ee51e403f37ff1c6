// SPDX-License-Identifier: GPL-2.0-only
/*
 * "badblock_count" and, with --media-errors, "badblocks" as ndctl shows
 * them, from the bad-page list in the label area: for a namespace its
 * pages, offsets from the namespace start; for a region all of them,
 * offsets from the region start.  Offsets and lengths are in bytes.
 */
#include "json.h"

/**
 * pkd_badblocks_json() - add the recorded bad pages of an extent to @o
 * @o: object to add "badblock_count" (and "badblocks") to
 * @labels: loaded labels
 * @off: region offset of the extent
 * @len: bytes of the extent
 * @flags: PKD_JSON_*; PKD_JSON_MEDIA_ERRORS adds the ranges
 */
void pkd_badblocks_json(struct json_object *o, const struct pkern_labels *labels,
			u64 off, u64 len, unsigned int flags)
{
	struct json_object *a, *e;
	u64 pos = off, boff, blen;

	json_object_object_add(o, "badblock_count", json_object_new_int(
		(int)pkern_bad_count(labels, off, len)));
	if (!(flags & PKD_JSON_MEDIA_ERRORS))
		return;
	a = json_object_new_array();
	while (pkern_bad_next_range(labels, pos, off + len, &boff, &blen)) {
		e = json_object_new_object();
		json_object_object_add(e, "offset", pkd_json_hex(boff - off, flags));
		json_object_object_add(e, "length", pkd_json_size(blen, flags));
		json_object_array_add(a, e);
		pos = boff + blen;
	}
	json_object_object_add(o, "badblocks", a);
}
