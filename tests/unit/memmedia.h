/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * In-memory region for tests and the fuzzer, with fault injection.
 *
 * The image buffer may be shorter than the region: reads past it return
 * zeroes, scrubs past it are recorded and ignored, writes past it fail.
 * Faults model a crash: write number fail_write lands only its first
 * torn_len bytes, or persist number fail_persist fails; from then on every
 * callback fails, as if the machine had stopped.
 */
#ifndef MEMMEDIA_H
#define MEMMEDIA_H

#include "pkern_label.h"

#define MM_LOG_MAX 64

struct mm_event {
	char type;	/* 'W'rite, 'P'ersist, 'S'crub */
	u64 off;
	u64 len;
};

struct memmedia {
	u8 *img;
	u64 img_len;
	u64 size;
	/* fault injection (1-based counts, 0 = never) */
	long fail_read;
	long fail_write;
	u64 torn_len;
	long fail_persist;
	long fail_scrub;
	bool dead;
	/* counters and the event log */
	long nreads, nwrites, npersists, nscrubs;
	int nlog;
	struct mm_event log[MM_LOG_MAX];
};

void mm_init(struct memmedia *mm, u8 *img, u64 img_len, u64 size);
/* Clear counters, log and faults (the image is kept). */
void mm_reset(struct memmedia *mm);
struct pkern_media mm_media(struct memmedia *mm);

extern const struct pkern_media_ops mm_ops;

#endif /* MEMMEDIA_H */
