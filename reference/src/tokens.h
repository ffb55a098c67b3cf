/* The shape of a MINIDUMP_TOKEN_INFO_LIST (TokenStream), in one place: the
 * validator reports it (rule token.size), the model check refuses a token
 * list the writer would copy into an invalid stream. */
#ifndef DCI_TOKENS_H
#define DCI_TOKENS_H

#include "cursor.h"

/* The list inside the stream `sc`: `list` is its TokenListSize bytes, `pos`
 * where the first element starts (ListHeaderSize), `entries` its
 * TokenListEntries. False when the header is short or its sizes do not fit
 * the stream. */
bool dci_token_list(const struct dci_cur *sc, struct dci_cur *list, uint64_t *pos,
		    uint32_t *entries);

/* The element at `*pos` of `list` into `elem` (its TokenSize bytes), and
 * `*pos` past it. False when its TokenSize is below the element header or
 * the element does not fit the list. */
bool dci_token_next(const struct dci_cur *list, uint64_t *pos, struct dci_cur *elem);

#endif
