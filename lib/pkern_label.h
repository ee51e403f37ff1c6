/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * pkern label operations: the one implementation of the on-media format,
 * shared by dax_pkern.ko and the userspace tools.
 *
 * The caller owns all memory (struct pkern_labels is large; allocate it,
 * do not put it on a kernel stack) and supplies the media through
 * struct pkern_media_ops, so the kernel mapping, a file image and a
 * fault-injecting test backend all run the same code.
 *
 * Functions return 0 or a negative PKERN_E_* code; pkern_strerror() names
 * it and pkern_errno() gives the errno that reports it across the ioctl
 * boundary.  Media contents are untrusted: nothing read from media is
 * used before it has been checked.
 *
 * State after an update: pkern_format(), pkern_create() and
 * pkern_destroy() leave struct pkern_labels describing what the media
 * holds, whatever they return.  A refusal writes nothing and changes
 * nothing; a failed scrub (-PKERN_E_IO) happens before a new label is
 * written or after the index committed, so the state in memory is still
 * the media's; after a failed label write or persist (-PKERN_E_IO) the
 * region has been loaded again from the media, exactly as by pkern_load()
 * (which may itself find the media unreadable: then @status says so).
 * Callers never have to re-read the media to recover.
 */
#ifndef PKERN_LABEL_H
#define PKERN_LABEL_H

#include "pkern_format.h"

/**
 * enum pkern_err - error codes, returned negated
 * @PKERN_OK: success
 * @PKERN_E_IO: a media callback failed
 * @PKERN_E_UNFORMATTED: no valid superblock
 * @PKERN_E_VERSION: live superblock has an unknown major
 * @PKERN_E_SIZE_CHANGED: formatted for a different region size
 * @PKERN_E_CORRUPT: labels present but unreadable: a superblock copy has
 *	the magic but none is valid, or no index block is usable
 * @PKERN_E_INVAL: bad request argument
 * @PKERN_E_EXIST: name or UUID already in use
 * @PKERN_E_NOSPC: no free extent large enough
 * @PKERN_E_NOSLOT: every label slot is in use
 * @PKERN_E_NOENT: no such namespace
 * @PKERN_E_HAS_LABELS: format would drop live namespaces
 * @PKERN_E_TOO_SMALL: region cannot hold labels plus data
 * @PKERN_E_STATE: operation needs a loaded, usable region
 * @PKERN_E_BADFULL: the bad-page list has no room for the new pages
 * @PKERN_E_BADPAGE: the requested extent holds a recorded bad page
 * @PKERN_E_MAX: number of codes
 */
enum pkern_err {
	PKERN_OK = 0,
	PKERN_E_IO,		/* a media callback failed */
	PKERN_E_UNFORMATTED,	/* no valid superblock */
	PKERN_E_VERSION,	/* live superblock has an unknown major */
	PKERN_E_SIZE_CHANGED,	/* formatted for a different region size */
	PKERN_E_CORRUPT,	/* damaged superblock or no usable index block */
	PKERN_E_INVAL,		/* bad request argument */
	PKERN_E_EXIST,		/* name or UUID already in use */
	PKERN_E_NOSPC,		/* no free extent large enough */
	PKERN_E_NOSLOT,		/* every label slot is in use */
	PKERN_E_NOENT,		/* no such namespace */
	PKERN_E_HAS_LABELS,	/* format would drop live namespaces */
	PKERN_E_TOO_SMALL,	/* region cannot hold labels plus data */
	PKERN_E_STATE,		/* operation needs a loaded, usable region */
	PKERN_E_BADFULL,	/* bad-page list full: nothing recorded */
	PKERN_E_BADPAGE,	/* extent holds a recorded bad page */
	PKERN_E_MAX
};

/* Problems found on media; 0 means "none" */
enum pkern_problem_code {
	PKERN_P_NONE = 0,
	/* superblock copies */
	PKERN_P_SB_CRC,		/* magic present, checksum wrong */
	PKERN_P_SB_VERSION,	/* unknown major version */
	PKERN_P_SB_GEOMETRY,	/* fields describe an impossible layout */
	PKERN_P_SB_SIZE_CHANGED, /* region size differs from the recorded one */
	PKERN_P_SB_NONE,	/* no valid superblock copy: unformatted */
	/* index blocks */
	PKERN_P_IDX_CRC,	/* magic present, checksum wrong */
	PKERN_P_IDX_BITMAP,	/* bits beyond nslots, or nr_used mismatch */
	PKERN_P_IDX_NONE,	/* no valid index block for the superblock */
	/* labels in slots the live index marks used */
	PKERN_P_LBL_CRC,
	PKERN_P_LBL_UUID,	/* all-zero UUID */
	PKERN_P_LBL_NAME,	/* empty, unterminated or bad characters */
	PKERN_P_LBL_KIND,	/* unknown kind: kept, never exposed */
	PKERN_P_LBL_FLAGS,	/* unknown incompatible flags */
	PKERN_P_LBL_ALIGN,	/* alignment not 4 KiB, 2 MiB or 1 GiB */
	PKERN_P_LBL_SIZE,	/* zero, or not a multiple of the alignment */
	PKERN_P_LBL_MISALIGNED,	/* offset not a multiple of the alignment */
	PKERN_P_LBL_OVERFLOW,	/* offset + size wraps */
	PKERN_P_LBL_LABEL_AREA,	/* starts inside the label area */
	PKERN_P_LBL_BEYOND,	/* ends past the end of the region */
	PKERN_P_LBL_FUTURE_GEN,	/* created after the live generation */
	PKERN_P_LBL_OVERLAP,	/* overlaps an older namespace (other) */
	PKERN_P_LBL_DUP_NAME,	/* name of an older namespace (other) */
	PKERN_P_LBL_DUP_UUID,	/* UUID of an older namespace (other) */
	/* later additions; the values above are kept */
	PKERN_P_SB_DAMAGED,	/* no valid copy, but one has the magic */
	PKERN_P_SB_BLANK,	/* this copy is blank, the other one is live */
	PKERN_P_SB_STALE,	/* valid, but older than the live copy */
	PKERN_P_IDX_BADLIST,	/* bad-page list unsorted, too long or outside */
	PKERN_P_MAX
};

/**
 * enum pkern_severity - how bad a problem is
 * @PKERN_SEV_WARN: redundancy lost; nothing unusable
 * @PKERN_SEV_ERROR: a namespace or the region is unusable
 */
enum pkern_severity {
	PKERN_SEV_WARN,		/* redundancy lost; nothing unusable */
	PKERN_SEV_ERROR,	/* a namespace or the region is unusable */
};

/**
 * enum pkern_where - where a problem was found
 * @PKERN_AT_SB0: superblock copy 0
 * @PKERN_AT_SB1: superblock copy 1
 * @PKERN_AT_IDX0: index block 0
 * @PKERN_AT_IDX1: index block 1
 * @PKERN_AT_SLOT: a label slot (struct pkern_problem.slot)
 * @PKERN_AT_REGION: the region as a whole
 */
enum pkern_where {
	PKERN_AT_SB0, PKERN_AT_SB1, PKERN_AT_IDX0, PKERN_AT_IDX1,
	PKERN_AT_SLOT, PKERN_AT_REGION,
};

/**
 * struct pkern_problem - one finding of pkern_load_report()
 * @code: what is wrong
 * @severity: PKERN_SEV_*
 * @where: PKERN_AT_*
 * @slot: label slot, for PKERN_AT_SLOT
 * @other: slot of the older conflicting label (overlap/duplicates)
 * @value: a number that explains it (e.g. recorded region size)
 */
struct pkern_problem {
	enum pkern_problem_code code;
	enum pkern_severity severity;
	enum pkern_where where;
	u32 slot;
	u32 other;
	u64 value;
};

/* Called by pkern_load_report() once per problem found */
typedef void (*pkern_report_fn)(void *arg, const struct pkern_problem *p);

/**
 * struct pkern_media_ops - how the label code reaches the region
 * @read: copy @len bytes at region offset @off into @buf
 * @write: copy @len bytes into the region (not yet durable)
 * @persist: make the range durable; writes before it may be torn
 * @scrub: optional; zero a data-area extent (new or destroyed namespace)
 *
 * Each returns 0 or a negative value; any failure aborts the operation
 * with -PKERN_E_IO, leaving the media in its old or new state.
 */
struct pkern_media_ops {
	int (*read)(void *ctx, u64 off, void *buf, u64 len);
	int (*write)(void *ctx, u64 off, const void *buf, u64 len);
	int (*persist)(void *ctx, u64 off, u64 len);
	int (*scrub)(void *ctx, u64 off, u64 len);
};

/**
 * struct pkern_media - a region as seen by the label code
 * @ops: callbacks
 * @ctx: passed to every callback
 * @size: size of the region in bytes
 */
struct pkern_media {
	const struct pkern_media_ops *ops;
	void *ctx;
	u64 size;
};

/**
 * struct pkern_sb_info - decoded superblock copy
 * @problem: PKERN_P_NONE if this copy is valid, else why not;
 *	PKERN_P_SB_NONE if the block is blank (no magic)
 * @major: format major version
 * @minor: format minor version
 * @seq: format sequence
 * @region_size: region size the label area was formatted for
 * @label_size: bytes used by labels
 * @data_start: first byte of the data area
 * @granule: allocation granule of the data area
 * @slot_size: bytes per label slot
 * @nslots: number of label slots
 * @uuid: region UUID
 */
struct pkern_sb_info {
	enum pkern_problem_code problem;
	u16 major, minor;
	u64 seq;
	u64 region_size;
	u64 label_size;
	u64 data_start;
	u64 granule;
	u32 slot_size;
	u32 nslots;
	u8 uuid[PKERN_UUID_LEN];
};

/**
 * struct pkern_index_info - decoded index block
 * @problem: PKERN_P_NONE if valid; PKERN_P_IDX_NONE if blank or bound to
 *	another superblock (stale), else the checksum/bitmap problem
 * @generation: update generation of the block
 * @sb_seq: superblock sequence the block is bound to
 * @nslots: slot count recorded in the block
 * @nr_used: used-slot count recorded in the block
 * @nr_bad: bad-page count recorded in the block
 */
struct pkern_index_info {
	enum pkern_problem_code problem;
	u64 generation;
	u64 sb_seq;
	u32 nslots;
	u32 nr_used;
	u32 nr_bad;
};

/**
 * struct pkern_ns - a decoded label in a used slot
 * @uuid: namespace UUID
 * @name: NUL-terminated name (as found; may be invalid if @problem says so)
 * @kind: PKERN_KIND_* value
 * @flags: label flags
 * @offset: start of the extent, from the start of the region
 * @size: bytes of the extent
 * @align: the label's alignment
 * @create_gen: index generation that first made the label live
 * @slot: label slot
 * @other: conflicting slot for overlap/duplicate problems
 * @problem: PKERN_P_NONE when usable, else the first reason it is not
 */
struct pkern_ns {
	u8 uuid[PKERN_UUID_LEN];
	char name[PKERN_NAME_LEN];
	u32 kind;
	u32 flags;
	u64 offset;
	u64 size;
	u64 align;
	u64 create_gen;
	u32 slot;
	u32 other;
	enum pkern_problem_code problem;
};

/**
 * struct pkern_labels - in-memory state of one region
 * @media: the media it was loaded from
 * @status: 0 or the negative error of the last load
 * @sb: both superblock copies as found
 * @active_sb: index into @sb of the live copy, or -1
 * @index: both index blocks as found
 * @active_index: index into @index of the live block, or -1
 * @generation: live index generation
 * @bitmap: live slot bitmap
 * @nr_used: used slots (usable or not)
 * @nr_bad: recorded bad pages
 * @bad: recorded bad pages as region offset / 4 KiB, ascending
 * @ns: decoded labels, indexed by slot; valid for used slots only
 * @buf: scratch space for block I/O and for sorting during validation
 *	(keeps kernel stacks small)
 * @buf.index: an index block being read or written
 * @buf.sb: a superblock copy being read or written
 * @buf.label: a label being read or written
 * @buf.order: slot numbers being sorted
 *
 * Filled by pkern_load() and pkern_format(); kept equal to what the media
 * holds by every update, successful or not (see the top of this file).
 */
struct pkern_labels {
	struct pkern_media media;
	int status;
	struct pkern_sb_info sb[2];
	int active_sb;
	struct pkern_index_info index[2];
	int active_index;
	u64 generation;
	u8 bitmap[PKERN_BITMAP_BYTES];
	u32 nr_used;
	u32 nr_bad;
	u64 bad[PKERN_MAX_BAD];
	struct pkern_ns ns[PKERN_MAX_SLOTS];
	union {
		struct pkern_index index;
		struct pkern_sb sb;
		struct pkern_label label;
		u16 order[PKERN_MAX_SLOTS];
	} buf;
};

/**
 * struct pkern_format_params - what pkern_format() writes
 * @uuid: region UUID (caller generates it; must not be all zero)
 * @nslots: label slots, PKERN_MIN_SLOTS..PKERN_MAX_SLOTS, multiple of 8;
 *	0 selects PKERN_DEFAULT_SLOTS
 * @force: format even if namespaces (or an unreadable format) exist
 */
struct pkern_format_params {
	u8 uuid[PKERN_UUID_LEN];
	u32 nslots;
	bool force;
};

#define PKERN_OFFSET_ANY	(~0ULL)

/* Guest memory starts and ends on this (see pkern_place_align()) */
#define PKERN_GUEST_PLACE_ALIGN	PKERN_ALIGN_2M

/**
 * struct pkern_create_params - a namespace to create
 * @name: 1..63 characters from [A-Za-z0-9_.:+@-], first one alphanumeric
 * @uuid: namespace UUID (caller generates it; not all zero)
 * @kind: PKERN_KIND_GUEST or PKERN_KIND_IOMMU
 * @size: bytes, a non-zero multiple of @align
 * @align: PKERN_ALIGN_4K, _2M or _1G
 * @offset: PKERN_OFFSET_ANY for first fit, else the exact offset wanted
 * @place_align: 0, or a power of two that the extent's start and size
 *	must also be multiples of; only matters when larger than @align.
 *	Set it to pkern_place_align(@kind, @align) for media that will be
 *	exposed; the label records only @align
 * @allow_bad: place the extent over recorded bad pages too; without it
 *	first fit skips them and a fixed @offset over one is refused.  Guest
 *	memory only: page-table pools never cover a recorded page
 */
struct pkern_create_params {
	const char *name;
	u8 uuid[PKERN_UUID_LEN];
	u32 kind;
	u64 size;
	u64 align;
	u64 offset;
	u64 place_align;
	bool allow_bad;
};

/* Label-area size (== data start) for a slot count. */
u64 pkern_label_area_size(u32 nslots);

int pkern_load(struct pkern_labels *r, const struct pkern_media *m);
int pkern_load_report(struct pkern_labels *r, const struct pkern_media *m,
		      pkern_report_fn report, void *arg);
int pkern_format(struct pkern_labels *r, const struct pkern_media *m,
		 const struct pkern_format_params *p);
int pkern_repair(struct pkern_labels *r, const struct pkern_media *m);
int pkern_create(struct pkern_labels *r, const struct pkern_create_params *p,
		 const struct pkern_ns **out);
int pkern_destroy(struct pkern_labels *r, u32 slot);
u64 pkern_place_align(u32 kind, u64 align);

int pkern_bad_add(struct pkern_labels *r, u64 off, u64 len);
int pkern_bad_clear(struct pkern_labels *r, u64 off, u64 len);
u32 pkern_bad_count(const struct pkern_labels *r, u64 off, u64 len);
bool pkern_bad_next_range(const struct pkern_labels *r, u64 from, u64 to,
			  u64 *off, u64 *len);

const struct pkern_ns *pkern_find_name(const struct pkern_labels *r,
				       const char *name);
const struct pkern_ns *pkern_find_uuid(const struct pkern_labels *r,
				       const u8 *uuid);
const struct pkern_ns *pkern_ns_next(const struct pkern_labels *r,
				     const struct pkern_ns *prev);
bool pkern_ns_usable(const struct pkern_ns *ns);
bool pkern_name_valid(const char *name);
u64 pkern_free_bytes(const struct pkern_labels *r, u64 align, u64 *largest);

const char *pkern_strerror(int err);
const char *pkern_problem_str(enum pkern_problem_code code);
const char *pkern_kind_str(u32 kind);
const char *pkern_state_str(u32 state);
const char *pkern_where_str(enum pkern_where where);
u32 pkern_uapi_state(int status);
int pkern_errno(int err);
int pkern_err_from_errno(int errnum);

#define pkern_for_each_ns(r, ns) \
	for ((ns) = pkern_ns_next((r), NULL); (ns); (ns) = pkern_ns_next((r), (ns)))

#endif /* PKERN_LABEL_H */
