#!/bin/sh
# make check entry: runs tests/unit/check_places_db inside a throwaway
# PostgreSQL (skip 77 without one, see tests/pg/README).
srcdir=${top_srcdir:-$(dirname "$0")/../..}
builddir=${top_builddir:-.}
exec "$srcdir/tests/pg/with-pg.sh" "$builddir/tests/unit/check_places_db"
