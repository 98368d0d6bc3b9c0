/*
 * fieldgatectl import|export people|territories|outlets|cells: bulk loads
 * of a company's roster and geography (docs/PLACES.md). The CSV is read
 * by rules/csv.h, each row checked here (columns, numbers, codes), then
 * streamed into db/store_places.h's staging COPY; the database checks the
 * rest. All or nothing: one bad row and nothing is written.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db/store_places.h"
#include "gateway/ctl.h"
#include "rules/csv.h"

#define MAX_VALUES 14
#define VALUE_MAX 512

void ctl_import_usage(FILE *f)
{
	fprintf(f, "usage: fieldgatectl import KIND FILE.csv|- [--dry-run] "
		   "[--max-errors N] [--mcc MCC]\n"
		   "       fieldgatectl export KIND [FILE.csv|-]\n"
		   "KIND: people, territories, outlets or cells.\n"
		   "\n"
		   "import: all or nothing, in one transaction. Every bad "
		   "row is reported as\n"
		   "  FILE:LINE: reason (up to --max-errors, default 20), "
		   "then their count,\n"
		   "  and nothing is written. Importing again updates rows "
		   "by their natural\n"
		   "  key (phone, code, outlet code, mcc+mnc+lac+cid); "
		   "nothing is deleted.\n"
		   "  --dry-run checks everything and writes nothing. A "
		   "header line is\n"
		   "  optional. --mcc keeps the cells of one country. On a "
		   "terminal a\n"
		   "  progress line shows rows, rows/s and the time left.\n"
		   "Columns:\n"
		   "  people       phone,name,role,supervisor_phone,"
		   "territories (codes, ';')\n"
		   "  territories  code,name,parent,time_zone,lat,lon,"
		   "radius_m,lacs[,neighbour_lacs,tolerance_m]\n"
		   "  outlets      code,name,address,territory[,lat,lon,"
		   "phone]\n"
		   "  cells        radio,mcc,net,area,cell,unit,lon,lat,"
		   "range,samples,changeable,\n"
		   "               created,updated,averageSignal "
		   "(OpenCellID)\n"
		   "export: the same columns with a header, to FILE or "
		   "standard output;\n"
		   "  importing the export changes nothing.\n" CTL_CONN_HELP);
}

/* Columns a row may have, and the header's first name. */
static const struct {
	size_t min, max;
	const char *first;
} shape[] = {
		[DB_IMPORT_PEOPLE] = {4, 5, "phone"},
		[DB_IMPORT_TERRITORIES] = {8, 10, "code"},
		[DB_IMPORT_OUTLETS] = {4, 7, "code"},
		[DB_IMPORT_CELLS] = {14, 14, "radio"},
};

/* One row's canonical values (db_import_row()'s input). */
struct row {
	char v[MAX_VALUES][VALUE_MAX];
	const char *p[MAX_VALUES];
	char why[200];
};

static int bad(struct row *r, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));

static int bad(struct row *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return -1;
}

/* The field trimmed of spaces, into out (VALUE_MAX). */
static void trimmed(const struct csv_record *rec, size_t i, char *out)
{
	const char *s = i < rec->n ? rec->fields[i] : "";
	size_t len = i < rec->n ? rec->lens[i] : 0;

	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= VALUE_MAX)
		len = VALUE_MAX - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

static bool parse_int(
		const char *s, long long min, long long max, long long *ret)
{
	char *end;
	long long v;

	if (!*s)
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*ret = v;
	return true;
}

static bool parse_double(const char *s, double min, double max)
{
	char *end;
	double v;

	if (!*s || !(s[0] == '-' || s[0] == '+' || s[0] == '.' ||
				   (s[0] >= '0' && s[0] <= '9')))
		return false;
	v = strtod(s, &end);
	return !*end && isfinite(v) && v >= min && v <= max;
}

/* Column @col (1-based in messages) as an integer in [min, max]. */
static int want_int(struct row *r, size_t i, const char *name, long long min,
		long long max, bool optional)
{
	long long v;

	if (!r->v[i][0] && optional) {
		r->p[i] = NULL;
		return 0;
	}
	if (!parse_int(r->v[i], min, max, &v))
		return bad(r,
				"column %zu (%s): bad number '%s' (want "
				"%lld..%lld)",
				i + 1, name, r->v[i], min, max);
	return 0;
}

static int want_double(struct row *r, size_t i, const char *name, double min,
		double max)
{
	if (!parse_double(r->v[i], min, max))
		return bad(r, "column %zu (%s): bad number '%s'", i + 1, name,
				r->v[i]);
	return 0;
}

static int want_text(struct row *r, size_t i, const char *name, size_t max)
{
	if (!r->v[i][0])
		return bad(r, "column %zu (%s) is empty", i + 1, name);
	if (strlen(r->v[i]) > max)
		return bad(r, "column %zu (%s) longer than %zu bytes", i + 1,
				name, max);
	return 0;
}

static bool code_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < DB_CODE_MAX && !strpbrk(s, " \t\r\n;,");
}

static int want_phone(struct row *r, size_t i, const char *name, bool optional)
{
	char norm[DB_PHONE_MAX];

	if (!r->v[i][0]) {
		if (optional) {
			r->p[i] = NULL;
			return 0;
		}
		return bad(r, "column %zu (%s) is empty", i + 1, name);
	}
	if (db_phone_normalize(r->v[i], norm) < 0)
		return bad(r, "column %zu (%s): bad phone number '%s'", i + 1,
				name, r->v[i]);
	snprintf(r->v[i], VALUE_MAX, "%s", norm);
	return 0;
}

/*
 * A list of codes or LACs separated by ';', '|' or spaces, rewritten as
 * ';'-joined canonical items. LACs: decimal, or hex with 0x or A-F.
 */
static int want_list(struct row *r, size_t i, const char *name, bool lacs)
{
	char in[VALUE_MAX], out[VALUE_MAX] = "", *tok, *save = NULL;
	size_t used = 0;

	snprintf(in, sizeof(in), "%s", r->v[i]);
	for (tok = strtok_r(in, ";| \t", &save); tok;
			tok = strtok_r(NULL, ";| \t", &save)) {
		char item[DB_CODE_MAX + 8];

		if (lacs) {
			bool hex = !strncmp(tok, "0x", 2) ||
				   !strncmp(tok, "0X", 2) ||
				   strpbrk(tok, "abcdefABCDEF");
			const char *d = tok +
					(strncmp(tok, "0x",
							 2) && strncmp(tok, "0X",
									       2)
									? 0
									: 2);
			char *end;
			long long v;

			errno = 0;
			v = strtoll(d, &end, hex ? 16 : 10);
			if (!*d || *end || errno || v < 0 || v > 0xFFFFFF)
				return bad(r,
						"column %zu (%s): bad LAC "
						"'%s'",
						i + 1, name, tok);
			snprintf(item, sizeof(item), "%lld", v);
		} else {
			if (!code_ok(tok))
				return bad(r,
						"column %zu (%s): bad "
						"territory code '%s'",
						i + 1, name, tok);
			snprintf(item, sizeof(item), "%s", tok);
		}
		if (used + strlen(item) + 2 > sizeof(out))
			return bad(r, "column %zu (%s) too long", i + 1, name);
		used += (size_t) snprintf(out + used, sizeof(out) - used,
				"%s%s", used ? ";" : "", item);
	}
	snprintf(r->v[i], VALUE_MAX, "%s", out);
	if (!out[0])
		r->p[i] = NULL;
	return 0;
}

static int check_people(struct row *r)
{
	enum db_role role;

	if (want_phone(r, 0, "phone", false) < 0 ||
			want_text(r, 1, "name", DB_NAME_MAX - 1) < 0)
		return -1;
	if (db_role_parse(r->v[2], &role) < 0)
		return bad(r,
				"column 3 (role): '%s' is not rep, supervisor "
				"or "
				"admin",
				r->v[2]);
	if (want_phone(r, 3, "supervisor", true) < 0 ||
			want_list(r, 4, "territories", false) < 0)
		return -1;
	if (strlen(r->v[4]) >= DB_NAME_MAX)
		return bad(r, "column 5 (territories) too long");
	return 0;
}

static int check_position(struct row *r, size_t lat, size_t lon)
{
	if (!r->v[lat][0] && !r->v[lon][0]) {
		r->p[lat] = r->p[lon] = NULL;
		return 0;
	}
	if (!r->v[lat][0] || !r->v[lon][0])
		return bad(r,
				"columns %zu and %zu: give both lat and lon or "
				"neither",
				lat + 1, lon + 1);
	if (want_double(r, lat, "lat", -90, 90) < 0 ||
			want_double(r, lon, "lon", -180, 180) < 0)
		return -1;
	return 0;
}

static int check_territories(struct row *r)
{
	if (want_text(r, 0, "code", DB_CODE_MAX - 1) < 0)
		return -1;
	if (!code_ok(r->v[0]))
		return bad(r, "column 1 (code): '%s' has a space, ',' or ';'",
				r->v[0]);
	if (want_text(r, 1, "name", DB_NAME_MAX - 1) < 0)
		return -1;
	if (!r->v[2][0])
		r->p[2] = NULL;
	else if (!code_ok(r->v[2]))
		return bad(r, "column 3 (parent): bad code '%s'", r->v[2]);
	if (!r->v[3][0])
		r->p[3] = NULL;
	else if (strlen(r->v[3]) >= DB_SHORT_MAX)
		return bad(r, "column 4 (time_zone) too long");
	if (check_position(r, 4, 5) < 0)
		return -1;
	if ((r->p[4] != NULL) != (r->v[6][0] != '\0'))
		return bad(r, "columns 5-7: a centre needs a radius and a "
			      "radius a centre");
	if (want_int(r, 6, "radius_m", 0, 20000000, true) < 0 ||
			want_list(r, 7, "lacs", true) < 0 ||
			want_list(r, 8, "neighbour_lacs", true) < 0 ||
			want_int(r, 9, "tolerance_m", 0, 1000000, true) < 0)
		return -1;
	return 0;
}

static int check_outlets(struct row *r)
{
	char *c;
	bool digit = false;

	if (want_text(r, 0, "code", 16) < 0)
		return -1;
	for (c = r->v[0]; *c; c++) {
		if (*c >= 'a' && *c <= 'z')
			*c = (char) (*c - 'a' + 'A');
		if (*c >= '0' && *c <= '9')
			digit = true;
		else if (!((*c >= 'A' && *c <= 'Z') || *c == '-' || *c == '_'))
			return bad(r,
					"column 1 (code): '%s' is not 2-16 of "
					"A-Z 0-9 - _",
					r->v[0]);
	}
	if (strlen(r->v[0]) < 2 || !digit)
		return bad(r,
				"column 1 (code): '%s' needs 2-16 characters "
				"and "
				"a digit",
				r->v[0]);
	if (want_text(r, 1, "name", DB_NAME_MAX - 1) < 0 ||
			want_text(r, 3, "territory", DB_CODE_MAX - 1) < 0)
		return -1;
	if (!code_ok(r->v[3]))
		return bad(r, "column 4 (territory): bad code '%s'", r->v[3]);
	if (check_position(r, 4, 5) < 0 || want_phone(r, 6, "phone", true) < 0)
		return -1;
	return 0;
}

static int check_cells(struct row *r)
{
	static const char *const radios[] = {
			"GSM", "UMTS", "CDMA", "LTE", "NR", "NBIOT"};
	size_t i;
	char *c;

	for (c = r->v[0]; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char) (*c - 'a' + 'A');
	for (i = 0; i < sizeof(radios) / sizeof(radios[0]); i++)
		if (!strcmp(r->v[0], radios[i]))
			break;
	if (i == sizeof(radios) / sizeof(radios[0]))
		return bad(r, "column 1 (radio): unknown '%s'", r->v[0]);
	if (want_int(r, 1, "mcc", 0, 999, false) < 0 ||
			want_int(r, 2, "net", 0, 999, false) < 0 ||
			want_int(r, 3, "area", 0, 4294967295LL, false) < 0 ||
			want_int(r, 4, "cell", 0, 68719476735LL, false) < 0 ||
			want_int(r, 5, "unit", -1, 2147483647, true) < 0 ||
			want_double(r, 6, "lon", -180, 180) < 0 ||
			want_double(r, 7, "lat", -90, 90) < 0 ||
			want_int(r, 8, "range", 0, 2147483647, false) < 0 ||
			want_int(r, 9, "samples", 0, 2147483647, false) < 0 ||
			want_int(r, 10, "changeable", 0, 1, false) < 0 ||
			want_int(r, 11, "created", 0, 1LL << 40, true) < 0 ||
			want_int(r, 12, "updated", 0, 1LL << 40, true) < 0 ||
			want_int(r, 13, "averageSignal", -2147483647,
					2147483647, true) < 0)
		return -1;
	return 0;
}

struct import_run {
	const char *prog;
	const char *file; /* for messages */
	unsigned long max_errors;
	unsigned long errors;
	int fd;
};

static void problem(void *user, int64_t line, const char *reason)
{
	struct import_run *run = user;

	if (run->errors++ < run->max_errors)
		fprintf(stderr, "%s:%lld: %s\n", run->file, (long long) line,
				reason);
}

static ssize_t fd_read(void *user, char *buf, size_t size)
{
	struct import_run *run = user;
	ssize_t n = read(run->fd, buf, size);

	return n < 0 ? -errno : n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

/* "\r  120000 rows  85000 rows/s  ETA 4s" on a terminal. */
static void progress(
		int64_t rows, double t0, uint64_t bytes, off_t total, bool done)
{
	double el = now_s() - t0, rate = el > 0 ? rows / el : 0;

	fprintf(stderr, "\r  %lld rows  %.0f rows/s", (long long) rows, rate);
	if (total > 0 && bytes > 0 && !done) {
		double eta = el * ((double) total / (double) bytes - 1);

		fprintf(stderr, "  %3.0f%%  ETA %.0fs   ",
				100.0 * (double) bytes / (double) total,
				eta > 0 ? eta : 0);
	} else {
		fprintf(stderr, "%s", done ? "  done              \n" : "   ");
	}
}

static int parse_args(int argc, char **argv, enum db_import_kind *kind,
		const char **file, bool *dry, unsigned long *max_errors,
		long long *mcc)
{
	static const char prog[] = "fieldgatectl import";
	bool json = false, has_kind = false;
	unsigned long v;
	int i, r;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		r = ctl_common_option(argc, argv, &i, &json, ctl_import_usage);
		if (r == CTL_OPT_TAKEN)
			continue;
		if (r != CTL_OPT_OTHER)
			return r;
		if (!strcmp(a, "--dry-run")) {
			*dry = true;
		} else if (!strcmp(a, "--max-errors") && i + 1 < argc) {
			if (ctl_parse_uint(argv[++i], 1000000, max_errors) < 0)
				return ctl_bad_option(prog, a);
		} else if (!strcmp(a, "--mcc") && i + 1 < argc) {
			if (ctl_parse_uint(argv[++i], 999, &v) < 0)
				return ctl_bad_option(prog, a);
			*mcc = (long long) v;
		} else if (a[0] == '-' && a[1] != '\0') {
			return ctl_bad_option(prog, a);
		} else if (!has_kind) {
			if (db_import_kind_parse(a, kind) < 0) {
				fprintf(stderr,
						"%s: unknown kind '%s' "
						"(people, territories, "
						"outlets, cells)\n",
						prog, a);
				return CTL_EXIT_USAGE;
			}
			has_kind = true;
		} else if (!*file) {
			*file = a;
		} else {
			fprintf(stderr, "%s: one KIND and one FILE\n", prog);
			return CTL_EXIT_USAGE;
		}
	}
	if (!has_kind || !*file) {
		fprintf(stderr,
				"%s: need KIND and FILE (or - for standard "
				"input)\n",
				prog);
		return CTL_EXIT_USAGE;
	}
	return -1;
}

/* Checks one record into r; -1 with r->why when bad. */
static int check_record(enum db_import_kind kind, const struct csv_record *rec,
		struct row *r)
{
	size_t i;

	if (rec->n < shape[kind].min || rec->n > shape[kind].max) {
		if (shape[kind].min == shape[kind].max)
			return bad(r, "wrong column count: %zu, want %zu",
					rec->n, shape[kind].min);
		return bad(r, "wrong column count: %zu, want %zu to %zu",
				rec->n, shape[kind].min, shape[kind].max);
	}
	for (i = 0; i < MAX_VALUES; i++) {
		trimmed(rec, i, r->v[i]);
		r->p[i] = r->v[i];
	}
	switch (kind) {
	case DB_IMPORT_PEOPLE:
		return check_people(r);
	case DB_IMPORT_TERRITORIES:
		return check_territories(r);
	case DB_IMPORT_OUTLETS:
		return check_outlets(r);
	case DB_IMPORT_CELLS:
		return check_cells(r);
	}
	return bad(r, "unknown kind");
}

static int cmd_import(int argc, char **argv)
{
	static const char prog[] = "fieldgatectl import";
	enum db_import_kind kind = DB_IMPORT_PEOPLE;
	const char *file = NULL;
	bool dry = false, tty = isatty(2) == 1;
	unsigned long max_errors = 20;
	long long mcc = -1;
	struct import_run run = {prog, NULL, 0, 0, -1};
	struct db_import_counts counts;
	struct db_import *im = NULL;
	struct csv_reader *csv = NULL;
	struct csv_record rec;
	struct ctl_session s;
	struct db_error err;
	struct stat st;
	struct row *row;
	int64_t staged = 0, skipped = 0, n_rec = 0;
	double t0 = now_s(), last = 0;
	off_t total = 0;
	int r, rc = CTL_EXIT_FAIL;

	r = parse_args(argc, argv, &kind, &file, &dry, &max_errors, &mcc);
	if (r >= 0)
		return r;
	if (mcc >= 0 && kind != DB_IMPORT_CELLS) {
		fprintf(stderr, "%s: --mcc is for cells only\n", prog);
		return CTL_EXIT_USAGE;
	}
	run.max_errors = max_errors;
	run.file = strcmp(file, "-") ? file : "<stdin>";
	run.fd = strcmp(file, "-") ? open(file, O_RDONLY | O_CLOEXEC) : 0;
	if (run.fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, file, strerror(errno));
		return CTL_EXIT_FAIL;
	}
	if (fstat(run.fd, &st) == 0 && S_ISREG(st.st_mode))
		total = st.st_size;
	row = malloc(sizeof(*row));
	if (!row || csv_new(NULL, fd_read, &run, &csv) < 0) {
		fprintf(stderr, "%s: out of memory\n", prog);
		goto out_close;
	}
	if (ctl_open(prog, true, &s) < 0)
		goto out_close;
	r = db_import_begin(s.db, kind, &im, &err);
	if (r < 0) {
		ctl_db_error(&s, "starting the import", r, &err);
		goto out_session;
	}
	while ((r = csv_next(csv, &rec)) != 0) {
		if (r == -ENOMEM || (r < 0 && r != -EILSEQ && r != -EBADMSG &&
						    r != -E2BIG)) {
			fprintf(stderr, "%s: %s: %s\n", prog, run.file,
					r == -ENOMEM ? "out of memory"
						     : strerror(-r));
			goto out_import;
		}
		if (r < 0) {
			problem(&run, csv_error_line(csv), csv_error(csv));
			continue;
		}
		if (n_rec++ == 0 && csv_is_header(&rec, shape[kind].first))
			continue;
		if (check_record(kind, &rec, row) < 0) {
			problem(&run, rec.line, row->why);
			continue;
		}
		if (mcc >= 0 && strtoll(row->v[1], NULL, 10) != mcc) {
			skipped++;
			continue;
		}
		r = db_import_row(im, rec.line, row->p, &err);
		if (r < 0) {
			ctl_db_error(&s, "staging a row", r, &err);
			goto out_import;
		}
		staged++;
		if (tty && (staged & 1023) == 0 && now_s() - last > 0.25) {
			last = now_s();
			progress(staged, t0, csv_bytes_read(csv), total, false);
		}
	}
	if (tty && staged >= 1024) {
		progress(staged, t0, csv_bytes_read(csv), total, true);
		fprintf(stderr, "  checking...\r");
	}
	r = db_import_check(im,
			max_errors > run.errors ? max_errors - run.errors : 0,
			problem, &run, &err);
	if (r < 0) {
		ctl_db_error(&s, "checking the rows", r, &err);
		goto out_import;
	}
	if (run.errors) {
		if (run.errors > run.max_errors)
			fprintf(stderr, "%s: ... and %lu more\n", prog,
					run.errors - run.max_errors);
		fprintf(stderr, "%s: %lu bad row%s in %s: nothing imported\n",
				prog, run.errors, run.errors == 1 ? "" : "s",
				run.file);
		goto out_import;
	}
	if (tty && staged >= 1024)
		fprintf(stderr, "  writing... \r");
	r = db_import_apply(im, &counts, &err);
	if (r < 0) {
		ctl_db_error(&s, "writing the rows", r, &err);
		goto out_import;
	}
	r = db_import_end(im, !dry, &err);
	im = NULL;
	if (tty && staged >= 1024)
		fprintf(stderr, "             \r");
	if (r < 0) {
		ctl_db_error(&s, "committing", r, &err);
		goto out_session;
	}
	printf("%s: %lld rows: %lld new, %lld updated, %lld unchanged",
			db_import_kind_name(kind), (long long) counts.rows,
			(long long) counts.inserted, (long long) counts.updated,
			(long long) counts.unchanged);
	if (skipped)
		printf(", %lld skipped (mcc)", (long long) skipped);
	printf("%s (%.1f s)\n", dry ? " (dry run: nothing written)" : "",
			now_s() - t0);
	rc = CTL_EXIT_OK;
out_import:
	(void) db_import_end(im, false, NULL);
out_session:
	ctl_close(&s);
out_close:
	csv_free(csv);
	free(row);
	if (run.fd > 0)
		close(run.fd);
	return rc;
}

static int fd_write(void *user, const char *data, size_t len)
{
	FILE *f = user;

	return fwrite(data, 1, len, f) == len ? 0 : -EIO;
}

static int cmd_export(int argc, char **argv)
{
	static const char prog[] = "fieldgatectl export";
	enum db_import_kind kind = DB_IMPORT_PEOPLE;
	const char *file = NULL;
	bool json = false, has_kind = false;
	struct ctl_session s;
	struct db_error err;
	FILE *out = stdout;
	int i, r;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		r = ctl_common_option(argc, argv, &i, &json, ctl_import_usage);
		if (r == CTL_OPT_TAKEN)
			continue;
		if (r != CTL_OPT_OTHER)
			return r;
		if (a[0] == '-' && a[1] != '\0')
			return ctl_bad_option(prog, a);
		if (!has_kind) {
			if (db_import_kind_parse(a, &kind) < 0) {
				fprintf(stderr, "%s: unknown kind '%s'\n", prog,
						a);
				return CTL_EXIT_USAGE;
			}
			has_kind = true;
		} else if (!file) {
			file = a;
		} else {
			return ctl_bad_option(prog, a);
		}
	}
	if (!has_kind) {
		fprintf(stderr, "%s: need KIND\n", prog);
		return CTL_EXIT_USAGE;
	}
	if (ctl_open(prog, true, &s) < 0)
		return CTL_EXIT_FAIL;
	if (file && strcmp(file, "-") && !(out = fopen(file, "w"))) {
		fprintf(stderr, "%s: %s: %s\n", prog, file, strerror(errno));
		ctl_close(&s);
		return CTL_EXIT_FAIL;
	}
	r = db_export(s.db, kind, fd_write, out, &err);
	if (r < 0)
		ctl_db_error(&s, "exporting", r, &err);
	ctl_close(&s);
	if (out != stdout && fclose(out) != 0 && r >= 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, file, strerror(errno));
		r = -EIO;
	} else if (out == stdout && fflush(stdout) != 0 && r >= 0) {
		r = -EIO;
	}
	return r < 0 ? CTL_EXIT_FAIL : CTL_EXIT_OK;
}

int ctl_import_run(int argc, char **argv)
{
	return cmd_import(argc, argv);
}

int ctl_export_run(int argc, char **argv)
{
	return cmd_export(argc, argv);
}
