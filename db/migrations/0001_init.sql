-- fieldgate schema, version 1. Forward-only: never edit a released migration,
-- add 0002_*.sql instead. Applied by db_migrate() in one transaction; the
-- schema_migrations bookkeeping is done by the program, not here.
-- docs/DATABASE.md explains tables, states and keys.

-- People: reps, supervisors, admins and the hierarchy between them.
-- phone is normalized by the writer: '+' then 3..20 digits, or digits only
-- for national/short numbers (db_phone_normalize() in db/store.h).
CREATE TABLE people (
	id            bigserial PRIMARY KEY,
	phone         text NOT NULL UNIQUE CHECK (phone ~ '^\+?[0-9]{3,20}$'),
	name          text NOT NULL CHECK (name <> ''),
	role          text NOT NULL CHECK (role IN ('rep', 'supervisor', 'admin')),
	supervisor_id bigint REFERENCES people(id) ON DELETE SET NULL,
	territory     text,
	active        boolean NOT NULL DEFAULT true,
	created_at    timestamptz NOT NULL DEFAULT now(),
	CHECK (supervisor_id IS NULL OR supervisor_id <> id)
);
CREATE INDEX people_supervisor_idx ON people (supervisor_id);

-- Modem health, one row per modem name and SIM identity (a SIM moved to
-- another modem gets a new row; '' when the identity is not known yet).
CREATE TABLE modem_status (
	modem         text NOT NULL,
	imsi          text NOT NULL DEFAULT '',
	iccid         text NOT NULL DEFAULT '',
	daemon_host   text,
	device        text,
	registration  text,         -- 'home', 'roaming', 'searching', 'denied', ...
	operator      text,
	signal_dbm    integer,      -- NULL when unknown (CSQ 99)
	lac           bigint,       -- LAC or TAC
	ci            bigint,       -- cell id (28-bit E-UTRAN CI fits)
	access_tech   text,
	storage_used  integer,
	storage_total integer,
	last_error    text,
	last_rx_at    timestamptz,
	last_tx_at    timestamptz,
	updated_at    timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (modem, imsi, iccid)
);

-- Received messages. kind 'single': one PDU, kept raw in pdu_hex (ALWAYS,
-- so it can be decoded again after a codec fix). kind 'assembled': built
-- from inbound_parts (which keep the raw PDUs); part_count, partial and
-- missing_parts describe it.
CREATE TABLE inbound_messages (
	id            bigserial PRIMARY KEY,
	kind          text NOT NULL DEFAULT 'single'
	              CHECK (kind IN ('single', 'assembled')),
	modem         text NOT NULL,
	sim_imsi      text NOT NULL DEFAULT '',
	sender        text NOT NULL DEFAULT '',  -- '' when the PDU did not decode
	sender_ton    smallint,                  -- TS 23.040 §9.1.2.5 type of number
	smsc          text,
	scts          timestamptz,               -- TP-SCTS; NULL when undecodable
	scts_tz_minutes smallint,                -- the SCTS zone, minutes east of UTC
	received_at   timestamptz NOT NULL DEFAULT now(),
	pdu_hex       text CHECK (pdu_hex ~ '^[0-9A-F]*$'),
	pdu_md5       text GENERATED ALWAYS AS (md5(pdu_hex)) STORED,
	body          text,                      -- decoded UTF-8 text
	dcs           smallint,
	encoding      text,                      -- 'gsm7', 'ucs2', '8bit'
	decode_error  text,                      -- NULL when decoded fine
	part_count    smallint NOT NULL DEFAULT 1 CHECK (part_count >= 1),
	partial       boolean NOT NULL DEFAULT false,
	missing_parts smallint[],
	state         text NOT NULL DEFAULT 'stored'
	              CHECK (state IN ('stored', 'handled', 'failed', 'ignored')),
	handled_at    timestamptz,
	handle_error  text,
	CHECK ((kind = 'single') = (pdu_hex IS NOT NULL))
);
-- Natural keys: a message read again (restart, +CMT and sweep) hits one of
-- these and INSERT ... ON CONFLICT DO NOTHING stores it once.
CREATE UNIQUE INDEX inbound_single_key ON inbound_messages
	(sim_imsi, sender, scts, pdu_md5) WHERE kind = 'single';
CREATE UNIQUE INDEX inbound_single_raw_key ON inbound_messages
	(sim_imsi, pdu_md5) WHERE kind = 'single' AND scts IS NULL;
CREATE INDEX inbound_sender_idx ON inbound_messages (sender, received_at);
CREATE INDEX inbound_state_idx ON inbound_messages (state) WHERE state = 'stored';

-- Parts of concatenated messages (TS 23.040 §9.2.3.24.1 / .8), stored as
-- they arrive, in any order. A group is the unassembled parts
-- (message_id IS NULL) sharing (sim_imsi, sender, concat_ref, concat_16bit,
-- part_total); once assembled they point at their inbound_messages row, so
-- a reused reference number starts a new group.
CREATE TABLE inbound_parts (
	id            bigserial PRIMARY KEY,
	modem         text NOT NULL,
	sim_imsi      text NOT NULL DEFAULT '',
	sender        text NOT NULL,
	sender_ton    smallint,
	smsc          text,
	scts          timestamptz NOT NULL,
	scts_tz_minutes smallint,
	received_at   timestamptz NOT NULL DEFAULT now(),
	concat_ref    integer NOT NULL CHECK (concat_ref BETWEEN 0 AND 65535),
	concat_16bit  boolean NOT NULL,
	part_total    smallint NOT NULL CHECK (part_total BETWEEN 1 AND 255),
	part_seq      smallint NOT NULL CHECK (part_seq BETWEEN 1 AND 255),
	pdu_hex       text NOT NULL CHECK (pdu_hex ~ '^[0-9A-F]*$'),
	pdu_md5       text GENERATED ALWAYS AS (md5(pdu_hex)) STORED,
	body          text,
	dcs           smallint,
	encoding      text,
	decode_error  text,
	message_id    bigint REFERENCES inbound_messages(id),
	UNIQUE (sim_imsi, sender, concat_ref, concat_16bit, part_total,
		part_seq, scts, pdu_md5)
);
CREATE INDEX inbound_parts_open_idx ON inbound_parts
	(sim_imsi, sender, concat_ref, concat_16bit, part_total)
	WHERE message_id IS NULL;

-- The outbound queue. Programs insert (recipient, body) and nothing else
-- is required; the daemon claims the row, encodes it into outbound_parts
-- and sends. priority: 0 acknowledgement, 1 alert, 2 normal, 3 bulk.
-- UNIQUE (in_reply_to, kind) makes "exactly one acknowledgement per
-- inbound message" survive a crash: the second enqueue is a no-op.
CREATE TABLE outbound_messages (
	id              bigserial PRIMARY KEY,
	recipient       text NOT NULL CHECK (recipient ~ '^\+?[0-9]{1,20}$'),
	body            text NOT NULL,
	priority        smallint NOT NULL DEFAULT 2 CHECK (priority BETWEEN 0 AND 9),
	kind            text NOT NULL DEFAULT 'manual' CHECK (kind <> ''),
	in_reply_to     bigint REFERENCES inbound_messages(id),
	requested_modem text,
	state           text NOT NULL DEFAULT 'queued' CHECK (state IN
	                ('queued', 'sending', 'sent', 'delivered', 'failed',
	                 'expired', 'unknown', 'cancelled')),
	attempts        integer NOT NULL DEFAULT 0,
	last_error      text,
	created_at      timestamptz NOT NULL DEFAULT now(),
	not_before      timestamptz NOT NULL DEFAULT now(),
	expires_at      timestamptz,
	claimed_by      text,         -- daemon instance that claimed it
	claimed_at      timestamptz,
	modem           text,         -- modem it is being sent through
	finished_at     timestamptz,
	UNIQUE (in_reply_to, kind)
);
CREATE INDEX outbound_queue_idx ON outbound_messages (priority, created_at, id)
	WHERE state = 'queued';
CREATE INDEX outbound_recipient_idx ON outbound_messages (recipient, created_at);

-- One row per SMS-SUBMIT part (TS 23.040 §9.2.2.2), created by the daemon.
CREATE TABLE outbound_parts (
	id              bigserial PRIMARY KEY,
	message_id      bigint NOT NULL REFERENCES outbound_messages(id)
	                ON DELETE CASCADE,
	seq             smallint NOT NULL CHECK (seq >= 1),
	recipient       text NOT NULL,   -- copy, for status report matching
	pdu_hex         text NOT NULL CHECK (pdu_hex ~ '^[0-9A-F]+$'),
	tpdu_len        smallint NOT NULL CHECK (tpdu_len > 0),  -- AT+CMGS=<n>
	state           text NOT NULL DEFAULT 'queued' CHECK (state IN
	                ('queued', 'submitting', 'submitted', 'delivered',
	                 'failed', 'expired', 'unknown')),
	modem           text,
	mr              smallint CHECK (mr BETWEEN 0 AND 255),  -- TP-MR
	attempts        integer NOT NULL DEFAULT 0,
	last_cms_error  integer,
	last_error      text,
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	submitted_at    timestamptz,
	delivered_at    timestamptz,
	report_status   smallint,      -- TP-ST of the last status report
	UNIQUE (message_id, seq)
);
CREATE INDEX outbound_parts_mr_idx ON outbound_parts (modem, mr, submitted_at)
	WHERE mr IS NOT NULL;

-- Derive a message's state from its parts (called after part updates).
CREATE FUNCTION fieldgate_outbound_refresh(msg bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	n int; nq int; nsub int; nok int; ndel int; nfail int; nexp int; nunk int;
	st text;
BEGIN
	SELECT count(*),
	       count(*) FILTER (WHERE state = 'queued'),
	       count(*) FILTER (WHERE state = 'submitting'),
	       count(*) FILTER (WHERE state = 'submitted'),
	       count(*) FILTER (WHERE state = 'delivered'),
	       count(*) FILTER (WHERE state = 'failed'),
	       count(*) FILTER (WHERE state = 'expired'),
	       count(*) FILTER (WHERE state = 'unknown')
	  INTO n, nq, nsub, nok, ndel, nfail, nexp, nunk
	  FROM outbound_parts WHERE message_id = msg;
	IF n = 0 THEN
		RETURN NULL;
	ELSIF nfail > 0 THEN st := 'failed';
	ELSIF nexp > 0 THEN st := 'expired';
	ELSIF nq + nsub > 0 THEN st := 'sending';
	ELSIF nunk > 0 THEN st := 'unknown';
	ELSIF ndel = n THEN st := 'delivered';
	ELSE st := 'sent';
	END IF;
	UPDATE outbound_messages
	   SET state = st,
	       finished_at = CASE WHEN st IN ('sending') THEN NULL
	                          ELSE coalesce(finished_at, now()) END
	 WHERE id = msg AND state <> 'cancelled'
	   -- re-queued by db_outbound_recover(): stays claimable
	   AND NOT (state = 'queued' AND st = 'sending');
	RETURN st;
END $$;

-- Any part change keeps its message's state in step.
CREATE FUNCTION fieldgate_outbound_part_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM fieldgate_outbound_refresh(NEW.message_id);
	RETURN NULL;
END $$;
CREATE TRIGGER outbound_part_changed AFTER INSERT OR UPDATE OF state
	ON outbound_parts FOR EACH ROW
	EXECUTE FUNCTION fieldgate_outbound_part_changed();

-- USSD requests (TS 22.090, AT+CUSD TS 27.007 §7.15): queued by any
-- program, run by a daemon; modem NULL means any modem.
CREATE TABLE ussd_requests (
	id             bigserial PRIMARY KEY,
	modem          text,
	code           text NOT NULL CHECK (code ~ '^[0-9*#+]{1,160}$'),
	state          text NOT NULL DEFAULT 'queued' CHECK (state IN
	               ('queued', 'running', 'done', 'failed', 'timeout')),
	reply          text,
	reply_dcs      smallint,
	session_status smallint,      -- +CUSD <m>
	error          text,
	claimed_by     text,
	ran_on_modem   text,
	created_at     timestamptz NOT NULL DEFAULT now(),
	started_at     timestamptz,
	finished_at    timestamptz
);
CREATE INDEX ussd_queue_idx ON ussd_requests (created_at, id)
	WHERE state = 'queued';

-- Rule file reloads (for the rules issue).
CREATE TABLE rule_reloads (
	id          bigserial PRIMARY KEY,
	at          timestamptz NOT NULL DEFAULT now(),
	daemon_host text,
	path        text,
	version     text,
	sha256      text,
	ok          boolean NOT NULL,
	errors      text
);

-- Wake-up convention: any INSERT (or re-queue) notifies the daemons, so a
-- program that queues work needs no NOTIFY of its own. NOTIFY payloads are
-- folded per transaction, so a bulk insert wakes a listener once.
CREATE FUNCTION fieldgate_notify_outbound() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('fieldgate_outbound', '');
	RETURN NULL;
END $$;
CREATE FUNCTION fieldgate_notify_ussd() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('fieldgate_ussd', '');
	RETURN NULL;
END $$;
CREATE TRIGGER outbound_notify AFTER INSERT OR UPDATE OF state
	ON outbound_messages FOR EACH ROW WHEN (NEW.state = 'queued')
	EXECUTE FUNCTION fieldgate_notify_outbound();
CREATE TRIGGER ussd_notify AFTER INSERT OR UPDATE OF state
	ON ussd_requests FOR EACH ROW WHEN (NEW.state = 'queued')
	EXECUTE FUNCTION fieldgate_notify_ussd();

-- Quick pictures for humans and dashboards.
CREATE VIEW outbox AS
SELECT m.id, m.recipient, m.kind, m.priority, m.state, m.attempts,
       m.modem, m.created_at, m.finished_at, m.last_error,
       count(p.id) AS parts,
       count(p.id) FILTER (WHERE p.state = 'delivered') AS parts_delivered,
       string_agg(p.seq || ':' || p.state, ' ' ORDER BY p.seq) AS part_states,
       m.body
  FROM outbound_messages m LEFT JOIN outbound_parts p ON p.message_id = m.id
 GROUP BY m.id;

CREATE VIEW inbox AS
SELECT i.id, i.received_at, i.scts, i.modem, i.sender, p.name AS sender_name,
       p.role AS sender_role, i.kind, i.part_count, i.partial, i.state,
       i.decode_error, i.body
  FROM inbound_messages i LEFT JOIN people p ON p.phone = i.sender;
