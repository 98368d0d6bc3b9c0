-- 0008: protections and gateway health (issue 9). docs/DATABASE.md.

-- An identical resend within the dedupe window is stored and marked
-- 'duplicate' (no second report, no second receipt).
ALTER TABLE inbound_messages DROP CONSTRAINT IF EXISTS inbound_messages_state_check;
ALTER TABLE inbound_messages ADD CONSTRAINT inbound_messages_state_check
	CHECK (state IN ('stored', 'handled', 'failed', 'ignored', 'duplicate'));

-- A sender caught looping (the same text again and again): when admins
-- were last told, so several daemons and restarts tell them once.
CREATE TABLE guard_loops (
	sender      text PRIMARY KEY,
	told_at     timestamptz NOT NULL DEFAULT now(),
	messages    integer NOT NULL DEFAULT 0   -- suppressed since told_at
);

-- Health conditions: one row per condition key ("modem_down:sim0",
-- "queue", "balance:sim0", "storage:sim0", "cap:sim0:2026-12-02",
-- "rules_refused"). An episode starts when an inactive condition becomes
-- active (episode + 1, admins told once); it ends when it clears.
CREATE TABLE health_conditions (
	key         text PRIMARY KEY,
	active      boolean NOT NULL DEFAULT true,
	episode     integer NOT NULL DEFAULT 1,
	detail      text,
	since       timestamptz NOT NULL DEFAULT now(),
	cleared_at  timestamptz
);

-- SIM balances, one row per successful balance query (the USSD reply
-- parsed with settings.health.balance_pattern). Migration 0005 (the
-- supervisors issue) creates the same table for its gateway_health view
-- (sim_balance, balance_at = the latest row per modem): whichever runs
-- first creates it.
CREATE TABLE IF NOT EXISTS sim_balances (
	id          bigserial PRIMARY KEY,
	modem       text NOT NULL,
	balance     numeric NOT NULL,
	reply       text,
	at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS sim_balances_modem_idx ON sim_balances (modem, at DESC);
