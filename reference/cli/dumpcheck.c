/* dumpcheck: validate, dump and list the rules of Windows minidumps; run
 * the reference writer on a scenario.
 * Exit codes: 0 conformant, 1 non-conformant, 2 usage or input-file error. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/dumpcheck.h"
#include "dumpcheck/kdump.h"
#include "dumpcheck/print.h"
#include "dumpcheck/report.h"
#include "cli.h"


static const char *const usage_main =
	"usage: dumpcheck COMMAND [OPTIONS] ...\n"
	"\n"
	"commands:\n"
	"  validate FILE...   check minidumps (and kernel dumps) against the conformance rules\n"
	"  dump FILE          print every stream and field of a minidump (kernel dump: header, runs, bitmap)\n"
	"  rules              list the conformance rules\n"
	"  write SCENARIO OUT run the reference writer on a scenario\n"
	"  corpus OUT_DIR     materialise the conformance cases of spec/cases\n"
	"  check-trace TRACE [DUMP]  check a writer trace (and its dump) against cb.* rules\n"
	"  conform --writer W run the scenarios through a writer adapter and check each run\n"
	"  dcb-run SCRIPT TRACE  run a DriverCallback script on the reference model\n"
	"  dcb-check TRACE    check a DriverCallback notification trace against dcb.* rules\n"
	"  filter-run SCENARIO  run a filter-stack scenario on the reference crash-dump stack\n"
	"  filter-check TRACE [IMAGE]  check a filter-stack trace against filter.* rules\n"
	"  kdump-write SCENARIO OUT  write the kernel dump a kernel-dump scenario describes\n"
	"  kdump-page FILE PFN  print the file offset of a physical page of a kernel dump\n"
	"  help [COMMAND]     show help\n"
	"\n"
	"exit codes: 0 conformant, 1 non-conformant, 2 usage or input-file error\n";

static const char *const usage_validate =
	"usage: dumpcheck validate [--format text|json|junit|tap|sarif] [--strict] [--kdump] FILE...\n"
	"\n"
	"Validates each FILE and reports every finding: rule id, level, file offset\n"
	"and reason. Verdicts: y conformant, n non-conformant (a MUST rule fired),\n"
	"i conformant but relying on implementation-defined behaviour.\n"
	"\n"
	"  --format F   report format (default text)\n"
	"  --strict     stop each file at its first MUST violation\n"
	"  --kdump      judge every FILE as a kernel crash dump (kdump.* rules);\n"
	"               without it a file starting 'PAGE' + 'DUMP'/'DU64' is one\n"
	"  -o FILE      write the report to FILE instead of standard output\n"
	"\n"
	"exit codes: 0 all conformant, 1 a file is non-conformant, 2 usage error or\n"
	"a file could not be read\n";

static const char *const usage_dump =
	"usage: dumpcheck dump [--json] FILE\n"
	"\n"
	"Prints the header and every stream, structure and field of FILE, as the\n"
	"generated tables of spec/ describe them, then the findings.\n"
	"\n"
	"  --json   one JSON document (schema \"dumpcheck-dump\", see README)\n";

static const char *const usage_rules =
	"usage: dumpcheck rules [--json]\n"
	"\n"
	"Lists every conformance rule: id, level, phase, evidence tag, text, source.\n";

int usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "dumpcheck: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n%s", usage);
	va_end(ap);
	return EXIT_USAGE;
}

bool is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

static const struct cli_opt *find_opt(const struct cli_opt *opts, const char *arg)
{
	for (; opts->name; opts++)
		if (strcmp(opts->name, arg) == 0)
			return opts;
	return NULL;
}

int cli_parse(int argc, char **argv, const char *usage, const struct cli_opt *opts,
	      const char **operands, int max, int *n)
{
	*n = 0;
	for (int i = 1; i < argc; i++) {
		const struct cli_opt *o = find_opt(opts, argv[i]);
		if (is_help(argv[i])) {
			fputs(usage, stdout);
			return -1;
		} else if (o && o->value) {
			if (i + 1 >= argc)
				return usage_error(usage, "%s needs a value", argv[i]);
			*o->value = argv[++i];
		} else if (o) {
			*o->flag = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage_error(usage, "unknown option '%s'", argv[i]);
		} else if (*n == max) {
			return usage_error(usage, "unexpected argument '%s'", argv[i]);
		} else {
			operands[(*n)++] = argv[i];
		}
	}
	return 0;
}

/* Read and validate one file into `r`. */
static void validate_one(const char *path, const struct dc_validate_opts *opts, bool kdump,
			 struct dc_file_result *r)
{
	struct dc_file f;
	memset(r, 0, sizeof(*r));
	r->path = path;
	r->err = dc_file_open(&f, path, MAX_COPY);
	if (r->err != DC_OK) {
		r->reason = r->err == DC_E_IO ? strerror(errno)
			    : r->err == DC_E_LIMIT ? "input larger than 1 GiB and not mappable"
						   : "out of memory";
		return;
	}
	r->size = f.size;
	/* a kernel dump ('PAGE' + 'DUMP'/'DU64') gets the kernel-dump validator */
	r->err = kdump || dc_kdump_sniff(f.data, f.size) ? dc_kdump_validate(f.data, f.size, opts, &r->diags)
						: dc_minidump_validate(f.data, f.size, opts, NULL, &r->diags);
	if (r->err != DC_OK)
		r->reason = "out of memory while validating";
	r->verdict = dc_diags_verdict(&r->diags);
	dc_file_close(&f);
}

static int cmd_validate(int argc, char **argv)
{
	struct dc_validate_opts opts;
	dc_validate_opts_default(&opts);
	int fmt = DC_REPORT_TEXT, nfiles = 0;
	bool kdump = false;
	const char *outpath = NULL;
	char **files = calloc((size_t)argc + 1, sizeof(char *));
	if (!files)
		return EXIT_USAGE;
	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			free(files);
			fputs(usage_validate, stdout);
			return EXIT_CONFORMANT;
		} else if (strcmp(argv[i], "--strict") == 0) {
			opts.strict = 1;
		} else if (strcmp(argv[i], "--kdump") == 0) {
			kdump = true;
		} else if (strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "-o") == 0) {
			if (i + 1 >= argc) {
				free(files);
				return usage_error(usage_validate, "%s needs a value", argv[i]);
			}
			if (argv[i][1] == 'o') {
				outpath = argv[++i];
				continue;
			}
			fmt = dc_report_format_parse(argv[++i]);
			if (fmt < 0) {
				free(files);
				return usage_error(usage_validate, "unknown format '%s'", argv[i]);
			}
		} else if (argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--") != 0) {
			free(files);
			return usage_error(usage_validate, "unknown option '%s'", argv[i]);
		} else if (strcmp(argv[i], "--") == 0) {
			while (++i < argc)
				files[nfiles++] = argv[i];
		} else {
			files[nfiles++] = argv[i];
		}
	}
	if (!nfiles) {
		free(files);
		return usage_error(usage_validate, "%s", "no FILE given");
	}
	FILE *out = stdout;
	if (outpath && !(out = fopen(outpath, "w"))) {
		fprintf(stderr, "dumpcheck: %s: %s\n", outpath, strerror(errno));
		free(files);
		return EXIT_USAGE;
	}
	struct dc_file_result *results = calloc((size_t)nfiles, sizeof(*results));
	int status = EXIT_CONFORMANT;
	if (!results) {
		fprintf(stderr, "dumpcheck: out of memory\n");
		status = EXIT_USAGE;
	}
	for (int i = 0; results && i < nfiles; i++) {
		validate_one(files[i], &opts, kdump, &results[i]);
		if (results[i].err != DC_OK) {
			fprintf(stderr, "dumpcheck: %s: %s\n", files[i], results[i].reason);
			status = EXIT_USAGE;
		} else if (results[i].verdict == DC_VERDICT_N && status == EXIT_CONFORMANT) {
			status = EXIT_NONCONFORMANT;
		}
	}
	if (results && dc_report_write(out, (enum dc_report_format)fmt, results, (size_t)nfiles) != DC_OK) {
		fprintf(stderr, "dumpcheck: cannot write the report\n");
		status = EXIT_USAGE;
	}
	for (int i = 0; results && i < nfiles; i++)
		dc_diags_free(&results[i].diags);
	free(results);
	free(files);
	if (out != stdout && fclose(out) != 0)
		status = EXIT_USAGE;
	return status;
}

/* `dump` of a kernel dump: header, runs and bitmap summary, then (text) the
 * findings of the kernel-dump validator. */
static enum dc_err dump_kdump(const struct dc_file *f, bool json, const struct dc_validate_opts *opts,
			      struct dc_diags *diags)
{
	enum dc_err err = dc_kdump_validate(f->data, f->size, opts, diags);
	if (err != DC_OK)
		return err;
	err = dc_kdump_print(f->data, f->size, json, stdout);
	if (err == DC_E_TRUNCATED) { /* a cut header: the findings say so */
		err = DC_OK;
		if (json)
			printf("{\"schema\":%d,\"format\":null,\"size\":%llu,\"error\":\"%s\"}\n",
			       DC_JSON_SCHEMA_VERSION, (unsigned long long)f->size, dc_err_name(DC_E_TRUNCATED));
	}
	if (json || err != DC_OK)
		return err;
	printf("findings: %zu\n", diags->total);
	for (size_t i = 0; i < diags->count; i++) {
		const struct dc_rule_desc *rd = &dc_rule_descs[diags->items[i].rule];
		printf("  %s %s%s @0x%llX: %s\n", rd->id, rd->impl ? "i_" : "", dc_level_name(rd->level),
		       (unsigned long long)diags->items[i].offset, diags->items[i].detail);
	}
	return ferror(stdout) ? DC_E_IO : DC_OK;
}

static int cmd_dump(int argc, char **argv)
{
	int json = 0;
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(usage_dump, stdout);
			return EXIT_CONFORMANT;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage_error(usage_dump, "unknown option '%s'", argv[i]);
		} else if (path) {
			return usage_error(usage_dump, "%s", "dump takes one FILE");
		} else {
			path = argv[i];
		}
	}
	if (!path)
		return usage_error(usage_dump, "%s", "no FILE given");
	struct dc_file f;
	enum dc_err err = dc_file_open(&f, path, MAX_COPY);
	if (err != DC_OK) {
		fprintf(stderr, "dumpcheck: %s: %s\n", path,
			err == DC_E_IO ? strerror(errno) : dc_err_name(err));
		return EXIT_USAGE;
	}
	struct dc_validate_opts opts;
	struct dc_diags diags;
	memset(&diags, 0, sizeof(diags));
	dc_validate_opts_default(&opts);
	if (dc_kdump_sniff(f.data, f.size))
		err = dump_kdump(&f, json != 0, &opts, &diags);
	else
		err = dc_minidump_print(stdout, path, f.data, f.size, json, &opts, &diags);
	int status = err != DC_OK ? EXIT_USAGE
		     : dc_diags_verdict(&diags) == DC_VERDICT_N ? EXIT_NONCONFORMANT : EXIT_CONFORMANT;
	if (err != DC_OK)
		fprintf(stderr, "dumpcheck: %s: %s\n", path, dc_err_name(err));
	dc_diags_free(&diags);
	dc_file_close(&f);
	return status;
}

static void rule_json(const struct dc_rule_desc *r, bool first)
{
	fputs(first ? "{\"id\":" : ",{\"id\":", stdout);
	dc_json_string(stdout, r->id, strlen(r->id));
	printf(",\"level\":\"%s\",\"phase\":\"%s\",\"impl\":%s,\"tag\":\"%c\",\"item\":%u,\"text\":",
	       dc_level_name(r->level), dc_phase_name(r->phase), r->impl ? "true" : "false", r->tag,
	       r->item);
	dc_json_string(stdout, r->text, strlen(r->text));
	fputs(",\"source\":", stdout);
	dc_json_string(stdout, r->source, strlen(r->source));
	fputc('}', stdout);
}

static int cmd_rules(int argc, char **argv)
{
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(usage_rules, stdout);
			return EXIT_CONFORMANT;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else {
			return usage_error(usage_rules, "unexpected argument '%s'", argv[i]);
		}
	}
	if (json)
		printf("{\"schema\":\"dumpcheck-rules\",\"version\":%d,\"rules\":[", DC_JSON_SCHEMA_VERSION);
	for (unsigned i = 0; i < DC_RULE_COUNT; i++) {
		const struct dc_rule_desc *r = &dc_rule_descs[i];
		if (json)
			rule_json(r, i == 0);
		else
			printf("%-34s %-6s %-8s %s [%c] %s (%s)\n", r->id, dc_level_name(r->level),
			       dc_phase_name(r->phase), r->impl ? "i_" : "  ", r->tag, r->text, r->source);
	}
	if (json)
		puts("]}");
	return ferror(stdout) ? EXIT_USAGE : EXIT_CONFORMANT;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error(usage_main, "%s", "no COMMAND given");
	const char *cmd = argv[1];
	if (strcmp(cmd, "validate") == 0)
		return cmd_validate(argc - 1, argv + 1);
	if (strcmp(cmd, "dump") == 0)
		return cmd_dump(argc - 1, argv + 1);
	if (strcmp(cmd, "rules") == 0)
		return cmd_rules(argc - 1, argv + 1);
	if (strcmp(cmd, "write") == 0)
		return cmd_write(argc - 1, argv + 1);
	if (strcmp(cmd, "corpus") == 0)
		return cmd_corpus(argc - 1, argv + 1);
	if (strcmp(cmd, "check-trace") == 0)
		return cmd_check_trace(argc - 1, argv + 1);
	if (strcmp(cmd, "conform") == 0)
		return cmd_conform(argc - 1, argv + 1);
	if (strcmp(cmd, "dcb-run") == 0)
		return cmd_dcb_run(argc - 1, argv + 1);
	if (strcmp(cmd, "dcb-check") == 0)
		return cmd_dcb_check(argc - 1, argv + 1);
	if (strcmp(cmd, "filter-run") == 0)
		return cmd_filter_run(argc - 1, argv + 1);
	if (strcmp(cmd, "filter-check") == 0)
		return cmd_filter_check(argc - 1, argv + 1);
	if (strcmp(cmd, "kdump-write") == 0)
		return cmd_kdump_write(argc - 1, argv + 1);
	if (strcmp(cmd, "kdump-page") == 0)
		return cmd_kdump_page(argc - 1, argv + 1);
	if (strcmp(cmd, "--version") == 0) {
		printf("dumpcheck %s\n", DC_VERSION);
		return EXIT_CONFORMANT;
	}
	if (is_help(cmd) || strcmp(cmd, "help") == 0) {
		const char *topic = argc > 2 ? argv[2] : "";
		fputs(strcmp(topic, "validate") == 0 ? usage_validate
		      : strcmp(topic, "dump") == 0   ? usage_dump
		      : strcmp(topic, "rules") == 0  ? usage_rules
		      : strcmp(topic, "write") == 0  ? usage_write
		      : strcmp(topic, "corpus") == 0 ? usage_corpus
		      : strcmp(topic, "check-trace") == 0 ? usage_check_trace
		      : strcmp(topic, "conform") == 0 ? usage_conform
		      : strcmp(topic, "dcb-run") == 0 ? usage_dcb_run
		      : strcmp(topic, "dcb-check") == 0 ? usage_dcb_check
		      : strcmp(topic, "filter-run") == 0 ? usage_filter_run
		      : strcmp(topic, "filter-check") == 0 ? usage_filter_check
		      : strcmp(topic, "kdump-write") == 0 ? usage_kdump_write
		      : strcmp(topic, "kdump-page") == 0 ? usage_kdump_page
						     : usage_main,
		      stdout);
		return EXIT_CONFORMANT;
	}
	return usage_error(usage_main, "unknown command '%s'", cmd);
}
