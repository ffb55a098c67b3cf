/* Test-only builders of the streams the mdbuild baseline lacks. Each appends
 * a valid stream to a finished dump (the baseline), registers it in the
 * directory and returns its RVA; on the baseline every rule stays quiet. */
#ifndef DUMPCHECK_TESTS_MDSTREAMS_H
#define DUMPCHECK_TESTS_MDSTREAMS_H

#include "mdbuild.h"

/* HandleData with 2 descriptors of `desc_size` bytes (32, 40 or larger);
 * from 40 on, descriptor 0 has an object-information chain of 3 nodes. */
uint32_t mds_handle_data(struct mdb *b, uint32_t desc_size);
/* UnloadedModuleList: 1 module with a name. */
uint32_t mds_unloaded_modules(struct mdb *b);
/* MemoryInfoList: 2 regions (committed private, free). */
uint32_t mds_memory_info(struct mdb *b);
/* ThreadInfoList: the 2 baseline threads, the second one writing the dump. */
uint32_t mds_thread_info(struct mdb *b);
/* HandleOperationList: 1 AVRF_HANDLE_OPERATION of 288 bytes. */
uint32_t mds_handle_operations(struct mdb *b);
/* TokenStream: 2 tokens of 32 bytes. */
uint32_t mds_token(struct mdb *b);
/* FunctionTable: 1 table (8-byte native descriptor, 2 entries of 12 bytes). */
uint32_t mds_function_table(struct mdb *b);
/* ThreadNames: names for the 2 baseline threads. */
uint32_t mds_thread_names(struct mdb *b);
/* ThreadExList: 2 threads with stacks and AMD64 contexts. */
uint32_t mds_thread_ex(struct mdb *b);
/* Memory64List: 2 ranges (0x100 and 0x80 bytes) whose data follows the
 * stream at the end of the file: add it last. */
uint32_t mds_memory64(struct mdb *b);
/* ProcessVmCounters of `revision` 1 (80 bytes) or 2 (152 bytes). */
uint32_t mds_process_vm(struct mdb *b, uint16_t revision);
/* CommentStreamW holding `ascii` as UTF-16 (no NUL). */
uint32_t mds_comment_w(struct mdb *b, const char *ascii);
/* SystemMemoryInfo, Revision 1 (492 bytes). */
uint32_t mds_system_memory(struct mdb *b);

/* File offset of the directory entry of stream `type` (aborts if absent). */
size_t mds_dir_entry(const struct mdb *b, uint32_t type);
/* RVA of stream `type` (aborts if absent). */
uint32_t mds_rva(const struct mdb *b, uint32_t type);
/* Remove the directory entry of stream `type` (its bytes stay). */
void mds_remove_stream(struct mdb *b, uint32_t type);
/* Copy stream `type` to the end of the file, `shift` bytes past an 8-aligned
 * offset, with `gap` zero bytes inserted at `gap_at`; repoint its entry and
 * return the new RVA. */
uint32_t mds_relocate(struct mdb *b, uint32_t type, uint32_t shift, uint32_t gap_at, uint32_t gap);
/* Append a copy of the file's bytes [src, src + len); returns its RVA. */
uint32_t mds_copy(struct mdb *b, uint32_t src, uint32_t len);
/* Append `len` bytes of `fill` as a stream of `type`; returns its RVA. */
uint32_t mds_blob(struct mdb *b, uint32_t type, uint32_t len, uint8_t fill);

/* File offsets of the baseline's thread `k`, module `k`, memory range `k`. */
size_t mds_thread(const struct mdb *b, uint32_t k);
size_t mds_module(const struct mdb *b, uint32_t k);
size_t mds_range(const struct mdb *b, uint32_t k);

#endif
