// SPDX-License-Identifier: GPL-2.0
/*
 * Direct-read latency of an IIO sysfs attribute, for the arm benchmark
 * (scripts/bench-iio.sh): reads FILE (e.g. in_voltage0_raw) N times with
 * pread() on one open descriptor, timing each read on CLOCK_MONOTONIC, and
 * prints one line:
 *
 *   reads N errors E median_ns M p90_ns P min_ns A max_ns B last VALUE
 *
 * over the successful reads; a failed read is counted in E (and its errno
 * printed once). Exit status 1 if no read succeeds.
 *
 * Usage: iio_read_latency FILE N
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	char buf[32] = "";
	long long *t;
	long n, i, ok = 0, errors = 0;
	int fd;

	if (argc != 3 || (n = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: %s FILE N\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	t = calloc(n, sizeof(*t));
	if (fd < 0 || !t) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		long long t0 = now_ns();
		ssize_t r = pread(fd, buf, sizeof(buf) - 1, 0);

		long long dt = now_ns() - t0;

		if (r <= 0) {
			if (!errors++)
				fprintf(stderr, "read %ld of %s: %s\n", i, argv[1],
					r ? strerror(errno) : "empty");
			continue;
		}
		buf[r] = '\0';
		t[ok++] = dt;
	}
	if (!ok)
		return 1;
	qsort(t, ok, sizeof(*t), cmp_ll);
	buf[strcspn(buf, "\n")] = '\0';
	printf("reads %ld errors %ld median_ns %lld p90_ns %lld min_ns %lld max_ns %lld last %s\n",
	       ok, errors, t[ok / 2], t[ok * 9 / 10], t[0], t[ok - 1], buf);
	return 0;
}
