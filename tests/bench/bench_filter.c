/* Filter-stack throughput: a full kernel dump of GiB gibibytes (one run of
 * physical pages, rendered by the kdump.h model) written through the
 * reference crash-dump stack (dumpcheck/filter.h) with no filter, with a
 * pass-through observer and with the encrypting example filter, next to a
 * plain copy of the same bytes (render into a buffer, then memcpy / pwrite),
 * side by side. Sinks: memory (every write copied into a 1 MiB device
 * buffer, as a DMA would) and a file (pwrite into OUT_DIR/filter-partition.bin).
 * No trace (tracing adds digests of every buffer), no read-back: the write
 * path only. Best of 3 each.
 *   bench_filter [OUT_DIR] [GiB]   prints a table and a JSON line */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "dumpcheck/filter.h"

#define DEVICE (1u << 20)
#define PAGES_PER_WRITE 16u /* MaxPagesPerWrite of the filters: 64 KiB writes */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct memdev {
	uint8_t *buf;
};

static enum dc_err dev_write(void *ctx, uint64_t off, const void *p, size_t n)
{
	struct memdev *d = ctx;
	size_t at = (size_t)(off % DEVICE);
	if (at + n > DEVICE)
		at = 0;
	memcpy(d->buf + at, p, n < DEVICE ? n : DEVICE);
	return DC_OK;
}

static enum dc_err dev_read(void *ctx, uint64_t off, void *p, size_t n)
{
	(void)ctx;
	(void)off;
	memset(p, 0, n);
	return DC_OK;
}

/* Render + copy the dump to the sink in PAGES_PER_WRITE-page pieces. */
static enum dc_err plain(const struct dc_kdump_model *m, uint64_t size, const struct dc_filter_disk *disk)
{
	static uint8_t buf[PAGES_PER_WRITE * DC_FILTER_PAGE_SIZE];
	for (uint64_t pos = 0; pos < size; pos += sizeof(buf)) {
		size_t n = size - pos < sizeof(buf) ? (size_t)(size - pos) : sizeof(buf);
		enum dc_err e = dc_kdump_render(m, pos, buf, n);
		if (e == DC_OK)
			e = disk->write(disk->ctx, pos, buf, n);
		if (e != DC_OK)
			return e;
	}
	return DC_OK;
}

/* Best of 3 wall seconds of one configuration; nfx < 0: the plain copy. */
static double measure(const struct dc_kdump_model *m, uint64_t size, const struct dc_filter_disk *disk, int nfx,
		      enum dc_fx_kind kind)
{
	double best = 1e30;
	for (int rep = 0; rep < 3; rep++) {
		struct dc_fx fx = { 0 };
		struct dc_filter_driver drv;
		struct dc_filter_result res;
		dc_fx_params_default(&fx.p, kind);
		fx.p.max_pages = PAGES_PER_WRITE;
		dc_fx_driver(&fx, "bench", &drv);
		struct dc_filter_run run = { .dump_type = DumpTypeCrashdump, .part = { .size = size + 4096 },
					     .model = m, .filters = &drv, .nfilters = (size_t)(nfx > 0 ? nfx : 0),
					     .stack_max_pages = PAGES_PER_WRITE, .no_read_back = true };
		double t0 = now();
		enum dc_err e = nfx < 0 ? plain(m, size, disk) : dc_filter_stack_run(&run, disk, NULL, &res);
		double t = now() - t0;
		dc_fx_free(&fx);
		if (e != DC_OK || (nfx >= 0 && (res.bytes_written != size || res.status != STATUS_SUCCESS))) {
			fprintf(stderr, "bench_filter: run failed (%s)\n", dc_err_name(e));
			exit(1);
		}
		best = t < best ? t : best;
	}
	return best;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	unsigned gib = argc > 2 ? (unsigned)atoi(argv[2]) : 1;
	uint64_t pages = ((uint64_t)gib << 30) / DC_FILTER_PAGE_SIZE - 2; /* + the 0x2000 header = GiB */
	struct dc_kdump_range run = { 0x100, pages };
	struct dc_kdump_model m = { .is64 = true, .dump_type = 1, .machine_image_type = 0x8664,
				    .number_processors = 4, .major_version = 15, .runs = &run, .nruns = 1,
				    .fill_seed = 3 };
	uint64_t size;
	if (!gib || dc_kdump_size(&m, &size) != DC_OK)
		return 2;
	struct memdev dev = { malloc(DEVICE) };
	char path[4096];
	snprintf(path, sizeof(path), "%s/filter-partition.bin", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (!dev.buf || fd < 0) {
		perror(path);
		return 2;
	}
	struct dc_filter_disk mem = { &dev, dev_write, dev_read }, file;
	dc_filter_filedisk(&fd, &file);
	static const char *const names[] = { "plain copy (render + copy)", "stack, no filter", "stack + observer",
					     "stack + encrypt" };
	static const int nfx[] = { -1, 0, 1, 1 };
	static const enum dc_fx_kind kinds[] = { DC_FX_OBSERVER, DC_FX_OBSERVER, DC_FX_OBSERVER, DC_FX_ENCRYPT };
	double mem_mbs[4], file_mbs[4];
	printf("filter stack, %.0f MiB full dump, %u pages per write, best of 3\n", size / 1048576.0, PAGES_PER_WRITE);
	printf("%-28s %14s %14s\n", "", "memory MB/s", "file MB/s");
	for (int i = 0; i < 4; i++) {
		mem_mbs[i] = size / 1e6 / measure(&m, size, &mem, nfx[i], kinds[i]);
		file_mbs[i] = size / 1e6 / measure(&m, size, &file, nfx[i], kinds[i]);
		printf("%-28s %14.0f %14.0f\n", names[i], mem_mbs[i], file_mbs[i]);
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("max RSS %ld KiB\n", ru.ru_maxrss);
	printf("{\"bench\":\"filter_stack\",\"dump_bytes\":%llu,\"pages_per_write\":%u,\"max_rss_kib\":%ld,"
	       "\"memory_mbs\":{\"plain\":%.0f,\"stack\":%.0f,\"observer\":%.0f,\"encrypt\":%.0f},"
	       "\"file_mbs\":{\"plain\":%.0f,\"stack\":%.0f,\"observer\":%.0f,\"encrypt\":%.0f}}\n",
	       (unsigned long long)size, PAGES_PER_WRITE, ru.ru_maxrss, mem_mbs[0], mem_mbs[1], mem_mbs[2], mem_mbs[3],
	       file_mbs[0], file_mbs[1], file_mbs[2], file_mbs[3]);
	close(fd);
	unlink(path);
	free(dev.buf);
	return 0;
}
