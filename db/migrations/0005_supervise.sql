-- fieldgate schema, version 5: supervisors (issue 9 part A). Approvals and
-- annotations by SMS, leave requests, SIM balances, and the dashboard
-- views (the contract in docs/VIEWS.md: add columns freely, never rename
-- or drop one). Forward-only, like 0001.

-- Reports gain the approval states. 'approved' / 'rejected' are final for
-- 批 / 驳 (a second decision is refused); 注 adds a note and changes no
-- status. decided_by / decided_at / decision_comment repeat the deciding
-- report_actions row, so a list needs no join. needs_approval: the form
-- asked for a decision (settings: needs_approval = true), so the report
-- waits in pending_approvals while it is 'received'.
ALTER TABLE reports DROP CONSTRAINT reports_status_check;
ALTER TABLE reports ADD CONSTRAINT reports_status_check
	CHECK (status IN ('received', 'withdrawn', 'replaced', 'approved',
	                  'rejected'));
ALTER TABLE reports
	ADD COLUMN needs_approval   boolean NOT NULL DEFAULT false,
	ADD COLUMN decided_by       bigint REFERENCES people(id) ON DELETE SET NULL,
	ADD COLUMN decided_at       timestamptz,
	ADD COLUMN decision_comment text;
CREATE INDEX reports_pending_idx ON reports (person_id)
	WHERE status = 'received' AND needs_approval;

-- Every supervisor action on a report, one row each (notes are rows of
-- their own, never folded into the report): who, when, what, the comment
-- and the inbound message that carried it. A refused attempt (outside the
-- actor's chain, already decided) is a row too, with refused set, so an
-- audit sees it.
CREATE TABLE report_actions (
	id          bigserial PRIMARY KEY,
	report_id   bigint REFERENCES reports(id) ON DELETE CASCADE,
	ref         text NOT NULL,             -- as typed, also when unknown
	action      text NOT NULL CHECK (action IN ('approve', 'reject', 'note')),
	actor_id    bigint REFERENCES people(id) ON DELETE SET NULL,
	actor_phone text NOT NULL,
	comment     text,
	refused     text CHECK (refused IN ('not_found', 'not_in_chain',
	                                    'already_decided')),
	inbound_id  bigint REFERENCES inbound_messages(id),
	at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_actions_report_idx ON report_actions (report_id, at);
CREATE INDEX report_actions_actor_idx ON report_actions (actor_id, at);

-- Leave requests (请假 <days> [reason]). The request IS a report of a
-- form with needs_approval (its ref, its status): the row here adds the
-- days it covers. Leave is in force while the report is 'approved'.
-- first_day: the rep's local date when the request was sent.
CREATE TABLE leave_requests (
	id          bigserial PRIMARY KEY,
	report_id   bigint NOT NULL UNIQUE REFERENCES reports(id) ON DELETE CASCADE,
	person_id   bigint NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	first_day   date NOT NULL,
	days        integer NOT NULL CHECK (days BETWEEN 1 AND 366),
	last_day    date GENERATED ALWAYS AS (first_day + days - 1) STORED,
	reason      text,
	created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX leave_requests_person_idx ON leave_requests (person_id, first_day);

-- SIM balances, one row per successful balance query (USSD reply parsed
-- by the configured pattern). gateway_health shows the latest per modem.
CREATE TABLE sim_balances (
	id          bigserial PRIMARY KEY,
	modem       text NOT NULL,
	balance     numeric NOT NULL,
	reply       text,
	at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sim_balances_modem_idx ON sim_balances (modem, at DESC);

-- ---------------------------------------------------------------- views

-- Every person under every supervisor, transitively; depth 0 is the
-- person themself. "Within my chain" is WHERE ancestor_id = $me.
-- Depth is capped (a cycle in supervisor_id cannot loop forever).
CREATE VIEW person_chain AS
WITH RECURSIVE chain (ancestor_id, person_id, depth) AS (
	SELECT id, id, 0 FROM people
	UNION ALL
	SELECT c.ancestor_id, p.id, c.depth + 1
	  FROM chain c JOIN people p ON p.supervisor_id = c.person_id
	 WHERE c.depth < 32 AND p.id <> c.ancestor_id
)
SELECT ancestor_id, person_id, min(depth) AS depth
  FROM chain GROUP BY ancestor_id, person_id;

-- A person's territory (the first of people_territories) and its time
-- zone: the nearest non-empty time_zone up the territory tree, else the
-- database's TimeZone. Helper for the views below.
CREATE VIEW person_zone AS
WITH RECURSIVE first_t AS (
	SELECT DISTINCT ON (person_id) person_id, territory_id
	  FROM people_territories
	 ORDER BY person_id, position, territory_id
), up (territory_id, at_id, time_zone, depth) AS (
	SELECT t.id, t.id, t.time_zone, 0 FROM territories t
	UNION ALL
	SELECT u.territory_id, p.id, p.time_zone, u.depth + 1
	  FROM up u JOIN territories c ON c.id = u.at_id
	  JOIN territories p ON p.id = c.parent_id
	 WHERE u.time_zone = '' AND u.depth < 32
), zone AS (
	SELECT DISTINCT ON (territory_id) territory_id, time_zone
	  FROM up WHERE time_zone <> ''
	 ORDER BY territory_id, depth
)
SELECT p.id AS person_id, t.id AS territory_id, t.code AS territory_code,
       t.name AS territory_name,
       coalesce(z.time_zone, current_setting('TimeZone')) AS timezone
  FROM people p
  LEFT JOIN first_t f ON f.person_id = p.id
  LEFT JOIN territories t ON t.id = f.territory_id
  LEFT JOIN zone z ON z.territory_id = t.id;

-- Approved leave, one row per person and day.
CREATE VIEW leave_days AS
SELECT l.person_id, d::date AS day, r.ref, l.reason
  FROM leave_requests l
  JOIN reports r ON r.id = l.report_id AND r.status = 'approved'
  CROSS JOIN LATERAL generate_series(l.first_day, l.last_day,
                                     interval '1 day') AS d;

-- Each active rep's day so far (their local date). The check-in columns
-- describe today's latest check-in (NULL when none today). Reports count
-- live reports (not withdrawn or replaced) other than check-ins and leave
-- requests; missing_report: no daily report for today's period.
CREATE VIEW rep_today AS
WITH base AS (
	SELECT p.id AS person_id, p.phone, p.name, p.supervisor_id,
	       z.territory_code, z.territory_name, z.timezone,
	       (now() AT TIME ZONE z.timezone)::date AS local_date
	  FROM people p JOIN person_zone z ON z.person_id = p.id
	 WHERE p.role = 'rep' AND p.active
)
SELECT b.person_id, b.phone, b.name, b.supervisor_id, b.territory_code,
       b.territory_name, b.timezone, b.local_date,
       lc.received_at AS last_checkin_at,
       lc.outlet_code AS last_checkin_outlet_code,
       o.name AS last_checkin_outlet_name,
       lc.verdict AS last_checkin_verdict,
       lc.evidence AS last_checkin_evidence,
       lc.distance_m AS last_checkin_distance_m,
       coalesce(cc.n, 0)::integer AS checkins_today,
       coalesce(rr.n, 0)::integer AS reports_today,
       coalesce(rr.forms, '{}'::text[]) AS report_forms_today,
       (lv.person_id IS NOT NULL) AS on_leave,
       (lv.person_id IS NULL AND coalesce(cc.n, 0) = 0) AS missing_checkin,
       (lv.person_id IS NULL AND NOT coalesce(rr.daily, false)) AS missing_report,
       lv.ref AS leave_ref
  FROM base b
  LEFT JOIN LATERAL (
	SELECT c.* FROM checkins c
	 WHERE c.person_id = b.person_id
	   AND (c.received_at AT TIME ZONE b.timezone)::date = b.local_date
	 ORDER BY c.received_at DESC, c.id DESC LIMIT 1) lc ON true
  LEFT JOIN outlets o ON o.id = lc.outlet_id
  LEFT JOIN LATERAL (
	SELECT count(*) AS n FROM checkins c
	 WHERE c.person_id = b.person_id
	   AND (c.received_at AT TIME ZONE b.timezone)::date = b.local_date) cc ON true
  LEFT JOIN LATERAL (
	SELECT count(*) AS n,
	       array_agg(DISTINCT r.form_id ORDER BY r.form_id) AS forms,
	       bool_or(r.form_id = 'daily') AS daily
	  FROM reports r
	 WHERE r.person_id = b.person_id
	   AND r.status IN ('received', 'approved', 'rejected')
	   AND r.form_id NOT IN ('checkin', 'leave')
	   AND ((r.form_id = 'daily' AND r.period = to_char(b.local_date, 'YYYY-MM-DD'))
	        OR (coalesce(r.sent_at, r.received_at) AT TIME ZONE b.timezone)::date
	           = b.local_date)) rr ON true
  LEFT JOIN LATERAL (
	SELECT d.person_id, d.ref FROM leave_days d
	 WHERE d.person_id = b.person_id AND d.day = b.local_date
	 LIMIT 1) lv ON true;

-- Due days: Monday to Saturday, from the rep's creation to today (their
-- local dates), leave days excluded. One row per active rep and due day,
-- with the daily report's state and whether they checked in.
CREATE VIEW rep_due_days AS
WITH base AS (
	SELECT p.id AS person_id, p.name, p.supervisor_id, z.territory_code,
	       z.territory_name, z.timezone,
	       (p.created_at AT TIME ZONE z.timezone)::date AS first_day,
	       (now() AT TIME ZONE z.timezone)::date AS today
	  FROM people p JOIN person_zone z ON z.person_id = p.id
	 WHERE p.role = 'rep' AND p.active
)
SELECT b.person_id, b.name, b.supervisor_id, b.territory_code,
       b.territory_name, d::date AS day,
       date_trunc('week', d)::date AS week_start,
       (SELECT CASE WHEN bool_or(NOT r.late) THEN 'on_time'
                    WHEN count(*) > 0 THEN 'late' ELSE 'missing' END
          FROM reports r
         WHERE r.person_id = b.person_id AND r.form_id = 'daily'
           AND r.period = to_char(d, 'YYYY-MM-DD')
           AND r.status IN ('received', 'approved', 'rejected')) AS report,
       EXISTS (SELECT 1 FROM checkins c
                WHERE c.person_id = b.person_id
                  AND (c.received_at AT TIME ZONE b.timezone)::date = d::date)
           AS checked_in
  FROM base b
  CROSS JOIN LATERAL generate_series(b.first_day, b.today, interval '1 day') AS d
 WHERE extract(isodow FROM d) BETWEEN 1 AND 6
   AND NOT EXISTS (SELECT 1 FROM leave_days l
                    WHERE l.person_id = b.person_id AND l.day = d::date);

-- Weekly compliance per rep. An item is due per due day for the daily
-- report and for the check-in: due = 2 x due_days. A check-in is on time
-- when there is one that day (it has no late state); a daily report on
-- time unless only late ones came.
CREATE VIEW compliance_week AS
SELECT week_start, person_id, name, supervisor_id, territory_code,
       (2 * count(*))::integer AS due,
       (count(*) FILTER (WHERE report = 'on_time')
        + count(*) FILTER (WHERE checked_in))::integer AS on_time,
       count(*) FILTER (WHERE report = 'late')::integer AS late,
       (count(*) FILTER (WHERE report = 'missing')
        + count(*) FILTER (WHERE NOT checked_in))::integer AS missing,
       count(*)::integer AS due_days,
       count(*) FILTER (WHERE report = 'on_time')::integer AS reports_on_time,
       count(*) FILTER (WHERE report = 'late')::integer AS reports_late,
       count(*) FILTER (WHERE report = 'missing')::integer AS reports_missing,
       count(*) FILTER (WHERE checked_in)::integer AS checkins_done,
       count(*) FILTER (WHERE NOT checked_in)::integer AS checkins_missing
  FROM rep_due_days
 GROUP BY week_start, person_id, name, supervisor_id, territory_code;

-- Per direct supervisor (reps without one: supervisor_id NULL).
CREATE VIEW compliance_week_team AS
SELECT c.week_start, c.supervisor_id, s.name AS supervisor_name,
       sum(c.due)::integer AS due, sum(c.on_time)::integer AS on_time,
       sum(c.late)::integer AS late, sum(c.missing)::integer AS missing,
       count(*)::integer AS reps
  FROM compliance_week c LEFT JOIN people s ON s.id = c.supervisor_id
 GROUP BY c.week_start, c.supervisor_id, s.name;

-- Per territory (the rep's first territory).
CREATE VIEW compliance_week_territory AS
SELECT d.week_start, d.territory_code, min(d.territory_name) AS territory_name,
       sum(d.due)::integer AS due, sum(d.on_time)::integer AS on_time,
       sum(d.late)::integer AS late, sum(d.missing)::integer AS missing,
       count(*)::integer AS reps
  FROM (SELECT c.*, z.territory_name FROM compliance_week c
          JOIN person_zone z ON z.person_id = c.person_id) d
 GROUP BY d.week_start, d.territory_code;

-- What awaits a decision, addressed to the rep's direct supervisor.
CREATE VIEW pending_approvals AS
SELECT p.supervisor_id, r.ref,
       CASE WHEN l.id IS NOT NULL THEN 'leave' ELSE 'report' END AS kind,
       r.form_id, r.person_id, p.name AS rep_name, r.received_at,
       now() - r.received_at AS age,
       l.days AS leave_days, l.first_day AS leave_first_day, l.reason AS leave_reason,
       r.raw_text
  FROM reports r
  JOIN people p ON p.id = r.person_id
  LEFT JOIN leave_requests l ON l.report_id = r.id
 WHERE r.status = 'received' AND r.needs_approval;

-- Alerts per day (the database's TimeZone), rule and recipient.
CREATE VIEW alerts_daily AS
SELECT (created_at)::date AS day, alert_id, recipient_id,
       count(*)::integer AS n,
       count(*) FILTER (WHERE state = 'sent')::integer AS sent,
       count(*) FILTER (WHERE state = 'pending')::integer AS pending
  FROM alerts
 GROUP BY 1, alert_id, recipient_id;

-- One row per modem: its latest status row (any SIM), the outbound queue
-- (not yet claimed, any modem or requested on this one), the latest SIM
-- balance and the latest rule reload. state: 'stale' when the status is
-- older than 5 minutes (no daemon is updating it), 'up' when registered
-- (home or roaming), else 'down'.
CREATE VIEW gateway_health AS
WITH m AS (
	SELECT DISTINCT ON (modem) * FROM modem_status
	 ORDER BY modem, updated_at DESC
), q AS (
	SELECT count(*)::integer AS n, min(created_at) AS oldest
	  FROM outbound_messages WHERE state = 'queued'
), b AS (
	SELECT DISTINCT ON (modem) modem, balance, at FROM sim_balances
	 ORDER BY modem, at DESC, id DESC
), rl AS (
	SELECT at, ok FROM rule_reloads ORDER BY at DESC, id DESC LIMIT 1
)
SELECT m.modem,
       CASE WHEN m.updated_at < now() - interval '5 minutes' THEN 'stale'
            WHEN m.registration IN ('home', 'roaming') THEN 'up'
            ELSE 'down' END AS state,
       m.signal_dbm AS signal, m.operator,
       coalesce(m.registration IN ('home', 'roaming'), false) AS registered,
       q.n AS queue_queued, q.oldest AS queue_oldest_at,
       b.balance AS sim_balance, b.at AS balance_at,
       rl.at AS last_rule_reload_at, rl.ok AS last_rule_reload_ok,
       m.updated_at, m.last_error, m.storage_used, m.storage_total
  FROM m CROSS JOIN q
  LEFT JOIN b ON b.modem = m.modem
  LEFT JOIN rl ON true;

-- A rep's timeline: check-ins and reports, newest first by at.
CREATE VIEW rep_history AS
SELECT c.person_id, c.received_at AS at, 'checkin'::text AS kind, c.ref,
       c.outlet_code || coalesce(' ' || o.name, '') AS summary,
       c.verdict, c.evidence AS status
  FROM checkins c LEFT JOIN outlets o ON o.id = c.outlet_id
UNION ALL
SELECT r.person_id, r.received_at, 'report', r.ref,
       r.form_id || ' ' || r.raw_text, NULL, r.status
  FROM reports r
 WHERE r.person_id IS NOT NULL AND r.form_id <> 'checkin';
