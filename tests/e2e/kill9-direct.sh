#!/bin/sh
# kill9.sh with delivery = "direct" (+CMT with the PDU, acknowledged with
# AT+CNMA after the commit; the simulator re-delivers what was not
# acknowledged when the daemon died). Same assertions.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
E2E_DELIVERY=${E2E_DELIVERY:-direct}
export E2E_DELIVERY
exec "$top_srcdir/tests/e2e/kill9.sh" "$@"
