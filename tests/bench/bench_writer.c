/* Writer throughput: a 1 GiB full-memory dump written by dc_write_minidump
 * into memory (a sink that copies every byte), to /dev/null and to a file,
 * next to a plain memcpy / write() of the same bytes in the same run (best
 * of 3 each). The model shares one 4 MiB buffer across its 256 regions,
 * so its own memory stays small and the RSS shows the writer's overhead.
 *   bench_writer [OUT_DIR] [GiB]   prints a table and a JSON line */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "dumpcheck/writer.h"

#define CHUNK (4u << 20)

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void build(struct dc_process *p, const uint8_t *chunk, unsigned regions)
{
	dc_process_init(p, DC_ARCH_AMD64);
	for (unsigned i = 0; i < regions; i++) {
		struct dc_region *r = dc_process_add_region(p);
		r->base = 0x10000000ull + (uint64_t)i * 2 * CHUNK;
		r->size = CHUNK;
		r->allocation_base = r->base;
		r->state = DC_MEM_COMMIT;
		r->protect = DC_PAGE_READWRITE;
		r->type = DC_MEM_PRIVATE;
		r->contents = chunk;
	}
	struct dc_thread *t = dc_process_add_thread(p);
	t->id = 1;
	t->context.size = dc_arch_context_size(DC_ARCH_AMD64);
	t->context.data = dc_process_copy(p, NULL, t->context.size);
	t->stack.base = 0x10000000ull;
	t->stack.size = 0x1000;
}

static uint8_t scratch[CHUNK];

/* A sink that copies every byte (into a reused buffer): the memory case. */
static enum dc_err copy_sink(void *ctx, uint64_t offset, const void *buf, size_t n)
{
	(void)ctx;
	(void)offset;
	for (size_t done = 0; done < n;) {
		size_t k = n - done < CHUNK ? n - done : CHUNK;
		memcpy(scratch, (const uint8_t *)buf + done, k);
		done += k;
	}
	return DC_OK;
}

static double time_writer(const struct dc_process *p, const char *path, uint64_t *bytes)
{
	int fd = path ? open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
	struct dc_write_request req = { .dump_type = DC_MiniDumpWithFullMemory, .timestamp = 1 };
	struct dc_sink sink = { &fd, path ? dc_sink_fd_write : copy_sink };
	struct dc_write_result res;
	double t0 = now();
	enum dc_err err = dc_write_minidump(p, &req, &sink, &res);
	double t = now() - t0;
	if (fd >= 0)
		close(fd);
	if (err != DC_OK) {
		fprintf(stderr, "bench_writer: %s: %s\n", path, dc_err_name(err));
		exit(1);
	}
	*bytes = res.bytes;
	return t;
}

static double time_plain(const uint8_t *chunk, unsigned regions, const char *path)
{
	int fd = path ? open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
	double t0 = now();
	for (unsigned i = 0; i < regions; i++) {
		if (!path)
			memcpy(scratch, chunk, CHUNK);
		else if (write(fd, chunk, CHUNK) != (ssize_t)CHUNK) {
			perror(path);
			exit(1);
		}
	}
	double t = now() - t0;
	if (fd >= 0)
		close(fd);
	return t;
}

/* Best of 3 of writer and baseline, interleaved so both see the same machine. */
static void measure(const struct dc_process *p, const uint8_t *chunk, unsigned regions,
		    const char *wpath, const char *ppath, double *w, double *b, uint64_t *bytes)
{
	*w = *b = 1e9;
	for (int k = 0; k < 3; k++) {
		double tw = time_writer(p, wpath, bytes), tb = time_plain(chunk, regions, ppath);
		if (tw < *w)
			*w = tw;
		if (tb < *b)
			*b = tb;
	}
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	unsigned gib = argc > 2 ? (unsigned)atoi(argv[2]) : 1;
	unsigned regions = gib * 256u;
	char file[4096], plain[4096];
	snprintf(file, sizeof(file), "%s/bench-writer.dmp", dir);
	snprintf(plain, sizeof(plain), "%s/bench-plain.bin", dir);
	uint8_t *chunk = malloc(CHUNK);
	if (!chunk)
		return 1;
	for (size_t i = 0; i < CHUNK; i++)
		chunk[i] = (uint8_t)(i * 131u);
	struct dc_process p;
	build(&p, chunk, regions);
	/* the baselines' scratch buffer is theirs, not the writer's: touch it
	 * before the first reading so the RSS growth is the writer's own */
	memset(scratch, 1, sizeof(scratch));
	long rss_model = rss_kib();
	uint64_t bytes = 0;
	double w_mem, b_mem, w_null, b_null, w_file, b_file;
	measure(&p, chunk, regions, NULL, NULL, &w_mem, &b_mem, &bytes);
	measure(&p, chunk, regions, "/dev/null", "/dev/null", &w_null, &b_null, &bytes);
	measure(&p, chunk, regions, file, plain, &w_file, &b_file, &bytes);
	long rss_end = rss_kib();
	unlink(file);
	unlink(plain);
	double mib = (double)bytes / (1 << 20);
	printf("writer bench: %.0f MiB full-memory dump, %u regions\n", mib, regions);
	printf("  memory:    writer %.0f MiB/s, plain memcpy %.0f MiB/s: %.0f%% of baseline [%s >= 50%%]\n",
	       mib / w_mem, mib / b_mem, 100.0 * b_mem / w_mem, b_mem / w_mem >= 0.5 ? "PASS" : "FAIL");
	printf("  /dev/null: writer %.2f ms, plain write %.2f ms (no bytes move: the writer's fixed cost)\n",
	       1e3 * w_null, 1e3 * b_null);
	printf("  file:      writer %.0f MiB/s, plain write %.0f MiB/s: %.0f%% of baseline [%s >= 50%%]\n",
	       mib / w_file, mib / b_file, 100.0 * b_file / w_file, b_file / w_file >= 0.5 ? "PASS" : "FAIL");
	printf("  peak RSS: %ld KiB after building the model, %ld KiB at the end (+%ld KiB)\n",
	       rss_model, rss_end, rss_end - rss_model);
	printf("{\"bytes\":%llu,\"writer_mem_s\":%.4f,\"plain_mem_s\":%.4f,\"writer_null_s\":%.5f,"
	       "\"plain_null_s\":%.5f,\"writer_file_s\":%.4f,\"plain_file_s\":%.4f,"
	       "\"rss_model_kib\":%ld,\"rss_end_kib\":%ld}\n",
	       (unsigned long long)bytes, w_mem, b_mem, w_null, b_null, w_file, b_file, rss_model,
	       rss_end);
	dc_process_free(&p);
	free(chunk);
	return 0;
}
