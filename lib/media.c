// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Media access: every read is bounds-checked against the region before
 * the callback runs, every update is a write followed by a persist.
 */
#include "pkern_lib.h"

/**
 * pk_read() - read a range that must lie inside the region
 * @r: region (uses @r->media)
 * @off: region offset
 * @buf: destination
 * @len: bytes
 *
 * Return: 0, or -PKERN_E_IO if the range is outside the region or the
 * callback failed.
 */
int pk_read(const struct pkern_labels *r, u64 off, void *buf, u64 len)
{
	const struct pkern_media *m = &r->media;

	if (off > m->size || len > m->size - off)
		return -PKERN_E_IO;
	if (m->ops->read(m->ctx, off, buf, len))
		return -PKERN_E_IO;
	return 0;
}

/**
 * pk_commit() - write a range and make it durable
 * @r: region (uses @r->media)
 * @off: region offset
 * @buf: source
 * @len: bytes
 *
 * Return: 0, or -PKERN_E_IO if the write or the persist failed.
 */
int pk_commit(const struct pkern_labels *r, u64 off, const void *buf, u64 len)
{
	const struct pkern_media *m = &r->media;

	if (off > m->size || len > m->size - off)
		return -PKERN_E_IO;
	if (m->ops->write(m->ctx, off, buf, len))
		return -PKERN_E_IO;
	if (m->ops->persist(m->ctx, off, len))
		return -PKERN_E_IO;
	return 0;
}
