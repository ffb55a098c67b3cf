/* The patch language of conformance cases (spec/cases/README.md): field
 * paths resolved through the generated struct and stream tables, and small
 * + / - expressions over numbers, paths, marks and value-set names.
 *
 * The bytes are a dump under construction, possibly hostile (a case may
 * have broken any field a later path walks through), so every read is
 * bounds-checked and every sum is checked for 64-bit overflow. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "patch.h"

/* Entries of one list a path may index (far beyond any dump we write). */
#define MAX_INDEX (1ull << 32)

enum lkind { L_STRUCT, L_FIELD, L_STREAM, L_ENTRIES };

/* Where a path is while it is being resolved. */
struct loc {
	enum lkind kind;
	uint64_t off;
	uint16_t sid;                    /* L_STRUCT */
	const struct dc_field_desc *fd;  /* L_FIELD */
	bool element;                    /* L_FIELD: one element of an array field */
	const struct dc_stream_desc *sd; /* L_STREAM, L_ENTRIES (NULL: unknown type) */
};

struct scan {
	struct dci_penv *e;
	const char *s;
	size_t i;
	bool failed;
};

/* ListStream's u32 count, which spec/ leaves unnamed. */
static const struct dc_field_desc count_fd = { "count", 0, 1, DC_FT_U32, DC_FMT_DEC, DC_REF_NONE, 0, 0,
					       DC_RULE_COUNT, 4 };

static bool fail(struct scan *sc, const char *fmt, ...) DCI_PRINTF(2, 3);

static bool fail(struct scan *sc, const char *fmt, ...)
{
	if (sc->failed)
		return false;
	sc->failed = true;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(sc->e->why, sc->e->why_len, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sc->e->why_len)
		snprintf(sc->e->why + n, sc->e->why_len - (size_t)n, " (in '%s' at character %zu)", sc->s,
			 sc->i + 1);
	return false;
}

uint64_t dci_patch_load(const uint8_t *p, uint32_t width)
{
	uint64_t v = 0;
	for (uint32_t k = width; k-- > 0;)
		v = v << 8 | p[k];
	return v;
}

void dci_patch_store(uint8_t *p, uint32_t width, uint64_t v)
{
	for (uint32_t k = 0; k < width; k++, v >>= 8)
		p[k] = (uint8_t)v;
}

static bool rd(struct scan *sc, uint64_t off, uint32_t width, uint64_t *v)
{
	uint64_t end;
	*v = 0;
	if (!dci_add(off, width, &end) || end > sc->e->len)
		return fail(sc, "%u bytes at 0x%llX lie past the end of the file (0x%llX bytes)", width,
			    (unsigned long long)off, (unsigned long long)sc->e->len);
	*v = dci_patch_load(sc->e->data + off, width);
	return true;
}

/* ---------------------------------------------------------------- lexing */

static void skip_ws(struct scan *sc)
{
	while (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\t')
		sc->i++;
}

static bool is_ident_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_ident(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* An identifier at the cursor: its start and length (0 when there is none). */
static size_t ident(struct scan *sc, const char **start)
{
	size_t n = 0;
	*start = sc->s + sc->i;
	if (!is_ident_start(sc->s[sc->i]))
		return 0;
	while (is_ident(sc->s[sc->i + n]))
		n++;
	sc->i += n;
	return n;
}

static bool same(const char *a, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(a, word, n) == 0;
}

static int digit_value(char c, bool hex)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (hex && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (hex && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A decimal or 0x-hex number; `*hex` says which. */
static bool number(struct scan *sc, uint64_t *out, bool *hex)
{
	*hex = sc->s[sc->i] == '0' && (sc->s[sc->i + 1] == 'x' || sc->s[sc->i + 1] == 'X');
	uint64_t v = 0, base = *hex ? 16 : 10;
	size_t start = sc->i += *hex ? 2 : 0;
	int d;
	while ((d = digit_value(sc->s[sc->i], *hex)) >= 0) {
		if (!dci_mul(v, base, &v) || !dci_add(v, (uint64_t)d, &v))
			return fail(sc, "number too large for 64 bits");
		sc->i++;
	}
	if (sc->i == start || is_ident(sc->s[sc->i]))
		return fail(sc, "malformed number");
	*out = v;
	return true;
}

static bool expect(struct scan *sc, char c)
{
	if (sc->s[sc->i] != c)
		return fail(sc, "expected '%c'", c);
	sc->i++;
	return true;
}

/* ---------------------------------------------------------------- descriptors */

static const struct dc_field_desc *find_field(uint16_t sid, const char *name, size_t n)
{
	const struct dc_struct_desc *sd = &dc_struct_descs[sid];
	for (uint16_t k = 0; k < sd->nfields; k++)
		if (same(name, n, sd->fields[k].name))
			return &sd->fields[k];
	return NULL;
}

/* Value of the field `name` of struct `sid` at `off` (a name spec/ declares). */
static bool rd_field(struct scan *sc, uint16_t sid, uint64_t off, const char *name, uint64_t *v)
{
	const struct dc_field_desc *fd = find_field(sid, name, strlen(name));
	if (DC_NEVER(!fd))
		return fail(sc, "%s has no field %s", dc_struct_descs[sid].name, name);
	return rd(sc, off + fd->off, (uint32_t)dc_field_width(fd), v);
}

static uint16_t struct_by_name(const char *name, size_t n)
{
	for (uint16_t k = 0; k < DC_S_COUNT; k++)
		if (same(name, n, dc_struct_descs[k].name))
			return k;
	return DC_S_NONE;
}

static uint32_t scalar_width(const struct dc_field_desc *fd)
{
	switch (fd->type) {
	case DC_FT_U8:
		return 1;
	case DC_FT_U16:
		return 2;
	case DC_FT_U32:
	case DC_FT_I32:
		return 4;
	case DC_FT_U64:
		return 8;
	default:
		return 0;
	}
}

/* ---------------------------------------------------------------- roots */

/* A directory selector: a decimal index, a 0x stream type or a type name. */
static bool selector(struct scan *sc, uint32_t *index)
{
	uint64_t v = 0, type = 0, count = 0, dir = 0;
	bool by_type = true, hex;
	const char *name;
	size_t n;
	if (!expect(sc, '['))
		return false;
	if (digit_value(sc->s[sc->i], false) >= 0) {
		if (!number(sc, &v, &hex))
			return false;
		by_type = hex;
		type = v;
	} else if ((n = ident(sc, &name)) != 0) {
		char buf[80];
		if (n >= sizeof(buf) || (snprintf(buf, sizeof(buf), "%.*s", (int)n, name),
					 !dc_enum_parse(DC_E_STREAM_TYPE, buf, &type)))
			return fail(sc, "unknown stream type name '%.*s'", (int)n, name);
	} else {
		return fail(sc, "expected an index, a 0x stream type or a stream type name");
	}
	if (!expect(sc, ']'))
		return false;
	if (!sc->e->data)
		return true;
	if (!rd(sc, DC_OFF_MINIDUMP_HEADER_NumberOfStreams, 4, &count) ||
	    !rd(sc, DC_OFF_MINIDUMP_HEADER_StreamDirectoryRva, 4, &dir))
		return false;
	if (!by_type) {
		if (v >= count)
			return fail(sc, "directory index %llu, the header declares %llu entries",
				    (unsigned long long)v, (unsigned long long)count);
		*index = (uint32_t)v;
		return true;
	}
	for (uint32_t k = 0; k < count; k++) {
		uint64_t t;
		if (!rd(sc, dir + 12ull * k + DC_OFF_MINIDUMP_DIRECTORY_StreamType, 4, &t))
			return false;
		if (t == type) {
			*index = k;
			return true;
		}
	}
	return fail(sc, "no directory entry of stream type 0x%llX", (unsigned long long)type);
}

static bool root(struct scan *sc, struct loc *l)
{
	const char *name;
	size_t n = ident(sc, &name);
	uint32_t k = 0;
	uint64_t dir = 0, type = 0, rva = 0;
	memset(l, 0, sizeof(*l));
	if (same(name, n, "header")) {
		l->kind = L_STRUCT;
		l->sid = DC_S_MINIDUMP_HEADER;
		return true;
	}
	bool is_dir = same(name, n, "directory");
	if (!is_dir && !same(name, n, "stream"))
		return fail(sc, "a path starts with header, directory[...] or stream[...]");
	if (!selector(sc, &k) || !sc->e->data)
		return !sc->failed;
	if (!rd(sc, DC_OFF_MINIDUMP_HEADER_StreamDirectoryRva, 4, &dir))
		return false;
	uint64_t at = dir + 12ull * k;
	if (is_dir) {
		l->kind = L_STRUCT;
		l->sid = DC_S_MINIDUMP_DIRECTORY;
		l->off = at;
		/* the whole entry must be in the file, not just the field a path names */
		return rd(sc, at, 4, &type) && rd(sc, at + DC_SIZE_MINIDUMP_DIRECTORY - 4, 4, &type);
	}
	if (!rd(sc, at + DC_OFF_MINIDUMP_DIRECTORY_StreamType, 4, &type) ||
	    !rd(sc, at + DC_OFF_MINIDUMP_DIRECTORY_Location + DC_OFF_MINIDUMP_LOCATION_DESCRIPTOR_Rva, 4,
		&rva))
		return false;
	l->kind = L_STREAM;
	l->off = rva;
	l->sd = dc_stream_lookup((uint32_t)type);
	return true;
}

/* ---------------------------------------------------------------- streams */

/* The struct a stream's own members belong to (its header or its struct). */
static bool stream_struct(struct scan *sc, const struct loc *l, uint16_t *sid)
{
	const struct dc_stream_desc *sd = l->sd;
	uint64_t by;
	switch (sd->shape) {
	case DC_SHAPE_STRUCT:
	case DC_SHAPE_MEMORY64:
	case DC_SHAPE_VLIST:
	case DC_SHAPE_TOKEN:
	case DC_SHAPE_FUNCTION_TABLE:
		*sid = sd->header;
		return *sid != DC_S_NONE || fail(sc, "%s has no header layout", sd->name);
	case DC_SHAPE_VARIANT:
		if (!rd(sc, l->off + sd->by_off, sd->by_width, &by))
			return false;
		for (uint8_t k = 0; k < sd->nvariants; k++)
			if (sd->variants[k].value == by) {
				*sid = sd->variants[k].struct_id;
				return true;
			}
		return fail(sc, "%s: selector value %llu matches no layout", sd->name, (unsigned long long)by);
	default:
		return fail(sc, "%s has no fields (only entries, or raw bytes)", sd->name);
	}
}

/* Offset of entry `k` of a token list or function table, walking the sizes
 * the entries declare. */
static bool walk_to(struct scan *sc, const struct loc *l, uint64_t k, uint64_t *at)
{
	const struct dc_stream_desc *sd = l->sd;
	bool token = sd->shape == DC_SHAPE_TOKEN;
	uint64_t hs, ds = 0, nds = 0, fes = 0, size;
	if (!rd_field(sc, sd->header, l->off, token ? "ListHeaderSize" : "SizeOfHeader", &hs))
		return false;
	if (!token && (!rd_field(sc, sd->header, l->off, "SizeOfDescriptor", &ds) ||
		       !rd_field(sc, sd->header, l->off, "SizeOfNativeDescriptor", &nds) ||
		       !rd_field(sc, sd->header, l->off, "SizeOfFunctionEntry", &fes)))
		return false;
	if (!dci_add(l->off, hs, at))
		return fail(sc, "entry offset overflows");
	for (uint64_t j = 0; j < k; j++) {
		if (token) {
			if (!rd_field(sc, sd->entry, *at, "TokenSize", &size))
				return false;
		} else {
			uint64_t count, pad, fns;
			if (!rd_field(sc, sd->entry, *at, "EntryCount", &count) ||
			    !rd_field(sc, sd->entry, *at, "SizeOfAlignPad", &pad))
				return false;
			if (!dci_mul(count, fes, &fns) || !dci_add(ds, nds, &size) || !dci_add(size, fns, &size) ||
			    !dci_add(size, pad, &size))
				return fail(sc, "entry size overflows");
		}
		if (size == 0)
			return fail(sc, "%s entry %llu declares size 0", sd->name, (unsigned long long)j);
		if (!dci_add(*at, size, at) || *at > sc->e->len)
			return fail(sc, "%s entry %llu lies past the end of the file", sd->name,
				    (unsigned long long)j + 1);
	}
	return true;
}

/* Entry `k` of the stream at `l` as a struct location. */
static bool entry(struct scan *sc, const struct loc *l, uint64_t k, struct loc *out)
{
	const struct dc_stream_desc *sd = l->sd;
	uint64_t first = 0, stride = 0, hs = 0, es = 0;
	uint16_t sid = sd->entry;
	switch (sd->shape) {
	case DC_SHAPE_LIST32:
		first = 4;
		stride = dc_struct_descs[sid].size;
		break;
	case DC_SHAPE_MEMORY64:
		first = dc_struct_descs[sd->header].size;
		stride = dc_struct_descs[sid].size;
		break;
	case DC_SHAPE_VLIST:
		if (!rd(sc, l->off + sd->header_size_off, 4, &hs) || !rd(sc, l->off + sd->entry_size_off, 4, &es))
			return false;
		for (uint8_t a = 0; a < sd->nalts; a++)
			if (dc_struct_descs[sd->alts[a]].size == es)
				sid = sd->alts[a];
		first = hs;
		stride = es;
		break;
	case DC_SHAPE_TOKEN:
	case DC_SHAPE_FUNCTION_TABLE:
		if (!walk_to(sc, l, k, &first))
			return false;
		k = 0;
		first -= l->off;
		break;
	default:
		return fail(sc, "%s has no entries", sd->name);
	}
	if (sid == DC_S_NONE)
		return fail(sc, "%s has no entry layout", sd->name);
	uint64_t at;
	if (!dci_mul(k, stride, &at) || !dci_add(at, first, &at) || !dci_add(at, l->off, &at))
		return fail(sc, "entry offset overflows");
	memset(out, 0, sizeof(*out));
	out->kind = L_STRUCT;
	out->sid = sid;
	out->off = at;
	return true;
}

/* ---------------------------------------------------------------- steps */

static bool member(struct scan *sc, struct loc *l, const char *name, size_t n)
{
	if (l->kind == L_STREAM) {
		uint16_t sid = DC_S_NONE;
		if (!l->sd)
			return fail(sc, "a stream of unknown type has no fields");
		if (same(name, n, "entries")) {
			l->kind = L_ENTRIES;
			return true;
		}
		if (same(name, n, "count") && l->sd->shape == DC_SHAPE_LIST32) {
			l->kind = L_FIELD;
			l->fd = &count_fd;
			l->element = false;
			return true;
		}
		if (!stream_struct(sc, l, &sid))
			return false;
		l->kind = L_STRUCT;
		l->sid = sid;
	}
	if (l->kind == L_FIELD && l->fd->type == DC_FT_STRUCT && (l->fd->count == 1 || l->element)) {
		l->kind = L_STRUCT;
		l->sid = l->fd->sub;
	}
	if (l->kind != L_STRUCT)
		return fail(sc, "'%.*s': what precedes it is not a structure", (int)n, name);
	const struct dc_field_desc *fd = find_field(l->sid, name, n);
	if (!fd)
		return fail(sc, "%s has no field '%.*s'", dc_struct_descs[l->sid].name, (int)n, name);
	l->kind = L_FIELD;
	l->fd = fd;
	l->element = false;
	l->off += fd->off;
	return true;
}

static bool index_step(struct scan *sc, struct loc *l)
{
	uint64_t k;
	bool hex;
	if (!expect(sc, '[') || !number(sc, &k, &hex) || !expect(sc, ']'))
		return false;
	if (!sc->e->data)
		return true;
	if (k >= MAX_INDEX)
		return fail(sc, "index %llu too large", (unsigned long long)k);
	if (l->kind == L_ENTRIES)
		return entry(sc, l, k, l);
	if (l->kind != L_FIELD || l->fd->count <= 1 || l->element)
		return fail(sc, "[%llu]: what precedes it is not an array", (unsigned long long)k);
	if (k >= l->fd->count)
		return fail(sc, "%s has %u elements", l->fd->name, l->fd->count);
	l->off += k * (dc_field_width(l->fd) / l->fd->count);
	l->element = true;
	return true;
}

/* `->`: follow the reference the field holds to the struct it points at. */
static bool deref(struct scan *sc, struct loc *l)
{
	uint64_t target = 0;
	uint16_t sid = DC_S_NONE;
	if (l->kind != L_FIELD || l->fd->count != 1)
		return fail(sc, "'->' follows a reference field");
	switch (l->fd->ref) {
	case DC_REF_STRING:
	case DC_REF_OBJINFO:
		if (!rd(sc, l->off, scalar_width(l->fd), &target))
			return false;
		sid = l->fd->ref == DC_REF_STRING ? DC_S_MINIDUMP_STRING : DC_S_MINIDUMP_HANDLE_OBJECT_INFORMATION;
		break;
	case DC_REF_CV:
	case DC_REF_MISC:
		if (!rd(sc, l->off + DC_OFF_MINIDUMP_LOCATION_DESCRIPTOR_Rva, 4, &target))
			return false;
		sid = l->fd->ref == DC_REF_CV ? DC_S_CV_INFO_PDB70 : DC_S_IMAGE_DEBUG_MISC;
		break;
	default:
		return fail(sc, "'->': %s points at bytes without a layout (use its Rva and an offset)",
			    l->fd->name);
	}
	memset(l, 0, sizeof(*l));
	l->kind = L_STRUCT;
	l->sid = sid;
	l->off = target;
	return true;
}

/* A path at the cursor; stops at the first character that cannot continue it. */
static bool path(struct scan *sc, struct loc *l)
{
	if (!root(sc, l))
		return false;
	for (;;) {
		const char *name;
		size_t n;
		char c = sc->s[sc->i];
		bool arrow = c == '-' && sc->s[sc->i + 1] == '>';
		if (c == '[') {
			if (!index_step(sc, l))
				return false;
			continue;
		}
		if (c != '.' && !arrow)
			return true;
		sc->i += arrow ? 2 : 1;
		if ((n = ident(sc, &name)) == 0)
			return fail(sc, "expected a field name");
		if (sc->e->data && ((arrow && !deref(sc, l)) || !member(sc, l, name, n)))
			return false;
	}
}

static bool finish_loc(struct scan *sc, const struct loc *l, struct dci_ploc *out)
{
	uint64_t end;
	out->off = l->off;
	out->width = 0;
	out->enum_id = DC_E_COUNT;
	if (l->kind == L_ENTRIES)
		return fail(sc, "entries needs an index");
	if (l->kind == L_FIELD && (l->fd->count == 1 || l->element)) {
		out->width = scalar_width(l->fd);
		if (l->fd->fmt == DC_FMT_ENUM || l->fd->fmt == DC_FMT_FLAGS)
			out->enum_id = l->fd->sub;
	}
	if (out->width && (!dci_add(out->off, out->width, &end) || end > sc->e->len))
		return fail(sc, "field at 0x%llX lies past the end of the file (0x%llX bytes)",
			    (unsigned long long)out->off, (unsigned long long)sc->e->len);
	return true;
}

enum dc_err dci_patch_path(struct dci_penv *e, const char *text, struct dci_ploc *out)
{
	struct scan sc = { e, text, 0, false };
	struct loc l;
	memset(out, 0, sizeof(*out));
	if (!path(&sc, &l))
		return DC_E_MALFORMED;
	if (sc.s[sc.i])
		return fail(&sc, "unexpected '%c'", sc.s[sc.i]), DC_E_MALFORMED;
	if (e->data && !finish_loc(&sc, &l, out))
		return DC_E_MALFORMED;
	return DC_OK;
}

/* ---------------------------------------------------------------- expressions */

static bool name_term(struct scan *sc, const char *name, size_t n, uint64_t *v)
{
	struct dci_penv *e = sc->e;
	if (same(name, n, "file_size") || same(name, n, "base_size")) {
		*v = name[0] == 'f' ? e->len : e->base_size;
		return true;
	}
	if (same(name, n, "sizeof")) {
		const char *s;
		size_t sn;
		skip_ws(sc);
		if (!expect(sc, '('))
			return false;
		skip_ws(sc);
		sn = ident(sc, &s);
		skip_ws(sc);
		if (!expect(sc, ')'))
			return false;
		uint16_t sid = struct_by_name(s, sn);
		if (sid == DC_S_NONE)
			return fail(sc, "sizeof: no struct '%.*s' in spec/", (int)sn, s);
		*v = dc_struct_descs[sid].size;
		return true;
	}
	if (!e->data)
		return true; /* marks and value names are known only when applying */
	for (size_t k = 0; k < e->nmarks; k++)
		if (same(name, n, e->marks[k].name)) {
			*v = e->marks[k].off;
			return true;
		}
	char buf[96];
	if (e->enum_id != DC_E_COUNT && n < sizeof(buf)) {
		snprintf(buf, sizeof(buf), "%.*s", (int)n, name);
		if (dc_enum_parse(e->enum_id, buf, v))
			return true;
	}
	return fail(sc, "unknown name '%.*s' (not a mark%s%s)", (int)n, name,
		    e->enum_id != DC_E_COUNT ? " nor a value of " : "",
		    e->enum_id != DC_E_COUNT ? dc_enum_descs[e->enum_id].name : "");
}

static bool term(struct scan *sc, uint64_t *v)
{
	struct loc l;
	struct dci_ploc pl;
	bool addr = false, hex;
	skip_ws(sc);
	*v = 0;
	if (sc->s[sc->i] == '&') {
		addr = true;
		sc->i++;
	}
	if (!addr && digit_value(sc->s[sc->i], false) >= 0)
		return number(sc, v, &hex);
	size_t start = sc->i;
	const char *name;
	size_t n = ident(sc, &name);
	if (!n)
		return fail(sc, "expected a number, a name or a path");
	bool is_path = same(name, n, "header") || same(name, n, "directory") || same(name, n, "stream");
	if (!is_path)
		return addr ? fail(sc, "'&' takes a path") : name_term(sc, name, n, v);
	sc->i = start;
	if (!path(sc, &l))
		return false;
	if (!sc->e->data)
		return true;
	if (!finish_loc(sc, &l, &pl))
		return false;
	if (addr) {
		*v = pl.off;
		return true;
	}
	if (!pl.width)
		return fail(sc, "a value needs a scalar field (use '&' for where a structure is)");
	*v = dci_patch_load(sc->e->data + pl.off, pl.width);
	return true;
}

enum dc_err dci_patch_expr(struct dci_penv *e, const char *text, uint64_t *out)
{
	struct scan sc = { e, text, 0, false };
	uint64_t v, t;
	if (!term(&sc, &v))
		return DC_E_MALFORMED;
	for (;;) {
		skip_ws(&sc);
		char op = sc.s[sc.i];
		if (op != '+' && op != '-')
			break;
		sc.i++;
		if (!term(&sc, &t))
			return DC_E_MALFORMED;
		if (e->data && (op == '+' ? !dci_add(v, t, &v) : t > v))
			return fail(&sc, op == '+' ? "sum overflows 64 bits" : "difference below 0"),
			       DC_E_MALFORMED;
		if (op == '-')
			v -= e->data ? t : 0;
	}
	if (sc.s[sc.i])
		return fail(&sc, "unexpected '%c'", sc.s[sc.i]), DC_E_MALFORMED;
	*out = v;
	return DC_OK;
}

/* ---------------------------------------------------------------- public */

static void env_init(struct dci_penv *e, const uint8_t *data, size_t len, char *why, size_t why_len)
{
	memset(e, 0, sizeof(*e));
	e->data = data;
	e->len = len;
	e->base_size = len;
	e->enum_id = DC_E_COUNT;
	e->why = why;
	e->why_len = why_len;
}

enum dc_err dc_patch_resolve(const uint8_t *data, size_t len, const char *path_text, uint64_t *offset,
			     uint32_t *width, char *why, size_t why_len)
{
	struct dci_penv e;
	struct dci_ploc pl;
	static const uint8_t none[1];
	env_init(&e, data ? data : none, data ? len : 0, why, why_len);
	enum dc_err err = dci_patch_path(&e, path_text, &pl);
	*offset = pl.off;
	*width = pl.width;
	return err;
}

enum dc_err dc_patch_eval(const uint8_t *data, size_t len, const char *expr, uint64_t *value, char *why,
			  size_t why_len)
{
	struct dci_penv e;
	static const uint8_t none[1];
	env_init(&e, data ? data : none, data ? len : 0, why, why_len);
	return dci_patch_expr(&e, expr, value);
}

enum dc_err dc_patch_syntax(const char *text, bool is_path, char *why, size_t why_len)
{
	struct dci_penv e;
	struct dci_ploc pl;
	uint64_t v;
	env_init(&e, NULL, 0, why, why_len);
	return is_path ? dci_patch_path(&e, text, &pl) : dci_patch_expr(&e, text, &v);
}
