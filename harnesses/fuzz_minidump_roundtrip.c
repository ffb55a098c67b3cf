/* fuzz_minidump_roundtrip: a process model derived from the input (the
 * input read as a minidump), written again by the reference writer with the
 * input's own Header.Flags as the dump type, then read back. Oracles: no
 * crash/UB/leak; a failed read leaves the model empty; a failed write
 * reports an HRESULT; a written dump has no MUST finding, reads back, and
 * the model read back equals what the dump type keeps of the model written
 * (dc_roundtrip_check, dc_roundtrip_check_extra). */
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/readmodel.h"
#include "fuzz_sink.h"

static void fail_with(const char *what, const char *why)
{
	fprintf(stderr, "%s: %s\n", what, why);
	FUZZ_ASSERT(!"round trip differs");
}

/* The written dump read back equals what it should keep of `model`. */
static void check_round_trip(const struct dc_process *model, const struct dc_write_request *req,
			     const struct fuzz_membuf *m)
{
	struct dc_process back;
	struct dc_read_extra extra;
	char why[512] = "";
	FUZZ_ASSERT(fuzz_must_findings(m->data, m->size) == 0);
	FUZZ_ASSERT(dc_minidump_read_process(m->data, m->size, &back, &extra) == DC_OK);
	if (dc_roundtrip_check(model, req->dump_type, req->thread_flags_out, req->module_flags_out,
			       &back, why, sizeof(why)) != DC_OK)
		fail_with("dc_roundtrip_check", why);
	if (dc_roundtrip_check_extra(model, req, req->thread_flags_out, &extra, why, sizeof(why)) !=
	    DC_OK)
		fail_with("dc_roundtrip_check_extra", why);
	dc_process_free(&back);
}

static void write_again(const struct dc_process *model, const struct dc_read_extra *x)
{
	uint32_t *tflags = calloc(model->nthreads + 1, sizeof(*tflags));
	uint32_t *mflags = calloc(model->nmodules + 1, sizeof(*mflags));
	FUZZ_ASSERT(tflags && mflags);
	struct dc_write_request req = { .dump_type = x->flags & DC_MINIDUMP_VALID_TYPE_FLAGS_EX,
					.with_exception = model->has_exception,
					.timestamp = x->timestamp,
					.thread_flags_out = tflags,
					.module_flags_out = mflags };
	struct fuzz_membuf m = { 0 };
	struct dc_sink sink = { &m, fuzz_mem_write };
	struct dc_write_result res;
	if (dc_write_minidump(model, &req, &sink, &res) == DC_OK) {
		FUZZ_ASSERT(res.hresult == 0 && res.bytes == m.size);
		check_round_trip(model, &req, &m);
	} else {
		FUZZ_ASSERT(res.hresult >= 0x80000000u);
	}
	free(m.data);
	free(tflags);
	free(mflags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dc_process model;
	struct dc_read_extra extra;
	char why[256];
	if (dc_minidump_read_process(data, size, &model, &extra) != DC_OK) {
		FUZZ_ASSERT(model.arena == NULL && model.nthreads == 0 && extra.nstreams == 0);
		return 0;
	}
	if (dc_process_check(&model, why, sizeof(why)) == DC_OK)
		write_again(&model, &extra);
	dc_process_free(&model);
	return 0;
}
