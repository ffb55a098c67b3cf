/* AFL++ custom mutator library around md_mutator.h (the mutator
 * fuzz_minidump_structured gives libFuzzer):
 *   AFL_CUSTOM_MUTATOR_LIBRARY=build/afl/libmd_mutator.so afl-fuzz ...
 * AFL++ keeps its own havoc stage as well (unless AFL_CUSTOM_MUTATOR_ONLY). */
#include <stdlib.h>
#include <string.h>

#include "md_mutator.h"

struct md_afl {
	uint8_t *buf;
	size_t cap;
	unsigned seed;
};

void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
		       uint8_t *add_buf, size_t add_buf_size, size_t max_size);
void afl_custom_deinit(void *data);

void *afl_custom_init(void *afl, unsigned int seed)
{
	(void)afl;
	struct md_afl *m = calloc(1, sizeof(*m));
	if (m)
		m->seed = seed;
	return m;
}

size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
		       uint8_t *add_buf, size_t add_buf_size, size_t max_size)
{
	struct md_afl *m = data;
	(void)add_buf;
	(void)add_buf_size;
	if (max_size > m->cap) {
		uint8_t *grown = realloc(m->buf, max_size);
		if (!grown) {
			*out_buf = buf; /* no memory: hand the input back unchanged */
			return buf_size;
		}
		m->buf = grown;
		m->cap = max_size;
	}
	size_t n = buf_size < max_size ? buf_size : max_size;
	memcpy(m->buf, buf, n);
	size_t out = md_mutate(m->buf, n, max_size, m->seed++);
	if (!out && n) { /* not a minidump: one random byte, AFL's havoc does the rest */
		m->buf[m->seed % n] ^= (uint8_t)(1u + m->seed % 255u);
		out = n;
	}
	*out_buf = m->buf;
	return out;
}

void afl_custom_deinit(void *data)
{
	struct md_afl *m = data;
	if (m)
		free(m->buf);
	free(m);
}
