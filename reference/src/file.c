/* Read-only input files: mapped when possible, so memory does not grow
 * with the file size; copied (up to a cap) when they cannot be mapped. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static enum dc_err read_all(struct dc_file *f, int fd, uint64_t max_copy)
{
	size_t cap = 1 << 16, len = 0;
	uint8_t *buf = malloc(cap);
	if (!buf)
		return DC_E_NOMEM;
	for (;;) {
		if (len == cap) {
			if (cap >= max_copy) {
				free(buf);
				return DC_E_LIMIT;
			}
			uint8_t *grown = realloc(buf, cap * 2);
			if (!grown) {
				free(buf);
				return DC_E_NOMEM;
			}
			buf = grown;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return DC_E_IO;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	f->owned = buf;
	f->data = buf;
	f->size = len;
	return DC_OK;
}

enum dc_err dc_file_open(struct dc_file *f, const char *path, uint64_t max_copy)
{
	memset(f, 0, sizeof(*f));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return DC_E_IO;
	struct stat st;
	enum dc_err err = DC_OK;
	if (fstat(fd, &st) != 0) {
		err = DC_E_IO;
	} else if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		err = DC_E_IO;
	} else if (S_ISREG(st.st_mode) && st.st_size == 0) {
		f->data = (const uint8_t *)"";
	} else if (S_ISREG(st.st_mode) && (uint64_t)st.st_size <= SIZE_MAX) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			err = read_all(f, fd, max_copy);
		} else {
			f->map_base = p;
			f->data = p;
			f->size = (uint64_t)st.st_size;
		}
	} else {
		err = read_all(f, fd, max_copy);
	}
	int saved = errno;
	close(fd);
	errno = saved;
	return err;
}

void dc_file_close(struct dc_file *f)
{
	if (f->map_base)
		munmap(f->map_base, (size_t)f->size);
	free(f->owned);
	memset(f, 0, sizeof(*f));
}
