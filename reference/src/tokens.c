/* MINIDUMP_TOKEN_INFO_LIST shape (tokens.h). */
#include "tokens.h"

bool dci_token_list(const struct dci_cur *sc, struct dci_cur *list, uint64_t *pos,
		    uint32_t *entries)
{
	uint32_t list_size, hsize;
	if (!dci_at_u32(sc, DC_OFF_MINIDUMP_TOKEN_INFO_LIST_TokenListSize, &list_size) ||
	    !dci_at_u32(sc, DC_OFF_MINIDUMP_TOKEN_INFO_LIST_TokenListEntries, entries) ||
	    !dci_at_u32(sc, DC_OFF_MINIDUMP_TOKEN_INFO_LIST_ListHeaderSize, &hsize))
		return false;
	if (hsize < DC_SIZE_MINIDUMP_TOKEN_INFO_LIST || hsize > list_size)
		return false;
	*pos = hsize;
	return dci_cur_sub(sc, 0, list_size, list);
}

bool dci_token_next(const struct dci_cur *list, uint64_t *pos, struct dci_cur *elem)
{
	uint32_t tsize;
	if (!dci_at_u32(list, *pos, &tsize) || tsize < DC_SIZE_MINIDUMP_TOKEN_INFO_HEADER ||
	    !dci_cur_sub(list, *pos, tsize, elem))
		return false;
	*pos += tsize;
	return true;
}
