/*
 * db/store_views.h - `fieldgatectl report`: the dashboard views
 * (migration 0005, docs/VIEWS.md) read as plain tables.
 *
 * Ownership: db_view_report() fills *out with allocated strings; free
 * them with db_view_table_free().
 */
#ifndef DB_STORE_VIEWS_H
#define DB_STORE_VIEWS_H

#include <stdbool.h>
#include <stddef.h>

#include "db/db.h"

enum db_view_report {
	DB_VIEW_COMPLIANCE, /* compliance_week, one week, per rep */
	DB_VIEW_TODAY,	    /* rep_today */
	DB_VIEW_APPROVALS,  /* pending_approvals */
};

enum db_view_kind { DB_VIEW_TEXT, DB_VIEW_NUMBER, DB_VIEW_BOOL };

struct db_view_table {
	size_t n_cols, n_rows;
	char **cols;		  /* column names */
	enum db_view_kind *kinds; /* per column */
	char **cells;		  /* n_rows * n_cols, NULL = SQL NULL */
};

/*
 * @team: a supervisor's phone (normalized) or name, NULL = everyone;
 * only their chain is shown.  @week: "2026-W23" or any date of the week
 * "2026-06-03", NULL = this week (compliance only).  -ENOENT when @team
 * names nobody.
 */
int db_view_report(struct db *db, enum db_view_report which, const char *team,
		const char *week, struct db_view_table *out,
		struct db_error *err);
void db_view_table_free(struct db_view_table *t);

#endif /* DB_STORE_VIEWS_H */
