/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * pkern control interface: one character device per region, /dev/pkernN.
 *
 * Every argument struct starts with @argsz (bytes the caller passes, at
 * least the size of the version it was built against) and @flags (unknown
 * bits are rejected with EINVAL), so structs can grow at the end.
 * All ioctls need CAP_SYS_ADMIN.  As in VFIO, the ioctl numbers carry no
 * size; @argsz versions the struct.
 */
#ifndef _UAPI_LINUX_PKERN_H
#define _UAPI_LINUX_PKERN_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define PKERN_IOC_MAGIC		0xB7
#define PKERN_NAME_LEN		64	/* including NUL; also the on-media name field */

/*
 * Errors.  A refusal by the label code has one errno, the same for every
 * ioctl, so a caller can tell exactly why (lib/errno.c is the table):
 *
 *   EINVAL      bad argument (name, kind, size, alignment, offset, flags)
 *   EEXIST      the name or UUID is already in use
 *   ENOSPC      no free extent large enough
 *   EDQUOT      every label slot is in use
 *   ENOENT      no such namespace
 *   ENOTEMPTY   format would drop namespaces (PKERN_FORMAT_FORCE to drop)
 *   ERANGE      region too small for the label area plus data
 *   ENXIO       region not ready (unformatted, damaged, going away)
 *   ENOMEDIUM, EPROTONOSUPPORT, EMEDIUMTYPE, EUCLEAN
 *               unformatted, unknown format version, formatted for another
 *               size, label area damaged (no valid superblock copy though
 *               one has the magic, or no valid index block)
 *   ENOBUFS     the bad-page list is full: nothing was recorded
 *   EHWPOISON   the extent holds a recorded bad page
 *               (PKERN_CREATE_ALLOW_BAD_PAGES to place it there anyway)
 *   EIO         media access failed
 *
 * The driver adds EBUSY (namespace open, mapped or held), EINTR (killed
 * while zeroing; nothing was created), EPERM, EFAULT, E2BIG (see @argsz),
 * ENOTTY and ENOMEM.
 */

/* pkern_region_info.state */
enum pkern_region_state {
	PKERN_STATE_UNFORMATTED = 0,	/* no labels; format to use */
	PKERN_STATE_READY = 1,		/* labels loaded, namespaces exposed */
	PKERN_STATE_SIZE_CHANGED = 2,	/* formatted for another size: nothing exposed */
	PKERN_STATE_VERSION = 3,	/* unknown format major: nothing exposed */
	PKERN_STATE_CORRUPT = 4,	/* superblock or index damaged: nothing exposed */
	PKERN_STATE_IO_ERROR = 5,
};

/**
 * struct pkern_region_info - PKERN_IOC_INFO (read)
 * @argsz: bytes the caller passes
 * @flags: none defined; must be zero
 * @region_id: N of pkernN and of daxN.M
 * @state: enum pkern_region_state
 * @phys_addr: start of the reserved range
 * @size: bytes of the range
 * @data_start: first data byte (label area size); 0 without a superblock
 * @available_size: free bytes at 4 KiB granularity
 * @largest_free: largest free extent, 4 KiB aligned
 * @generation: live label generation
 * @nr_namespaces: used label slots, usable or not
 * @nslots: label slots of the live superblock
 * @uuid: region UUID
 */
struct pkern_region_info {
	__u32 argsz;
	__u32 flags;
	__u32 region_id;
	__u32 state;
	__u64 phys_addr;
	__u64 size;
	__u64 data_start;
	__u64 available_size;
	__u64 largest_free;
	__u64 generation;
	__u32 nr_namespaces;
	__u32 nslots;
	__u8 uuid[16];
};

#define PKERN_FORMAT_FORCE	_BITUL(0)

/**
 * struct pkern_format - PKERN_IOC_FORMAT (write labels; read result)
 * @argsz: bytes the caller passes
 * @flags: PKERN_FORMAT_FORCE drops existing namespaces
 * @uuid: region UUID; all zero lets the kernel pick one
 * @nslots: 0 for the default
 * @nr_lost: out: namespaces that existed (format refused with ENOTEMPTY
 *	unless PKERN_FORMAT_FORCE)
 */
struct pkern_format {
	__u32 argsz;
	__u32 flags;
	__u8 uuid[16];
	__u32 nslots;
	__u32 nr_lost;
};

/* Namespace kinds; also the kind stored in a label on media */
#define PKERN_KIND_GUEST	1	/* guest memory, exposed as device-dax */
#define PKERN_KIND_IOMMU	2	/* IOMMU page-table pool */

#define PKERN_CREATE_FIXED_OFFSET	_BITUL(0)
#define PKERN_CREATE_ALLOW_BAD_PAGES	_BITUL(1)

/**
 * struct pkern_create - PKERN_IOC_CREATE
 * @argsz: bytes the caller passes
 * @flags: PKERN_CREATE_FIXED_OFFSET places the namespace at @offset;
 *	PKERN_CREATE_ALLOW_BAD_PAGES lets a guest namespace cover recorded
 *	bad pages (first fit skips them, a fixed offset over one fails with
 *	EHWPOISON); with PKERN_KIND_IOMMU it is EINVAL
 * @name: NUL-terminated
 * @uuid: all zero lets the kernel pick one; out: the UUID used
 * @kind: PKERN_KIND_*
 * @pad: zero
 * @size: bytes, a multiple of @align (guest memory: of 2 MiB too)
 * @align: 4 KiB, 2 MiB or 1 GiB
 * @offset: in with PKERN_CREATE_FIXED_OFFSET; out: where it was placed
 * @dax_region: out: N of pkernN.M (and of /dev/daxN.M for guest kind)
 * @dax_id: out: M, the namespace's label slot
 */
struct pkern_create {
	__u32 argsz;
	__u32 flags;
	char name[PKERN_NAME_LEN];
	__u8 uuid[16];
	__u32 kind;
	__u32 pad;
	__u64 size;
	__u64 align;
	__u64 offset;
	__u32 dax_region;
	__u32 dax_id;
};

#define PKERN_DESTROY_BY_UUID	_BITUL(0)	/* else by name */

/**
 * struct pkern_destroy - PKERN_IOC_DESTROY; EBUSY while open or mapped
 * @argsz: bytes the caller passes
 * @flags: PKERN_DESTROY_BY_UUID selects by @uuid, else by @name
 * @name: NUL-terminated name of a usable namespace
 * @uuid: UUID of a usable namespace
 */
struct pkern_destroy {
	__u32 argsz;
	__u32 flags;
	char name[PKERN_NAME_LEN];
	__u8 uuid[16];
};

/**
 * struct pkern_read_labels - PKERN_IOC_READ_LABELS: copy raw label-area
 * bytes so tools run the shared label code (check, inspect) on live media
 * @argsz: bytes the caller passes
 * @flags: none defined; must be zero
 * @offset: within the label area
 * @length: bytes to copy
 * @buf: user pointer to @length bytes
 */
struct pkern_read_labels {
	__u32 argsz;
	__u32 flags;
	__u64 offset;
	__u64 length;
	__u64 buf;
};

/**
 * struct pkern_repair - PKERN_IOC_REPAIR: rewrite the superblock copy that
 * is damaged, blank or older than the live one from the live copy
 * @argsz: bytes the caller passes
 * @flags: none defined; must be zero
 * @repaired: out: 1 if a copy was rewritten, 0 if both were alike
 * @reserved: must be zero
 *
 * Only the copy that is not live is written, so namespaces stay as they
 * are.  Without a valid copy nothing is written: EUCLEAN (damaged),
 * ENOMEDIUM (unformatted) or EPROTONOSUPPORT (unknown format version).
 */
struct pkern_repair {
	__u32 argsz;
	__u32 flags;
	__u32 repaired;
	__u32 reserved;
};

/**
 * struct pkern_clear_errors - PKERN_IOC_CLEAR_ERRORS: forget the recorded
 * bad pages of a range, once the memory is known to be repaired
 * @argsz: bytes the caller passes
 * @flags: none defined; must be zero
 * @offset: region offset, 4 KiB aligned, inside the data area
 * @length: bytes, a non-zero multiple of 4 KiB
 * @nr_cleared: out: pages forgotten
 * @reserved: must be zero
 *
 * The recorded pages are what the label area's bad-page list holds; the
 * tools read it with PKERN_IOC_READ_LABELS.  The kernel's own poison
 * flag on a page is not cleared: that needs the page to be offlined and
 * onlined, or a reboot.
 */
struct pkern_clear_errors {
	__u32 argsz;
	__u32 flags;
	__u64 offset;
	__u64 length;
	__u32 nr_cleared;
	__u32 reserved;
};

#define PKERN_IOC_INFO		_IO(PKERN_IOC_MAGIC, 0)
#define PKERN_IOC_FORMAT	_IO(PKERN_IOC_MAGIC, 1)
#define PKERN_IOC_CREATE	_IO(PKERN_IOC_MAGIC, 2)
#define PKERN_IOC_DESTROY	_IO(PKERN_IOC_MAGIC, 3)
#define PKERN_IOC_READ_LABELS	_IO(PKERN_IOC_MAGIC, 4)
#define PKERN_IOC_REPAIR	_IO(PKERN_IOC_MAGIC, 5)
#define PKERN_IOC_CLEAR_ERRORS	_IO(PKERN_IOC_MAGIC, 6)

#endif /* _UAPI_LINUX_PKERN_H */
