/* Dump partitions for the filter stack (dumpcheck/filter.h): one in memory,
 * one in a file. Offsets are checked against the partition here too, so a
 * stack bug shows as DC_E_MISUSE, never as a stray write. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dumpcheck/filter.h"

static enum dc_err mem_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	struct dc_filter_memdisk *m = ctx;
	if (off > m->size || len > m->size - off)
		return DC_E_MISUSE;
	memcpy(m->data + off, buf, len);
	return DC_OK;
}

static enum dc_err mem_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct dc_filter_memdisk *m = ctx;
	if (off > m->size || len > m->size - off)
		return DC_E_MISUSE;
	memcpy(buf, m->data + off, len);
	return DC_OK;
}

enum dc_err dc_filter_memdisk_init(struct dc_filter_memdisk *m, uint64_t size, struct dc_filter_disk *disk)
{
	memset(m, 0, sizeof(*m));
	if (size > SIZE_MAX)
		return DC_E_LIMIT;
	m->data = calloc(1, size ? (size_t)size : 1);
	if (!m->data)
		return DC_E_NOMEM;
	m->size = size;
	disk->ctx = m;
	disk->write = mem_write;
	disk->read = mem_read;
	return DC_OK;
}

void dc_filter_memdisk_free(struct dc_filter_memdisk *m)
{
	free(m->data);
	memset(m, 0, sizeof(*m));
}

/* `len` bytes at `off`, retried after a signal or a short transfer
 * (`buf` is only read when `write`). */
static enum dc_err file_io(int fd, bool write, uint64_t off, void *buf, size_t len)
{
	for (size_t done = 0; done < len;) {
		char *p = (char *)buf + done;
		off_t at = (off_t)(off + done);
		ssize_t n = write ? pwrite(fd, p, len - done, at) : pread(fd, p, len - done, at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return DC_E_IO;
		done += (size_t)n;
	}
	return DC_OK;
}

static enum dc_err file_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	return file_io(*(int *)ctx, true, off, (void *)buf, len);
}

static enum dc_err file_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	return file_io(*(int *)ctx, false, off, buf, len);
}

void dc_filter_filedisk(int *fd, struct dc_filter_disk *disk)
{
	disk->ctx = fd;
	disk->write = file_write;
	disk->read = file_read;
}
