/* dumpcheck kdump-write and kdump-page: write the kernel dump a kernel-dump
 * scenario describes (streamed in chunks), and look up the file offset of a
 * physical page of a kernel dump. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dumpcheck/kdump.h"
#include "cli.h"

const char *const usage_kdump_write =
	"usage: dumpcheck kdump-write [--sparse] SCENARIO OUT\n"
	"\n"
	"Writes the kernel crash dump that the [memory] table of the kernel-dump\n"
	"scenario SCENARIO describes (spec/kdump-scenarios/README.md) to OUT, in\n"
	"64 KiB chunks: memory use does not grow with the dump's size.\n"
	"\n"
	"  --sparse   write the header (and bitmap summary and bitmap) only, then\n"
	"             extend OUT to the dump's size: the pages are holes that read\n"
	"             as zeros (a 16 GiB dump for benchmarks, in milliseconds)\n"
	"\n"
	"exit codes: 0 written, 2 usage error, unreadable scenario or write error\n";

const char *const usage_kdump_page =
	"usage: dumpcheck kdump-page FILE PFN\n"
	"\n"
	"Prints the file offset of physical page PFN (decimal or 0x hex) of the\n"
	"kernel dump FILE (a full or bitmap dump), or says the dump lacks it.\n"
	"\n"
	"exit codes: 0 the page is in the file, 1 the dump does not hold it (or\n"
	"the file is cut before it), 2 usage error or not a full/bitmap kernel dump\n";

/* The header part of the dump (up to its first page), then a hole to its size. */
static enum dc_err write_sparse(const struct dc_kdump_model *m, FILE *out)
{
	uint8_t buf[1u << 16];
	uint64_t first = 0, size = 0;
	enum dc_err err = dc_kdump_first_page(m, &first);
	if (err == DC_OK)
		err = dc_kdump_size(m, &size);
	for (uint64_t off = 0; err == DC_OK && off < first;) {
		size_t n = first - off < sizeof(buf) ? (size_t)(first - off) : sizeof(buf);
		err = dc_kdump_render(m, off, buf, n);
		if (err == DC_OK && fwrite(buf, 1, n, out) != n)
			err = DC_E_IO;
		off += n;
	}
	if (err == DC_OK && (fflush(out) != 0 || ftruncate(fileno(out), (off_t)size) != 0))
		err = DC_E_IO;
	return err;
}

int cmd_kdump_write(int argc, char **argv)
{
	const char *args[2];
	int n = 0;
	bool sparse = false;
	char why[400];
	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(usage_kdump_write, stdout);
			return EXIT_CONFORMANT;
		}
		if (strcmp(argv[i], "--sparse") == 0) {
			sparse = true;
			continue;
		}
		if (n == 2)
			return usage_error(usage_kdump_write, "%s", "kdump-write takes SCENARIO and OUT");
		args[n++] = argv[i];
	}
	if (n != 2)
		return usage_error(usage_kdump_write, "%s", "kdump-write takes SCENARIO and OUT");
	struct dc_kdump_model m;
	if (dc_kdump_scenario_load(args[0], &m, why, sizeof(why)) != DC_OK) {
		fprintf(stderr, "dumpcheck: %s\n", why);
		return EXIT_USAGE;
	}
	FILE *out = fopen(args[1], "wb");
	if (!out) {
		fprintf(stderr, "dumpcheck: %s: %s\n", args[1], strerror(errno));
		dc_kdump_model_free(&m);
		return EXIT_USAGE;
	}
	enum dc_err err = sparse ? write_sparse(&m, out) : dc_kdump_write_file(&m, out, 0);
	if (fclose(out) != 0 && err == DC_OK)
		err = DC_E_IO;
	dc_kdump_model_free(&m);
	if (err != DC_OK) {
		fprintf(stderr, "dumpcheck: %s: %s\n", args[1], dc_err_name(err));
		return EXIT_USAGE;
	}
	return EXIT_CONFORMANT;
}

int cmd_kdump_page(int argc, char **argv)
{
	if (argc == 2 && is_help(argv[1])) {
		fputs(usage_kdump_page, stdout);
		return EXIT_CONFORMANT;
	}
	if (argc != 3)
		return usage_error(usage_kdump_page, "%s", "kdump-page takes FILE and PFN");
	char *end;
	errno = 0;
	unsigned long long pfn = strtoull(argv[2], &end, 0);
	if (errno || end == argv[2] || *end || argv[2][0] == '-')
		return usage_error(usage_kdump_page, "PFN '%s' is not a number", argv[2]);
	struct dc_file f;
	enum dc_err err = dc_file_open(&f, argv[1], MAX_COPY);
	if (err != DC_OK) {
		fprintf(stderr, "dumpcheck: %s: %s\n", argv[1], err == DC_E_IO ? strerror(errno) : dc_err_name(err));
		return EXIT_USAGE;
	}
	struct dc_kdump_view v;
	bool present = false;
	uint64_t off = 0;
	int status = EXIT_USAGE;
	err = dc_kdump_open(f.data, f.size, &v);
	if (err != DC_OK) {
		fprintf(stderr, "dumpcheck: %s: not a readable full or bitmap kernel dump (%s)\n", argv[1],
			dc_err_name(err));
	} else {
		err = dc_kdump_page_offset(&v, pfn, &present, &off);
		if (!present)
			printf("PFN 0x%llX: not in the dump\n", pfn);
		else
			printf("PFN 0x%llX: file offset 0x%" PRIX64 "%s\n", pfn, off,
			       err == DC_E_TRUNCATED ? " (past the end of the file)" : "");
		status = present && err == DC_OK ? EXIT_CONFORMANT : EXIT_NONCONFORMANT;
	}
	dc_file_close(&f);
	return status;
}
