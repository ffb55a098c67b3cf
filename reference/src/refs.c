/* Following what a field points at: strings, blobs, contexts, debug
 * records, handle object-information chains. */
#include <string.h>

#include "md.h"

#define VIS(m, ev, ...)                                        \
	do {                                                   \
		if ((m)->vis && (m)->vis->ev)                  \
			(m)->vis->ev((m)->vis->ctx, __VA_ARGS__); \
	} while (0)

#define CV_RSDS 0x53445352u
#define CV_NB10 0x3031424Eu
#define CV_MIN_RSDS (DC_SIZE_CV_INFO_PDB70 + 1u)

int dci_string_status(const struct dci_md *m, uint64_t rva)
{
	uint32_t len;
	uint64_t end;
	if (!dci_at_u32(&m->file, rva, &len))
		return DC_RULE_STRING_IN_FILE;
	if (!dci_add(rva, 4u + (uint64_t)len, &end) || end > m->file.len)
		return DC_RULE_STRING_IN_FILE;
	if (len % 2)
		return DC_RULE_STRING_LENGTH_EVEN;
	return 0;
}

static void follow_string(struct dci_md *m, const struct dc_field_desc *fd, uint64_t rva,
			  uint64_t at)
{
	const char *label = fd->name;
	int status = rva ? dci_string_status(m, rva) : DC_RULE_STRING_IN_FILE;
	uint32_t len = 0;
	bool have_len = dci_at_u32(&m->file, rva, &len);
	if (status) {
		if (!have_len)
			dci_diag(m, fd->ref_rule < DC_RULE_COUNT ? fd->ref_rule : (unsigned)status, at,
				 "%s: string at 0x%llX, its Length is past the file end", label,
				 (unsigned long long)rva);
		else
			dci_diag(m, fd->ref_rule < DC_RULE_COUNT ? fd->ref_rule : (unsigned)status, at,
				 "%s: string at 0x%llX, Length %u, file %llu bytes", label,
				 (unsigned long long)rva, len, (unsigned long long)m->file.len);
		return;
	}
	if (rva % 4)
		dci_diag(m, DC_RULE_LAYOUT_RVA_ALIGNMENT, at, "%s: string RVA 0x%llX", label,
			 (unsigned long long)rva);
	uint64_t nchars = len / 2;
	const uint8_t *text = m->file.p + rva + 4;
	if (len > m->opts->limits.max_string_bytes) {
		dci_diag(m, DC_RULE_LIMIT_STRING, rva, "%s: string of %u bytes checked up to %llu", label,
			 len, (unsigned long long)m->opts->limits.max_string_bytes);
		nchars = m->opts->limits.max_string_bytes / 2;
		/* never cut a surrogate pair in two: that would read as unpaired */
		if (nchars && dci_le16(text + 2 * (nchars - 1)) >= 0xD800 &&
		    dci_le16(text + 2 * (nchars - 1)) < 0xDC00)
			nchars--;
	}
	if (!dci_step(m, 1 + nchars / 8))
		return;
	uint16_t nul = 1;
	if (!dci_at_u16(&m->file, rva + 4 + len, &nul) || nul != 0)
		dci_diag(m, DC_RULE_STRING_TRAILING_NUL, rva, "%s: string of %u bytes has no trailing NUL",
			 label, len);
	if (!dci_utf16_valid(text, nchars))
		dci_diag(m, DC_RULE_STRING_UTF16_VALID, rva, "%s: unpaired surrogate", label);
	if (dci_shows_text(m)) {
		size_t n = dci_utf16_to_utf8(text, nchars, m->text, sizeof(m->text));
		VIS(m, text, label, m->text, n, rva);
	}
}

/* Crashpad's UTF-8 string: u32 length, bytes, NUL. */
static void follow_utf8(struct dci_md *m, const char *label, uint64_t rva, uint64_t at)
{
	uint32_t len;
	struct dci_cur s;
	if (!dci_at_u32(&m->file, rva, &len) || !dci_cur_sub(&m->file, rva + 4, len, &s)) {
		dci_diag(m, DC_RULE_REF_IN_FILE, at, "%s: UTF-8 string at 0x%llX past the file end",
			 label, (unsigned long long)rva);
		return;
	}
	size_t n = len < sizeof(m->text) - 1 ? len : sizeof(m->text) - 1;
	memcpy(m->text, s.p, n);
	m->text[n] = '\0';
	VIS(m, text, label, m->text, n, rva);
}

static void check_cv(struct dci_md *m, const struct dci_cur *cv)
{
	uint32_t sig;
	if (!dci_at_u32(cv, 0, &sig))
		return;
	if (!dc_enum_name(DC_E_CV_SIGNATURE, sig)) {
		dci_diag(m, DC_RULE_CV_SIGNATURE, cv->base, "CodeView signature 0x%08X", sig);
		return;
	}
	if (sig != CV_RSDS || !dci_step(m, 1 + cv->len / 16))
		return;
	if (cv->len < CV_MIN_RSDS || !memchr(cv->p + DC_SIZE_CV_INFO_PDB70, 0,
					     (size_t)(cv->len - DC_SIZE_CV_INFO_PDB70)))
		dci_diag(m, DC_RULE_CV_PDB70_SIZE, cv->base,
			 "RSDS record of %llu bytes without a NUL-terminated PDB name",
			 (unsigned long long)cv->len);
}

static void check_misc(struct dci_md *m, const struct dci_cur *misc)
{
	uint32_t length;
	if (misc->len < DC_SIZE_IMAGE_DEBUG_MISC ||
	    !dci_at_u32(misc, DC_OFF_IMAGE_DEBUG_MISC_Length, &length) || length > misc->len)
		dci_diag(m, DC_RULE_MISC_RECORD_LENGTH, misc->base,
			 "IMAGE_DEBUG_MISC of %llu bytes", (unsigned long long)misc->len);
}

/* Show a debug record's header struct and the NUL-terminated 8-bit name
 * after it (PDB path); only for a visitor. */
static void show_record(struct dci_md *m, const struct dci_cur *rec, uint16_t sid, const char *label)
{
	uint32_t size = dc_struct_descs[sid].size;
	if (rec->len < size)
		return;
	dci_show_struct(m, sid, rec, label);
	const uint8_t *name = rec->p + size;
	size_t max = (size_t)(rec->len - size), n = 0;
	while (n < max && n < sizeof(m->text) - 1 && name[n])
		n++;
	memcpy(m->text, name, n);
	m->text[n] = '\0';
	VIS(m, text, label, m->text, n, rec->base + size);
}

static void show_cv(struct dci_md *m, const struct dci_cur *cv, const char *label)
{
	uint32_t sig;
	if (!dci_at_u32(cv, 0, &sig))
		return;
	if (sig == CV_RSDS)
		show_record(m, cv, DC_S_CV_INFO_PDB70, label);
	else if (sig == CV_NB10)
		show_record(m, cv, DC_S_CV_INFO_PDB20, label);
}

/* A LOCATION_DESCRIPTOR field: size and RVA, then what the bytes are. */
static void follow_location(struct dci_md *m, const struct dc_field_desc *fd,
			    const struct dci_cur *c, uint64_t off)
{
	uint32_t size, rva;
	struct dci_cur blob;
	if (!dci_at_u32(c, off + DC_OFF_MINIDUMP_LOCATION_DESCRIPTOR_DataSize, &size) ||
	    !dci_at_u32(c, off + DC_OFF_MINIDUMP_LOCATION_DESCRIPTOR_Rva, &rva) || size == 0)
		return;
	if (!dci_cur_sub(&m->file, rva, size, &blob)) {
		dci_diag(m, DC_RULE_REF_IN_FILE, c->base + off,
			 "%s: %u bytes at 0x%X end past the file end 0x%llX", fd->name, size, rva,
			 (unsigned long long)m->file.len);
		return;
	}
	if (fd->ref != DC_REF_MEMORY && fd->ref != DC_REF_BLOB && rva % 4)
		dci_diag(m, DC_RULE_LAYOUT_RVA_ALIGNMENT, c->base + off, "%s: record RVA 0x%X",
			 fd->name, rva);
	switch (fd->ref) {
	case DC_REF_CONTEXT: dci_check_context(m, &blob); break;
	case DC_REF_CV: check_cv(m, &blob); break;
	case DC_REF_MISC: check_misc(m, &blob); break;
	default: break;
	}
	VIS(m, blob, fd->name, blob.base, blob.len);
	if (m->vis && fd->ref == DC_REF_CV)
		show_cv(m, &blob, "CodeView");
	else if (m->vis && fd->ref == DC_REF_MISC && blob.len >= DC_SIZE_IMAGE_DEBUG_MISC)
		dci_show_struct(m, DC_S_IMAGE_DEBUG_MISC, &blob, "Misc");
}

/* One object-information node at `rva`; false (and a finding) if it is bad. */
static bool objinfo_node(struct dci_md *m, uint32_t rva, uint64_t at, uint32_t *next)
{
	uint32_t size;
	struct dci_cur node;
	if (!dci_cur_sub(&m->file, rva, DC_SIZE_MINIDUMP_HANDLE_OBJECT_INFORMATION, &node) ||
	    !dci_at_u32(&node, DC_OFF_MINIDUMP_HANDLE_OBJECT_INFORMATION_SizeOfInfo, &size) ||
	    !dci_cur_has(&m->file, (uint64_t)rva + DC_SIZE_MINIDUMP_HANDLE_OBJECT_INFORMATION, size)) {
		dci_diag(m, DC_RULE_HANDLEDATA_OBJINFO_CHAIN, at,
			 "object information at 0x%X does not fit the file", rva);
		return false;
	}
	dci_at_u32(&node, DC_OFF_MINIDUMP_HANDLE_OBJECT_INFORMATION_NextInfoRva, next);
	dci_walk_struct(m, DC_S_MINIDUMP_HANDLE_OBJECT_INFORMATION, &node, NULL, NULL);
	return true;
}

/* Brent's cycle detection: linear in the chain, no allocation. */
static void follow_objinfo(struct dci_md *m, const char *label, uint32_t rva, uint64_t at)
{
	uint32_t tortoise = rva, hare = rva, next;
	uint64_t power = 1, lam = 0;
	(void)label; /* the chain is shown beside its RVA field, under its own key */
	VIS(m, begin_array, "ObjectInfo", 0);
	while (hare && dci_step(m, 1)) {
		if (!objinfo_node(m, hare, at, &next))
			break;
		hare = next;
		if (hare && hare == tortoise) {
			dci_diag(m, DC_RULE_HANDLEDATA_OBJINFO_CHAIN, at,
				 "object information chain from 0x%X loops at 0x%X", rva, hare);
			break;
		}
		if (++lam == power) {
			tortoise = hare;
			power *= 2;
			lam = 0;
		}
	}
	if (m->vis && m->vis->end_array)
		m->vis->end_array(m->vis->ctx);
}

void dci_follow_ref(struct dci_md *m, const struct dc_field_desc *fd, const struct dci_cur *c,
		    uint64_t off)
{
	uint64_t rva = 0;
	if (fd->type != DC_FT_STRUCT &&
	    !dci_at_uint(c, off, (unsigned)dc_field_width(fd), &rva))
		return;
	uint64_t at = c->base + off;
	switch (fd->ref) {
	case DC_REF_STRING:
		if (rva || fd->ref_rule < DC_RULE_COUNT)
			follow_string(m, fd, rva, at);
		break;
	case DC_REF_UTF8:
		if (rva)
			follow_utf8(m, fd->name, rva, at);
		break;
	case DC_REF_OBJINFO:
		if (rva)
			follow_objinfo(m, fd->name, (uint32_t)rva, at);
		break;
	default:
		if (fd->type == DC_FT_STRUCT)
			follow_location(m, fd, c, off);
		break;
	}
}
