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

#include <linux/types.h>
#include <linux/ioctl.h>

#define PKERN_IOC_MAGIC		0xB7
#define PKERN_NAME_MAX		64	/* including NUL */

/* pkern_region_info.state */
enum pkern_region_state {
	PKERN_STATE_UNFORMATTED = 0,	/* no labels; format to use */
	PKERN_STATE_READY = 1,		/* labels loaded, namespaces exposed */
	PKERN_STATE_SIZE_CHANGED = 2,	/* formatted for another size: nothing exposed */
	PKERN_STATE_VERSION = 3,	/* unknown format major: nothing exposed */
	PKERN_STATE_CORRUPT = 4,	/* no usable index block: nothing exposed */
	PKERN_STATE_IO_ERROR = 5,
};

/**
 * struct pkern_region_info - PKERN_IOC_INFO (read)
 */
struct pkern_region_info {
	__u32 argsz;
	__u32 flags;
	__u32 region_id;	/* N of pkernN and of daxN.M */
	__u32 state;		/* enum pkern_region_state */
	__u64 phys_addr;	/* start of the reserved range */
	__u64 size;		/* bytes of the range */
	__u64 data_start;	/* first data byte (label area size) */
	__u64 available_size;	/* free bytes at 4 KiB granularity */
	__u64 largest_free;	/* largest free extent, 4 KiB aligned */
	__u64 generation;	/* live label generation */
	__u32 nr_namespaces;	/* used label slots, usable or not */
	__u32 nslots;
	__u8 uuid[16];
};

#define PKERN_FORMAT_FORCE	(1U << 0)

/**
 * struct pkern_format - PKERN_IOC_FORMAT (write labels; read result)
 * @uuid: region UUID; all zero lets the kernel pick one
 * @nslots: 0 for the default
 * @nr_lost: out: namespaces that existed (format refused with EEXIST
 *	unless PKERN_FORMAT_FORCE)
 */
struct pkern_format {
	__u32 argsz;
	__u32 flags;
	__u8 uuid[16];
	__u32 nslots;
	__u32 nr_lost;
};

#define PKERN_KIND_GUEST_MEM	1
#define PKERN_KIND_IOMMU_POOL	2

#define PKERN_CREATE_FIXED_OFFSET	(1U << 0)

/**
 * struct pkern_create - PKERN_IOC_CREATE
 * @name: NUL-terminated
 * @uuid: all zero lets the kernel pick one
 * @kind: PKERN_KIND_*
 * @size, @align: bytes; align 4 KiB, 2 MiB or 1 GiB
 * @offset: in with PKERN_CREATE_FIXED_OFFSET; out: where it was placed
 * @dax_region, @dax_id: out: /dev/dax<dax_region>.<dax_id> for guest kind
 */
struct pkern_create {
	__u32 argsz;
	__u32 flags;
	char name[PKERN_NAME_MAX];
	__u8 uuid[16];
	__u32 kind;
	__u32 pad;
	__u64 size;
	__u64 align;
	__u64 offset;
	__u32 dax_region;
	__u32 dax_id;
};

#define PKERN_DESTROY_BY_UUID	(1U << 0)	/* else by name */

/**
 * struct pkern_destroy - PKERN_IOC_DESTROY; EBUSY while open or mapped
 */
struct pkern_destroy {
	__u32 argsz;
	__u32 flags;
	char name[PKERN_NAME_MAX];
	__u8 uuid[16];
};

/**
 * struct pkern_read_labels - PKERN_IOC_READ_LABELS: copy raw label-area
 * bytes so tools run the shared label code (check, inspect) on live media
 */
struct pkern_read_labels {
	__u32 argsz;
	__u32 flags;
	__u64 offset;		/* within the label area */
	__u64 length;
	__u64 buf;		/* user pointer */
};

#define PKERN_IOC_INFO		_IO(PKERN_IOC_MAGIC, 0)
#define PKERN_IOC_FORMAT	_IO(PKERN_IOC_MAGIC, 1)
#define PKERN_IOC_CREATE	_IO(PKERN_IOC_MAGIC, 2)
#define PKERN_IOC_DESTROY	_IO(PKERN_IOC_MAGIC, 3)
#define PKERN_IOC_READ_LABELS	_IO(PKERN_IOC_MAGIC, 4)

#endif /* _UAPI_LINUX_PKERN_H */
