/* The process model: what a minidump writer can see of a target process.
 *
 * The reference writer reads its facts from a model only (never from the
 * running system), so its output is deterministic. A model is built from C
 * (dc_process_add_*) or loaded from a scenario file. All strings and byte
 * blobs are copied into the model's arena and freed with it. */
#ifndef DUMPCHECK_PROCESS_H
#define DUMPCHECK_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dumpcheck/dumpcheck.h"

/* SystemInfo.ProcessorArchitecture values the model supports. */
enum dc_arch {
	DC_ARCH_X86 = 0,
	DC_ARCH_AMD64 = 9,
	DC_ARCH_ARM64 = 12
};

struct dc_blob {
	const uint8_t *data;
	uint64_t size;
};

struct dc_range64 {
	uint64_t base;
	uint64_t size;
};

struct dc_thread {
	uint32_t id;
	uint32_t suspend_count;
	uint32_t priority_class;
	uint32_t priority;
	uint64_t teb;
	struct dc_blob context;   /* raw CONTEXT of the model's architecture */
	struct dc_range64 stack;  /* [base, base + size); contents live in a region */
	const char *name;         /* UTF-8 thread description, or NULL */
	/* ThreadInfoList facts */
	uint32_t exit_status;
	uint64_t create_time, exit_time, kernel_time, user_time; /* FILETIME units */
	uint64_t start_address;
	uint64_t affinity;
};

struct dc_module {
	uint64_t base;
	uint32_t size;
	uint32_t checksum;
	uint32_t timestamp;
	const char *path;         /* UTF-8 full path */
	uint32_t version[13];     /* VS_FIXEDFILEINFO, all zero when absent */
	struct dc_blob cv;        /* CodeView record bytes, or empty */
	struct dc_blob misc;      /* IMAGE_DEBUG_MISC bytes, or empty */
	struct dc_range64 *data_sections;
	size_t ndata_sections;
	struct dc_range64 *code_sections;
	size_t ncode_sections;
};

/* One VirtualQuery region. `contents` is NULL for a region that fails to
 * read (ReadProcessMemory would fail); otherwise it holds `size` bytes. */
struct dc_region {
	uint64_t base;
	uint64_t size;
	uint64_t allocation_base;
	uint32_t allocation_protect;
	uint32_t state;   /* MEM_COMMIT, MEM_RESERVE, MEM_FREE */
	uint32_t protect; /* PAGE_* */
	uint32_t type;    /* MEM_PRIVATE, MEM_MAPPED, MEM_IMAGE */
	const uint8_t *contents;
};

struct dc_objinfo {
	uint32_t info_type;
	struct dc_blob bytes;
};

struct dc_handle {
	uint64_t handle;
	const char *type_name;   /* or NULL */
	const char *object_name; /* or NULL */
	uint32_t attributes;
	uint32_t granted_access;
	uint32_t handle_count;
	uint32_t pointer_count;
	struct dc_objinfo *objinfo; /* chain, in order */
	size_t nobjinfo;
};

struct dc_unloaded_module {
	uint64_t base;
	uint32_t size;
	uint32_t checksum;
	uint32_t timestamp;
	const char *name;
};

struct dc_exception {
	uint32_t thread_id;
	uint32_t code;
	uint32_t flags;
	uint64_t record;
	uint64_t address;
	uint32_t nparams;
	uint64_t params[15];
	struct dc_blob context; /* the CONTEXT the exception pointers give */
};

struct dc_system {
	uint16_t processor_level;
	uint16_t processor_revision;
	uint8_t processors;
	uint8_t product_type;
	uint32_t major, minor, build, platform_id;
	const char *csd; /* service pack text, "" when none */
	uint16_t suite_mask;
	uint8_t cpu[24]; /* CPU_INFORMATION bytes */
};

struct dc_process {
	uint32_t pid;
	enum dc_arch arch;
	struct dc_system system;
	uint32_t create_time, user_time, kernel_time; /* MiscInfo, seconds */
	struct dc_thread *threads;
	size_t nthreads;
	struct dc_module *modules;
	size_t nmodules;
	struct dc_region *regions; /* sorted by base, non-overlapping */
	size_t nregions;
	struct dc_handle *handles;
	size_t nhandles;
	struct dc_unloaded_module *unloaded;
	size_t nunloaded;
	struct dc_blob tokens; /* TokenStream payload (MINIDUMP_TOKEN_INFO_LIST), or empty */
	bool has_exception;
	struct dc_exception exception;
	struct dci_arena *arena;
	size_t caps[5]; /* capacities of the arrays above (internal) */
};

/* An empty model for `arch`; every later allocation lives in its arena. */
enum dc_err dc_process_init(struct dc_process *p, enum dc_arch arch);

/* Free everything the model owns. Safe on a zeroed model. */
void dc_process_free(struct dc_process *p);

/* Copy `n` bytes into the model's arena (NULL data: zeros). NULL on ENOMEM. */
uint8_t *dc_process_copy(struct dc_process *p, const void *data, size_t n);

/* Copy a NUL-terminated string into the arena. NULL on ENOMEM. */
const char *dc_process_strdup(struct dc_process *p, const char *s);

/* Append a zeroed thread / module / region / handle / unloaded module and
 * return it for the caller to fill (NULL on ENOMEM). Pointers to earlier
 * elements may move: fill one before adding the next. */
struct dc_thread *dc_process_add_thread(struct dc_process *p);
struct dc_module *dc_process_add_module(struct dc_process *p);
struct dc_region *dc_process_add_region(struct dc_process *p);
struct dc_handle *dc_process_add_handle(struct dc_process *p);
struct dc_unloaded_module *dc_process_add_unloaded(struct dc_process *p);

/* Size of the CONTEXT of `arch` (716, 1232, 912), 0 if unknown. */
uint32_t dc_arch_context_size(enum dc_arch arch);

/* Bytes of a pointer of `arch` (4 on x86, else 8). */
unsigned dc_arch_pointer_size(enum dc_arch arch);

/* Check the model's own consistency: regions sorted and disjoint, stacks
 * inside readable regions, contexts of the right size, exception thread
 * known with at most 15 parameters and an empty or full-size context, a
 * token list that TokenStream can hold as it is. Returns DC_OK or
 * DC_E_MALFORMED with a reason in `why`. */
enum dc_err dc_process_check(const struct dc_process *p, char *why, size_t why_len);

/* The region containing `addr`, or NULL. */
const struct dc_region *dc_process_region_at(const struct dc_process *p, uint64_t addr);

/* Bytes around a thread's instruction pointer that ThreadWriteInstructionWindow
 * keeps: PC - 0x80 to PC + 0x80 (writer.instruction_window). */
#define DC_INSTRUCTION_WINDOW 0x100u

/* The instruction window of `t`: [*start, *start + *size), the part of
 * PC - 0x80 .. PC + 0x80 inside the readable region holding the PC. False
 * when the context is too short for a PC or the PC is in no readable region. */
bool dc_thread_instruction_window(const struct dc_process *p, const struct dc_thread *t,
				  uint64_t *start, uint64_t *size);

#endif
