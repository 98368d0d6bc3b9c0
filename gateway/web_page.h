/*
 * gateway/web_page.h: the web dashboard's pages as pure functions of
 * query results (struct db_web_table) and the viewer: HTML (every value
 * escaped by gateway/web_buf.h), CSV of every table, inline SVG charts.
 * No I/O, no clock: unit-tested by tests/unit/check_web_render.c.
 */
#ifndef GATEWAY_WEB_PAGE_H
#define GATEWAY_WEB_PAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "db/store_web.h"
#include "gateway/web_buf.h"

/* Chinese first; English when the viewer asked (?lang=en or cookie). */
struct web_view {
	const struct db_web_viewer *viewer; /* NULL on the login pages */
	bool en;
	const char *nav; /* "today", "compliance", ... for the menu */
};

#define WEB_TR(v, s_zh, s_en) ((v)->en ? (s_en) : (s_zh))

/* The document head, menu and title; web_page_end() closes it. */
void web_page_begin(
		struct web_buf *b, const struct web_view *v, const char *title);
void web_page_end(struct web_buf *b);

/* What a column shows. */
enum web_fmt {
	WEB_FMT_TEXT,
	WEB_FMT_BOOL,	 /* 't'/'f' as 是/否 */
	WEB_FMT_REPLINK, /* the cell is a person id: link to /rep?id= */
	WEB_FMT_VERDICT, /* a check-in verdict, as a coloured badge */
	WEB_FMT_STATE,	 /* src on_leave, src+1 missing_checkin, src+2
			    missing_report ('t'/'f'): badges */
};

struct web_col {
	size_t src; /* column of the table */
	const char *zh, *en;
	enum web_fmt fmt;
	size_t link_col; /* WEB_FMT_REPLINK: the column whose text is shown */
};

/* Whether row is a missing rep: not on leave (leave_col) and missing a
 * check-in or report (the next two columns). */
bool web_row_missing(
		const struct db_web_table *t, size_t row, size_t leave_col);

/*
 * A table of the given columns; when mark_col != (size_t)-1 a row for
 * which web_row_missing(t, row, mark_col) holds gets class="missing".
 * When csv_href is not NULL a CSV link precedes it.
 */
void web_render_table(struct web_buf *b, const struct web_view *v,
		const struct db_web_table *t, const struct web_col *cols,
		size_t ncols, size_t mark_col, const char *csv_href);

/* The same columns as CSV (UTF-8 with a BOM, CRLF lines). */
void web_render_csv(struct web_buf *b, const struct web_view *v,
		const struct db_web_table *t, const struct web_col *cols,
		size_t ncols);

/*
 * A horizontal stacked bar chart (inline SVG) of on time / late /
 * missing per row: label from label_col, the three counts from
 * on_time_col (then late, missing in the next two columns). At most
 * max_rows bars. Each bar segment is
 * <rect class="bar on_time" data-label=".." data-value="N">.
 */
void web_render_chart(struct web_buf *b, const struct web_view *v,
		const struct db_web_table *t, size_t label_col,
		size_t on_time_col, size_t max_rows);

/* A simple vertical bar chart of one count per row (alerts per day). */
void web_render_counts(struct web_buf *b, const struct db_web_table *t,
		size_t label_col, size_t value_col, size_t max_rows);

/* An error page (403, 404, ...) with a short message. */
void web_render_error(struct web_buf *b, const struct web_view *v, int status,
		const char *msg_zh, const char *msg_en);

/*
 * The login form: step 1 (phone) or, with phone set, step 2 (code).
 * csrf goes into a hidden field; note (may be NULL) is shown escaped.
 */
void web_render_login(struct web_buf *b, const struct web_view *v,
		const char *csrf, const char *phone, const char *note);

/* Today's summary line: reps, missing, on leave (numbers as text). */
void web_render_today_summary(struct web_buf *b, const struct web_view *v,
		const char *reps, const char *missing, const char *leave);

/*
 * The filter form of the today page: teams (id, name) and territories
 * (code, name), with the current choices selected (NULL = all).
 */
void web_render_today_filters(struct web_buf *b, const struct web_view *v,
		const struct db_web_table *teams,
		const struct db_web_table *territories, const char *team,
		const char *territory);

/* Week navigation of the compliance page: week, previous, next, by. */
void web_render_week_nav(struct web_buf *b, const struct web_view *v,
		const char *week, const char *prev, const char *next,
		const char *by);

/* "YYYY-MM-DD" +/- days into out[11]; -1 when not a valid date. */
int web_date_add(const char *date, int days, char out[11]);
/* True when date is a valid "YYYY-MM-DD" Monday. */
bool web_date_is_monday(const char *date);

#endif /* GATEWAY_WEB_PAGE_H */
