#!/bin/sh
# make check entry: runs tests/unit/check_db inside a throwaway PostgreSQL.
# with-pg.sh exits 77 (skip) when no server can start, or 99 with
# FIELDGATE_REQUIRE_PG=1.
srcdir=${top_srcdir:-$(dirname "$0")/../..}
builddir=${top_builddir:-.}
exec "$srcdir/tests/pg/with-pg.sh" "$builddir/tests/unit/check_db"
