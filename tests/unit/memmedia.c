// SPDX-License-Identifier: GPL-2.0-only
/* In-memory region with fault injection; see memmedia.h. */
#include "memmedia.h"

static void mm_log(struct memmedia *mm, char type, u64 off, u64 len)
{
	if (mm->nlog < MM_LOG_MAX)
		mm->log[mm->nlog++] = (struct mm_event){ type, off, len };
}

static bool in_region(const struct memmedia *mm, u64 off, u64 len)
{
	return off <= mm->size && len <= mm->size - off;
}

static int mm_read(void *ctx, u64 off, void *buf, u64 len)
{
	struct memmedia *mm = ctx;
	u64 have = 0;

	mm->nreads++;
	if (mm->dead || mm->nreads == mm->fail_read || !in_region(mm, off, len))
		return -1;
	if (off < mm->img_len)
		have = mm->img_len - off < len ? mm->img_len - off : len;
	if (have)
		memcpy(buf, mm->img + off, have);
	memset((u8 *)buf + have, 0, len - have);
	return 0;
}

static int mm_write(void *ctx, u64 off, const void *buf, u64 len)
{
	struct memmedia *mm = ctx;

	mm->nwrites++;
	if (mm->dead || !in_region(mm, off, len) || off + len > mm->img_len)
		return -1;
	mm_log(mm, 'W', off, len);
	if (mm->nwrites == mm->fail_write) {
		memcpy(mm->img + off, buf, mm->torn_len < len ? mm->torn_len : len);
		mm->dead = true;
		return -1;
	}
	memcpy(mm->img + off, buf, len);
	return 0;
}

static int mm_persist(void *ctx, u64 off, u64 len)
{
	struct memmedia *mm = ctx;

	mm->npersists++;
	if (mm->dead || !in_region(mm, off, len))
		return -1;
	mm_log(mm, 'P', off, len);
	if (mm->npersists == mm->fail_persist) {
		mm->dead = true;
		return -1;
	}
	return 0;
}

static int mm_scrub(void *ctx, u64 off, u64 len)
{
	struct memmedia *mm = ctx;

	mm->nscrubs++;
	if (mm->dead || !in_region(mm, off, len))
		return -1;
	mm_log(mm, 'S', off, len);
	if (mm->nscrubs == mm->fail_scrub) {
		mm->dead = true;
		return -1;
	}
	if (off < mm->img_len)
		memset(mm->img + off, 0,
		       mm->img_len - off < len ? mm->img_len - off : len);
	return 0;
}

const struct pkern_media_ops mm_ops = {
	.read = mm_read,
	.write = mm_write,
	.persist = mm_persist,
	.scrub = mm_scrub,
};

void mm_reset(struct memmedia *mm)
{
	mm->fail_read = mm->fail_write = mm->fail_persist = mm->fail_scrub = 0;
	mm->torn_len = 0;
	mm->dead = false;
	mm->nreads = mm->nwrites = mm->npersists = mm->nscrubs = 0;
	mm->nlog = 0;
}

void mm_init(struct memmedia *mm, u8 *img, u64 img_len, u64 size)
{
	memset(mm, 0, sizeof(*mm));
	mm->img = img;
	mm->img_len = img_len;
	mm->size = size;
}

struct pkern_media mm_media(struct memmedia *mm)
{
	return (struct pkern_media){ .ops = &mm_ops, .ctx = mm, .size = mm->size };
}
