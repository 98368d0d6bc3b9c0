-- fieldgate schema, version 7: schedules (issue 9 part B).
-- Claims of schedule fires (one fire happens once, whatever the number of
-- daemons, across restarts), where each schedule's catch-up starts, the
-- days a person is muted (approved leave), the spot checks' asks, and a
-- person's time zone (their first territory's, inherited up the tree).
-- docs/SCHEDULES.md explains them.

-- One row per fire: the daemon that INSERTs it (unique key) sends it, in
-- the same transaction as the messages it queues; a crash rolls both back.
-- state 'skipped': missed during downtime, older than the grace period.
CREATE TABLE schedule_fires (
	id          bigserial PRIMARY KEY,
	schedule_id text NOT NULL CHECK (schedule_id <> ''),
	fire_at     timestamptz NOT NULL,
	nominal_at  timestamptz NOT NULL,
	state       text NOT NULL DEFAULT 'done' CHECK (state IN ('done', 'skipped')),
	claimed_by  text NOT NULL,
	claimed_at  timestamptz NOT NULL DEFAULT now(),
	messages    integer NOT NULL DEFAULT 0 CHECK (messages >= 0),
	people      integer NOT NULL DEFAULT 0 CHECK (people >= 0),
	note        text NOT NULL DEFAULT '',
	UNIQUE (schedule_id, fire_at)
);

-- Where a schedule's history starts: fires before `since` are not caught
-- up (the schedule did not exist, or no daemon ran it yet).
CREATE TABLE schedule_state (
	schedule_id text PRIMARY KEY CHECK (schedule_id <> ''),
	since       timestamptz NOT NULL DEFAULT now()
);

-- Days a person gets no schedule reminders and is left out of missing
-- lists (approved leave; the leave approval inserts the row).
CREATE TABLE schedule_mutes (
	id         bigserial PRIMARY KEY,
	person_id  bigint NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	first_day  date NOT NULL,
	last_day   date NOT NULL,
	reason     text NOT NULL DEFAULT 'leave',
	created_at timestamptz NOT NULL DEFAULT now(),
	CHECK (last_day >= first_day)
);
CREATE INDEX schedule_mutes_person_idx ON schedule_mutes (person_id, first_day);

-- Spot checks (查岗): each rep asked, until when they may answer, and
-- the outcome once due ('ok': checked in within the territory in time).
CREATE TABLE spot_asks (
	id          bigserial PRIMARY KEY,
	fire_id     bigint NOT NULL REFERENCES schedule_fires(id) ON DELETE CASCADE,
	schedule_id text NOT NULL,
	person_id   bigint NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	asked_at    timestamptz NOT NULL,
	due_at      timestamptz NOT NULL,
	outcome     text CHECK (outcome IN ('ok', 'missed', 'outside')),
	resolved_at timestamptz,
	UNIQUE (fire_id, person_id)
);
CREATE INDEX spot_asks_due_idx ON spot_asks (due_at) WHERE outcome IS NULL;

-- Awaiting a supervisor's decision: the supervisors part replaces this
-- view over its pending_approvals view (empty until then).
CREATE VIEW schedule_pending AS
SELECT NULL::bigint AS supervisor_id, NULL::text AS ref
 WHERE false;

-- A person's time zone: their first territory's time_zone, or the
-- nearest ancestor's; '' when none (the rule file's settings.timezone).
CREATE VIEW person_zone AS
WITH RECURSIVE up (person_id, territory_id, zone, depth) AS (
	(SELECT DISTINCT ON (pt.person_id) pt.person_id, t.parent_id, t.time_zone, 0
	   FROM people_territories pt JOIN territories t ON t.id = pt.territory_id
	  ORDER BY pt.person_id, pt.position, pt.territory_id)
	UNION ALL
	SELECT u.person_id, t.parent_id, t.time_zone, u.depth + 1
	  FROM up u JOIN territories t ON t.id = u.territory_id
	 WHERE u.zone = '' AND u.depth < 32
)
SELECT p.id AS person_id,
       coalesce((SELECT u.zone FROM up u WHERE u.person_id = p.id AND u.zone <> ''
                  ORDER BY u.depth LIMIT 1), '') AS time_zone
  FROM people p;
