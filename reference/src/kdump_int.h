/* Internals of the kernel-dump model, renderer and validator (dci_kd_*). */
#ifndef DUMPCHECK_KDUMP_INT_H
#define DUMPCHECK_KDUMP_INT_H

#include "dumpcheck/kdump.h"

/* Where the parts of a model's dump go. */
struct dci_kd_layout {
	uint64_t hsize;      /* header bytes: 0x1000 or 0x2000 */
	uint64_t bitmap_off; /* bitmap dumps: file offset of the bitmap */
	uint64_t bitmap_bits;
	uint64_t first_page; /* file offset of the first page */
	uint64_t npages;     /* pages in the file */
	uint64_t size;       /* file size */
	const struct dc_kdump_range *ranges; /* the pages in file order */
	size_t nranges;
};

/* SystemInfo.ProcessorArchitecture of a MachineImageType (IMAGE_FILE_MACHINE_*),
 * for its CONTEXT (dc_context_lookup); UINT32_MAX when unknown. */
static inline uint32_t dci_kd_machine_arch(uint32_t machine)
{
	switch (machine) {
	case 0x14C: return 0;   /* I386: PROCESSOR_ARCHITECTURE_INTEL */
	case 0x8664: return 9;  /* AMD64 */
	case 0xAA64: return 12; /* ARM64 */
	case 0x1C4: return 5;   /* ARMNT */
	}
	return UINT32_MAX;
}

/* Lay out the dump of `m`; DC_E_MALFORMED when no dump can express it. */
enum dc_err dci_kd_layout(const struct dc_kdump_model *m, struct dci_kd_layout *lay);

/* The bytes of page `pfn` in the model: pattern, then patches. */
void dci_kd_page(const struct dc_kdump_model *m, uint64_t pfn, uint8_t page[DC_KDUMP_PAGE_SIZE]);

#endif
