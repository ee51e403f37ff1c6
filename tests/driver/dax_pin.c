// SPDX-License-Identifier: GPL-2.0-only
/*
 * dax_pin DEV SIZE CMD: pin the first SIZE bytes of device-dax DEV
 * long-term (FOLL_PIN | FOLL_LONGTERM, as VFIO does) by registering them
 * as an io_uring fixed buffer, then unmap them and close DEV, so only the
 * pin is left, and run CMD (sh -c).  Then unregister the buffer, which
 * drops the pins before this returns, and exit with CMD's status.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "dax_pin: %s: %s\n", what, strerror(errno));
	exit(2);
}

int main(int argc, char **argv)
{
	struct io_uring_params p = { 0 };
	struct iovec iov;
	unsigned long long size;
	char *end;
	int fd, ring, rc;

	if (argc != 4) {
		fputs("usage: dax_pin DEV SIZE CMD\n", stderr);
		return 2;
	}
	size = strtoull(argv[2], &end, 0);
	if (*end || !size) {
		fputs("dax_pin: bad SIZE\n", stderr);
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0)
		die(argv[1]);
	iov.iov_len = size;
	iov.iov_base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			    fd, 0);
	if (iov.iov_base == MAP_FAILED)
		die("mmap");
	ring = (int)syscall(__NR_io_uring_setup, 1, &p);
	if (ring < 0)
		die("io_uring_setup");
	if (syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS,
		    &iov, 1))
		die("registering the mapping as a fixed buffer");
	if (munmap(iov.iov_base, size) || close(fd))
		die("unmapping and closing");
	printf("dax_pin: %s pinned, unmapped and closed\n", argv[1]);
	fflush(stdout);
	rc = system(argv[3]);
	if (syscall(__NR_io_uring_register, ring, IORING_UNREGISTER_BUFFERS,
		    NULL, 0))
		die("unregistering the fixed buffer");
	close(ring);
	printf("dax_pin: %s unpinned\n", argv[1]);
	return rc == -1 || !WIFEXITED(rc) ? 2 : WEXITSTATUS(rc);
}
