-- fieldgate schema 0009: the web dashboard's login codes and sessions
-- (gateway/fieldgate-web). The dashboard reads everything else through
-- the views of 0005 and writes only these two tables (plus the one SMS
-- per login code it queues in outbound_messages, as any program may).
-- Codes and tokens are stored as SHA-256 hex digests, never in clear.

-- One row per phone number that asked for a code.
CREATE TABLE web_login_codes (
	phone         text PRIMARY KEY,
	person_id     bigint NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	code_sha256   text NOT NULL CHECK (code_sha256 ~ '^[0-9a-f]{64}$'),
	sent_at       timestamptz NOT NULL DEFAULT now(),
	expires_at    timestamptz NOT NULL,
	tries         integer NOT NULL DEFAULT 0 CHECK (tries >= 0),
	used          boolean NOT NULL DEFAULT false,
	locked_until  timestamptz
);

CREATE TABLE web_sessions (
	token_sha256  text PRIMARY KEY CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
	person_id     bigint NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	csrf          text NOT NULL CHECK (csrf ~ '^[0-9a-f]{32,64}$'),
	created_at    timestamptz NOT NULL DEFAULT now(),
	expires_at    timestamptz NOT NULL
);
CREATE INDEX web_sessions_expires_idx ON web_sessions (expires_at);
