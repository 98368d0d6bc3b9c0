-- fieldgate schema, version 7: schedules (issue 9 part B).
-- Claims of schedule fires (one fire happens once, whatever the number of
-- daemons, across restarts), where each schedule's catch-up starts, and
-- the spot checks' asks. The schedules read 0005's views person_zone,
-- leave_days and pending_approvals. docs/SCHEDULES.md explains them.

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
