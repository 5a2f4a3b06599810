// SPDX-License-Identifier: GPL-2.0
/*
 * Reads an IIO buffer character device for a while and checks the scan
 * timestamps, for the arm tests and benchmark (the buffer must already be
 * set up and enabled, e.g. through sysfs):
 *
 *   iio_capture DEV SCAN_BYTES TS_OFFSET SECONDS PERIOD_NS [OUT]
 *
 * reads DEV (/dev/iio:deviceN) in large blocks for SECONDS of
 * CLOCK_MONOTONIC, takes the s64 timestamp at byte TS_OFFSET of every
 * SCAN_BYTES-byte scan and prints one line:
 *
 *   scans N secs S rate_hz R nonmono M lost L max_gap_ns G
 *
 * nonmono counts timestamps not above the previous one; with PERIOD_NS > 0
 * (a periodic trigger), lost counts the trigger periods missing between
 * consecutive scans (a gap over 1.5 periods). OUT, if given, receives the
 * raw scans. Exit status 1 on a read error.
 *
 * To count scans lost between the trigger and user space:
 * IIO_CAPTURE_STOP=FILE=VALUE is written after SECONDS (e.g. an hrtimer
 * trigger's sampling_frequency=1, so that it stops firing for a second),
 * the buffer is then drained (until 300 ms pass without data), and
 * IIO_CAPTURE_IRQ=NAME names the device's poll function interrupt in
 * /proc/interrupts (NAME_consumer0), which counts the triggers delivered
 * to the device. The line then ends with "irq I missing I-N".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
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

/* Total count of the interrupt named @name in /proc/interrupts, or -1. */
static long long irq_count(const char *name)
{
	char line[1024];
	long long total = -1;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':'), *end;
		size_t n = strlen(name), l;

		line[strcspn(line, "\n")] = '\0';
		l = strlen(line);
		if (!p || l < n || strcmp(line + l - n, name) || (l > n && line[l - n - 1] != ' '))
			continue;
		total = 0;
		for (p++;; p = end) {
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break;
			total += v;
		}
	}
	fclose(f);
	return total;
}

/* Writes @value to @path; 0 on success. */
static int write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = write(fd, value, strlen(value));
	close(fd);
	return r < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	const char *stop = getenv("IIO_CAPTURE_STOP");
	const char *irq = getenv("IIO_CAPTURE_IRQ");
	long long quiet_since = 0, irqs = -1;
	int stopping = 0;
	long long scan, tsoff, period, end, start, scans = 0, nonmono = 0;
	long long lost = 0, max_gap = 0, prev = 0, elapsed;
	static unsigned char buf[1 << 16];
	size_t have = 0;
	FILE *out = NULL;
	double secs;
	int fd;

	if (argc < 6 || argc > 7) {
		fprintf(stderr, "usage: %s DEV SCAN_BYTES TS_OFFSET SECONDS PERIOD_NS [OUT]\n",
			argv[0]);
		return 2;
	}
	scan = atoll(argv[2]);
	tsoff = atoll(argv[3]);
	secs = atof(argv[4]);
	period = atoll(argv[5]);
	if (scan <= 0 || scan > 4096 || tsoff < 0 || tsoff + 8 > scan || secs <= 0) {
		fprintf(stderr, "%s: bad arguments\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (argc == 7 && !(out = fopen(argv[6], "w"))) {
		fprintf(stderr, "%s: %s\n", argv[6], strerror(errno));
		return 1;
	}
	start = now_ns();
	end = start + (long long)(secs * 1e9);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		size_t off = 0;
		ssize_t r;

		if (!stopping && now_ns() >= end) {
			char path[256], *eq;

			if (!stop)
				break;
			snprintf(path, sizeof(path), "%s", stop);
			eq = strrchr(path, '=');
			if (!eq || (*eq = '\0', write_file(path, eq + 1))) {
				fprintf(stderr, "cannot write IIO_CAPTURE_STOP=%s\n", stop);
				return 1;
			}
			stopping = 1;
			quiet_since = now_ns();
		}
		if (stopping && now_ns() - quiet_since > 300000000LL)
			break;
		if (poll(&pfd, 1, 100) < 0 && errno != EINTR) {
			fprintf(stderr, "poll %s: %s\n", argv[1], strerror(errno));
			break;
		}
		r = read(fd, buf + have, sizeof(buf) - have);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			fprintf(stderr, "read %s: %s\n", argv[1], strerror(errno));
			return 1;
		}
		have += r;
		quiet_since = now_ns();
		for (; have - off >= (size_t)scan; off += scan) {
			int64_t ts;

			memcpy(&ts, buf + off + tsoff, sizeof(ts));
			if (scans > 0) {
				long long gap = ts - prev;

				if (gap <= 0)
					nonmono++;
				if (gap > max_gap)
					max_gap = gap;
				if (period > 0 && gap * 2 > period * 3)
					lost += (gap + period / 2) / period - 1;
			}
			prev = ts;
			scans++;
		}
		if (out) {
			fwrite(buf, 1, off, out);
			fflush(out);
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
	elapsed = now_ns() - start;
	if (irq)
		irqs = irq_count(irq);
	if (out)
		fclose(out);
	printf("scans %lld secs %.3f rate_hz %lld nonmono %lld lost %lld max_gap_ns %lld",
	       scans, elapsed / 1e9, elapsed ? scans * 1000000000LL / elapsed : 0,
	       nonmono, lost, max_gap);
	if (irq)
		printf(" irq %lld missing %lld", irqs, irqs - scans);
	printf("\n");
	return irq && irqs < 0;
}
