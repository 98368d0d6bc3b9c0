-- fieldgate schema, version 2: reports, alerts and rule reload requests
-- (issue 7). Forward-only, like 0001. docs/DATABASE.md explains them.

-- Reference codes ("R1045"): the number comes from this sequence, the
-- rule file formats it (settings.ref: prefix and digits).
CREATE SEQUENCE report_ref_seq START WITH 1001;

-- One row per accepted report. fields holds the typed values as the rule
-- file names them ({"sales":120,"cash":"3500.00"}); raw_text the message
-- as received. rules_hash is the SHA-256 of the rule file that parsed it.
-- status: 'received' live; 'withdrawn' by 撤销; 'replaced' by a later
-- report of the same form and period (replaced_by points at it). The
-- supervisors issue adds approval states by replacing reports_status_check.
CREATE TABLE reports (
	id            bigserial PRIMARY KEY,
	ref           text NOT NULL UNIQUE CHECK (ref <> ''),
	form_id       text NOT NULL CHECK (form_id <> ''),
	person_id     bigint REFERENCES people(id) ON DELETE SET NULL,
	sender        text NOT NULL,
	inbound_id    bigint UNIQUE REFERENCES inbound_messages(id),
	fields        jsonb NOT NULL DEFAULT '{}',
	raw_text      text NOT NULL,
	period        text NOT NULL DEFAULT '',
	late          boolean NOT NULL DEFAULT false,
	rules_hash    text NOT NULL,
	rules_version text,
	status        text NOT NULL DEFAULT 'received',
	replaced_by   bigint REFERENCES reports(id),
	sent_at       timestamptz,              -- the SCTS, NULL when unknown
	received_at   timestamptz NOT NULL DEFAULT now(),
	status_at     timestamptz,
	CONSTRAINT reports_status_check
		CHECK (status IN ('received', 'withdrawn', 'replaced'))
);
CREATE INDEX reports_person_idx ON reports (person_id, form_id, period)
	WHERE status = 'received';
CREATE INDEX reports_person_time_idx ON reports (person_id, received_at);
CREATE INDEX reports_form_time_idx ON reports (form_id, received_at);

-- Alerts raised by report content, one row per resolved recipient. Rows
-- of one recipient whose batch is due go out as ONE outbound message
-- (outbound_id); dedupe_key (the rule's key plus the recipient) makes a
-- second raise a no-op. The dispatcher claims due rows FOR UPDATE SKIP
-- LOCKED, so two daemons never send an alert twice.
CREATE TABLE alerts (
	id            bigserial PRIMARY KEY,
	alert_id      text NOT NULL,            -- the alert's id in the rule file
	report_id     bigint REFERENCES reports(id) ON DELETE CASCADE,
	recipient     text NOT NULL CHECK (recipient ~ '^\+?[0-9]{1,20}$'),
	recipient_id  bigint REFERENCES people(id) ON DELETE SET NULL,
	body          text NOT NULL,
	dedupe_key    text NOT NULL UNIQUE,
	due_at        timestamptz NOT NULL DEFAULT now(),
	state         text NOT NULL DEFAULT 'pending'
	              CHECK (state IN ('pending', 'sent', 'cancelled')),
	outbound_id   bigint REFERENCES outbound_messages(id),
	created_at    timestamptz NOT NULL DEFAULT now(),
	sent_at       timestamptz
);
CREATE INDEX alerts_due_idx ON alerts (due_at) WHERE state = 'pending';
CREATE INDEX alerts_recipient_idx ON alerts (recipient) WHERE state = 'pending';

-- `fieldgatectl rules reload`: a row here NOTIFYs fieldgate_rules, which
-- every daemon LISTENs to, on every host. Each daemon records its outcome
-- in rule_reloads with request_id.
CREATE TABLE rule_reload_requests (
	id            bigserial PRIMARY KEY,
	requested_at  timestamptz NOT NULL DEFAULT now(),
	requested_by  text
);
ALTER TABLE rule_reloads ADD COLUMN request_id bigint
	REFERENCES rule_reload_requests(id);

CREATE FUNCTION fieldgate_notify_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('fieldgate_rules', NEW.id::text);
	RETURN NULL;
END $$;
CREATE TRIGGER rule_reload_notify AFTER INSERT ON rule_reload_requests
	FOR EACH ROW EXECUTE FUNCTION fieldgate_notify_rules();

-- New alerts wake the dispatchers (another daemon may hold the earliest
-- due time).
CREATE FUNCTION fieldgate_notify_alerts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('fieldgate_alerts', '');
	RETURN NULL;
END $$;
CREATE TRIGGER alerts_notify AFTER INSERT ON alerts
	FOR EACH ROW EXECUTE FUNCTION fieldgate_notify_alerts();
