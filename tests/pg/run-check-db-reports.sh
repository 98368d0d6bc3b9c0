#!/bin/sh
# make check entry: runs tests/unit/check_db_reports in a throwaway PostgreSQL.
srcdir=${top_srcdir:-$(dirname "$0")/../..}
builddir=${top_builddir:-.}
exec "$srcdir/tests/pg/with-pg.sh" "$builddir/tests/unit/check_db_reports"
