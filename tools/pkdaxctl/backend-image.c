// SPDX-License-Identifier: GPL-2.0-only
/*
 * Image backend: a region image updated by lib/ directly.
 *
 * A regular file is read and written with pread()/pwrite() and made
 * durable with fdatasync(), never through a mapping.  An image is usually
 * a sparse file: a store into a mapping that needs a new block gets
 * SIGBUS on a full filesystem, and on tmpfs even reading a hole through a
 * mapping allocates a page.  pwrite() fails with ENOSPC instead, which
 * lib turns into an update that left the old or the new state, and
 * pread() of a hole needs nothing.  Zeroing punches holes (a hole reads
 * as zeros and needs no space) and writes zeros only where the file
 * cannot punch them.
 *
 * A device-dax device has no read()/write(): it is mapped with libpmem
 * and made durable with pmem_persist(), and every access to the mapping
 * runs under a SIGBUS guard (a poisoned or vanished page) that turns the
 * signal into an I/O error.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <libpmem.h>

#include "backend.h"
#include "parse.h"
#include "pkdaxctl.h"

struct image {
	int fd;			/* the image, held open for I/O and flock */
	char *addr;		/* device-dax only: libpmem's mapping */
	size_t len;
	int is_pmem;
	bool is_file;		/* a regular file: pread/pwrite, no mapping */
	bool can_punch;		/* a regular file whose filesystem punches holes */
	struct pkern_media media;
};

/* One image per run: the guard state is process-wide, like the signal */
static sigjmp_buf bus_env;
static volatile sig_atomic_t bus_armed;
static struct sigaction bus_old;
static bool bus_installed;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (bus_armed) {
		bus_armed = 0;
		siglongjmp(bus_env, 1);
	}
	/* not ours: die of it as if there were no handler */
	signal(sig, SIG_DFL);
}

static void bus_guard_install(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus,
				.sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	if (!sigaction(SIGBUS, &sa, &bus_old))
		bus_installed = true;
}

static void bus_guard_remove(void)
{
	if (bus_installed)
		sigaction(SIGBUS, &bus_old, NULL);
	bus_installed = false;
}

/*
 * A store the filesystem could not back (full, quota, I/O error, file
 * truncated under us): name the likely cause for the message.
 */
static void bus_errno(const struct image *im)
{
	struct statvfs vfs;

	errno = EIO;
	if (!fstatvfs(im->fd, &vfs) && !vfs.f_bavail)
		errno = ENOSPC;
}

/* memcpy (or memset to 0 when @src is NULL) that survives SIGBUS */
static int guarded_copy(const struct image *im, void *dst, const void *src,
			size_t len)
{
	if (sigsetjmp(bus_env, 1)) {
		bus_errno(im);
		return -1;
	}
	bus_armed = 1;
	if (src)
		memcpy(dst, src, len);
	else
		memset(dst, 0, len);
	bus_armed = 0;
	return 0;
}

static bool in_range(const struct image *im, u64 off, u64 len)
{
	return off <= im->len && len <= im->len - off;
}

/* pread/pwrite all of @len: a short count is an end of file, an error */
static int file_io(int fd, bool write, void *buf, u64 len, u64 off)
{
	char *p = buf;

	while (len) {
		ssize_t n = write ? pwrite(fd, p, len, (off_t)off) :
				    pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = EIO;	/* truncated under us */
			return -1;
		}
		p += n;
		off += (u64)n;
		len -= (u64)n;
	}
	return 0;
}

static int img_read(void *ctx, u64 off, void *buf, u64 len)
{
	struct image *im = ctx;

	if (!in_range(im, off, len))
		return -1;
	if (im->is_file)
		return file_io(im->fd, false, buf, len, off);
	return guarded_copy(im, buf, im->addr + off, len);
}

static int img_write(void *ctx, u64 off, const void *buf, u64 len)
{
	struct image *im = ctx;

	if (!in_range(im, off, len))
		return -1;
	if (im->is_file)
		return file_io(im->fd, true, (void *)buf, len, off);
	return guarded_copy(im, im->addr + off, buf, len);
}

static int img_persist(void *ctx, u64 off, u64 len)
{
	struct image *im = ctx;

	if (!in_range(im, off, len))
		return -1;
	if (im->is_file)
		return fdatasync(im->fd) ? -1 : 0;
	if (im->is_pmem) {
		pmem_persist(im->addr + off, len);
		return 0;
	}
	return pmem_msync(im->addr + off, len) ? -1 : 0;
}

/* Where holes cannot be punched: write zeros, a block at a time */
static int file_zero(struct image *im, u64 off, u64 len)
{
	static char zeros[64 * 1024];
	u64 done = 0;
	int rc = 0;

	pkd_progress_start(len);
	while (done < len) {
		u64 n = len - done < sizeof(zeros) ? len - done : sizeof(zeros);

		if (file_io(im->fd, true, zeros, n, off + done)) {
			rc = -1;
			break;
		}
		done += n;
		if (!(done % (16 << 20)) || done == len)
			pkd_progress(done);
	}
	pkd_progress_end();
	if (rc)
		return rc;
	return fdatasync(im->fd) ? -1 : 0;
}

/*
 * Zero an extent by punching it out of the file: no block is written, so
 * it works on a full filesystem and leaves a sparse image sparse.  Only
 * where the file cannot punch holes (a device, or a filesystem without
 * FALLOC_FL_PUNCH_HOLE) are zeros stored.
 */
static int img_scrub(void *ctx, u64 off, u64 len)
{
	struct image *im = ctx;

	if (!in_range(im, off, len))
		return -1;
	if (im->can_punch) {
		if (!fallocate(im->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       (off_t)off, (off_t)len))
			return fdatasync(im->fd) ? -1 : 0;
		if (errno != EOPNOTSUPP && errno != ENOSYS)
			return -1;
		im->can_punch = false;
	}
	if (im->is_file)
		return file_zero(im, off, len);
	if (guarded_copy(im, im->addr + off, NULL, len))
		return -1;
	return img_persist(ctx, off, len);
}

static const struct pkern_media_ops img_media_ops = {
	.read = img_read,
	.write = img_write,
	.persist = img_persist,
	.scrub = img_scrub,
};

/* A reader's media: lib refuses every update on it */
static const struct pkern_media_ops img_ro_media_ops = {
	.read = img_read,
};

/*
 * lib leaves @labels describing the image after every update, successful or
 * not; only the derived space figures need refreshing.
 */
static int img_format(struct pkd_region *r, const struct pkern_format_params *p,
		      u32 *nr_lost)
{
	struct image *im = r->priv;
	int rc = pkern_format(r->labels, &im->media, p);

	if (rc == -PKERN_E_HAS_LABELS)
		*nr_lost = r->labels->nr_used;
	if (rc == -PKERN_E_IO)
		r->sys_errno = errno;
	pkd_region_refresh_space(r);
	return rc;
}

static int img_create(struct pkd_region *r, const struct pkern_create_params *p,
		      u32 *slot)
{
	const struct pkern_ns *ns;
	int rc = pkern_create(r->labels, p, &ns);

	if (!rc)
		*slot = ns->slot;
	if (rc == -PKERN_E_IO)
		r->sys_errno = errno;
	pkd_region_refresh_space(r);
	return rc;
}

static int img_destroy(struct pkd_region *r, const struct pkern_ns *ns)
{
	int rc = pkern_destroy(r->labels, ns->slot);

	if (rc == -PKERN_E_IO)
		r->sys_errno = errno;
	pkd_region_refresh_space(r);
	return rc;
}

static int img_repair(struct pkd_region *r)
{
	struct image *im = r->priv;
	int rc = pkern_repair(r->labels, &im->media);

	if (rc == -PKERN_E_IO)
		r->sys_errno = errno;
	pkd_region_refresh_space(r);
	return rc;
}

static int img_clear_errors(struct pkd_region *r, u64 off, u64 len)
{
	int rc = pkern_bad_clear(r->labels, off, len);

	if (rc == -PKERN_E_IO)
		r->sys_errno = errno;
	pkd_region_refresh_space(r);
	return rc;
}

static void img_close(struct pkd_region *r)
{
	struct image *im = r->priv;

	if (im) {
		if (im->addr)
			pmem_unmap(im->addr, im->len);
		if (im->fd >= 0)
			close(im->fd);
		free(im);
		bus_guard_remove();
	}
	free(r->labels);
	free(r->dev);
	free(r);
}

static const struct pkd_backend_ops img_ops = {
	.format = img_format,
	.create = img_create,
	.destroy = img_destroy,
	.repair = img_repair,
	.clear_errors = img_clear_errors,
	.close = img_close,
};

/* Smallest region lib can format: the minimum label area plus one granule */
static u64 min_region_size(void)
{
	return pkern_label_area_size(PKERN_MIN_SLOTS) + PKERN_GRANULE;
}

static int check_size(const char *path, u64 size, bool creating)
{
	char h[64];

	if (size < min_region_size()) {
		pkd_human_size(min_region_size(), h, sizeof(h));
		pkd_err("%s %s is %llu bytes, too small for a pkern region; it needs at least %llu bytes (%s)",
		       creating ? "--size for" : "image", path,
		       (unsigned long long)size,
		       (unsigned long long)min_region_size(), h);
		return -1;
	}
	if (size % PKERN_GRANULE) {
		pkd_err("%s %s is %llu bytes, not a multiple of 4096; %s",
		       creating ? "--size for" : "image", path,
		       (unsigned long long)size,
		       creating ? "round it to 4K" :
		       "truncate or extend it to a multiple of 4096");
		return -1;
	}
	return 0;
}

/* What a path that is not a regular file is, for a message */
static const char *file_kind(const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return "a directory";
	if (S_ISCHR(st->st_mode))
		return "a character device";
	if (S_ISBLK(st->st_mode))
		return "a block device";
	if (S_ISFIFO(st->st_mode))
		return "a FIFO";
	if (S_ISSOCK(st->st_mode))
		return "a socket";
	return "not a regular file";
}

/* A device-dax character device, which libpmem maps as a whole */
static bool is_devdax(const struct stat *st)
{
	char path[64], target[PATH_MAX];
	const char *base;
	ssize_t n;

	if (!S_ISCHR(st->st_mode))
		return false;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/subsystem",
		 major(st->st_rdev), minor(st->st_rdev));
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	base = strrchr(target, '/');
	return base && !strcmp(base + 1, "dax");
}

/*
 * A regular file is opened, not mapped (see the top of this file); a
 * reader opens it read-only, so a 0444 image or an unprivileged reader
 * works.
 */
static int open_file(const char *path, bool readonly, struct image *im)
{
	struct stat st;

	im->fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (im->fd < 0 || fstat(im->fd, &st)) {
		pkd_err("cannot open image %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		pkd_err("image %s is %s, not a region image file or a device-dax device",
			path, file_kind(&st));
		return -1;
	}
	if (check_size(path, (u64)st.st_size, false))
		return -1;
	im->len = (size_t)st.st_size;
	im->is_file = true;
	return 0;
}

/* A new image is a sparse file: its blocks are allocated as labels land */
static int create_file(const char *path, u64 size, struct image *im,
		       bool *created)
{
	im->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (im->fd < 0) {
		pkd_err("cannot create image %s: %s", path, strerror(errno));
		return -1;
	}
	if (ftruncate(im->fd, (off_t)size)) {
		pkd_err("cannot make image %s %llu bytes: %s; nothing was created",
			path, (unsigned long long)size, strerror(errno));
		unlink(path);
		return -1;
	}
	*created = true;
	im->len = (size_t)size;
	im->is_file = true;
	return 0;
}

static int map_devdax(const char *path, struct image *im)
{
	errno = 0;
	im->addr = pmem_map_file(path, 0, 0, 0, &im->len, &im->is_pmem);
	if (!im->addr) {
		const char *why = pmem_errormsg();

		pkd_err("cannot map image %s: %s", path,
			why && *why ? why : strerror(errno ? errno : EINVAL));
		return -1;
	}
	return check_size(path, im->len, false);
}

static int open_image(const char *path, u64 create_size, bool readonly,
		      struct image *im, bool *created)
{
	struct stat st;

	if (stat(path, &st) == 0) {
		if (create_size && S_ISREG(st.st_mode) &&
		    (u64)st.st_size != create_size) {
			pkd_err("image %s already exists with %llu bytes, not --size %llu; drop --size to use it or remove the file",
			       path, (unsigned long long)st.st_size,
			       (unsigned long long)create_size);
			return -1;
		}
		if (S_ISREG(st.st_mode))
			return open_file(path, readonly, im);
		if (!is_devdax(&st)) {
			pkd_err("image %s is %s, not a region image file or a device-dax device",
				path, file_kind(&st));
			return -1;
		}
		return map_devdax(path, im);
	}
	if (errno == ENOENT && create_size) {
		if (check_size(path, create_size, true))
			return -1;
		return create_file(path, create_size, im, created);
	}
	if (errno == ENOENT)
		pkd_err("image %s does not exist; create it with: pkdaxctl init-labels --image %s --size SIZE",
		       path, path);
	else
		pkd_err("cannot access image %s: %s", path, strerror(errno));
	return -1;
}

int pkd_image_open(const struct pkd_target *t, struct pkd_region **out)
{
	const char *path = t->image;
	struct pkd_region *r = calloc(1, sizeof(*r));
	struct image *im = calloc(1, sizeof(*im));
	int rc;

	if (!r || !im) {
		free(r);
		free(im);
		pkd_err("out of memory");
		return -1;
	}
	im->fd = -1;
	r->ops = &img_ops;
	r->priv = im;
	r->id = -1;
	r->dev = strdup(path);
	r->labels = calloc(1, sizeof(*r->labels));
	if (!r->dev || !r->labels) {
		pkd_err("out of memory");
		goto fail;
	}
	if (open_image(path, t->create_size, t->readonly, im, &r->created))
		goto fail;
	/* the lock is on the descriptor the command works through */
	if (im->fd < 0)
		im->fd = open(path, (t->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (im->fd < 0) {
		pkd_err("cannot open image %s: %s", path, strerror(errno));
		goto fail;
	}
	if (pkd_lock_image(im->fd, t))
		goto fail;
	im->can_punch = !t->readonly && im->is_file;
	if (!im->is_file)
		bus_guard_install();
	im->media.ops = t->readonly ? &img_ro_media_ops : &img_media_ops;
	im->media.ctx = im;
	im->media.size = im->len;
	r->size = im->len;
	r->media = &im->media;
	errno = 0;
	rc = pkern_load(r->labels, &im->media);
	if (rc == -PKERN_E_IO) {
		pkd_err("cannot read labels of image %s: %s", path,
			strerror(errno ? errno : EIO));
		goto fail;
	}
	pkd_region_refresh_space(r);
	*out = r;
	return 0;
fail:
	/* a file this run created must not stay behind */
	if (r->created)
		unlink(path);
	img_close(r);
	return -1;
}
