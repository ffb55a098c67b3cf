/* A scripted MINIDUMP_CALLBACK_ROUTINE: the callback script of a scenario.
 *
 * A script is a list of rules. For each call the first rule that matches
 * (callback type, optionally the nth call of that type and the thread or
 * module it is about) decides the BOOL returned and which output fields are
 * set; a call no rule matches returns TRUE with the output as it came, like
 * a callback that ignores the type. Two defaults make redirected I/O work:
 * IoWriteAllCallback writes the buffer to `io` and answers S_OK, and
 * IoFinishCallback answers S_OK, unless a rule says otherwise.
 *
 * Plain C over the Microsoft ABI header only, so the Windows agent can run
 * the same script against the real dbghelp. */
#ifndef DUMPCHECK_SCRIPT_H
#define DUMPCHECK_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dumpcheck/writer.h"

/* Which output fields a rule sets (struct dc_script_rule.set). */
enum {
	DC_SCRIPT_WRITE_FLAGS = 1u << 0,  /* ThreadWriteFlags / ModuleWriteFlags = write_flags */
	DC_SCRIPT_CLEAR_FLAGS = 1u << 1,  /* ... &= ~clear_flags */
	DC_SCRIPT_SECONDARY = 1u << 2,    /* SecondaryFlags */
	DC_SCRIPT_MEMORY = 1u << 3,       /* MemoryBase, MemorySize */
	DC_SCRIPT_CHECK_CANCEL = 1u << 4, /* CheckCancel */
	DC_SCRIPT_CANCEL = 1u << 5,       /* Cancel */
	DC_SCRIPT_STATUS = 1u << 6,       /* Status */
	DC_SCRIPT_HANDLE = 1u << 7,       /* Handle (non-NULL or NULL) */
	DC_SCRIPT_VM_REGION = 1u << 8,    /* VmRegion.BaseAddress, RegionSize */
	DC_SCRIPT_CONTINUE = 1u << 9,     /* Continue */
	DC_SCRIPT_VM_QUERY = 1u << 10,    /* VmQueryStatus, VmQueryResult */
	DC_SCRIPT_VM_READ = 1u << 11,     /* VmReadStatus, VmReadBytesCompleted */
	DC_SCRIPT_FILL = 1u << 12,        /* VmPreRead: fill the first VmReadBytesCompleted bytes */
	DC_SCRIPT_XOR = 1u << 13          /* VmPostRead: xor the buffer's Size bytes */
};

struct dc_script_rule {
	uint32_t type;     /* MINIDUMP_CALLBACK_TYPE */
	uint32_t nth;      /* 1-based number of the call among calls of `type`; 0: any */
	bool has_item;     /* match only this thread id / module base */
	uint64_t item;
	bool has_return;   /* else TRUE */
	bool ret;
	uint32_t set;      /* DC_SCRIPT_* */
	uint32_t write_flags, clear_flags, secondary_flags;
	uint64_t memory_base;
	uint32_t memory_size;
	bool check_cancel, cancel, handle, cont;
	int32_t status;
	uint64_t vm_base, vm_size;
	int32_t vm_query_status;
	MINIDUMP_MEMORY_INFO vm_query_result;
	int32_t vm_read_status;
	uint32_t vm_read_completed;
	uint8_t fill, xor_byte;
	unsigned line; /* where the rule came from, for messages (0: built in C) */
};

/* Calls of each type are counted up to this type value (exclusive). */
#define DC_SCRIPT_TYPES 32u

struct dc_script {
	const struct dc_script_rule *rules;
	size_t nrules;
	const struct dc_sink *io;        /* IoWriteAll target; NULL: IoWriteAll fails */
	uint64_t calls[DC_SCRIPT_TYPES]; /* calls seen per type */
	uint64_t io_failures;            /* IoWriteAll writes `io` refused */
};

/* Forget the call counts of an earlier run. */
void dc_script_reset(struct dc_script *s);

/* The callback routine; CallbackParam must be a struct dc_script. */
BOOL DC_WIN_CALLBACK dc_script_callback(PVOID param, PMINIDUMP_CALLBACK_INPUT in,
					PMINIDUMP_CALLBACK_OUTPUT out);

#endif
