-- fieldgate schema, version 4: places and check-ins (issue 8).
-- Territories (a tree), outlets, cells (OpenCellID), the territories a
-- person covers, and check-ins with their verdict and evidence.
-- docs/PLACES.md explains the verdict; docs/DATABASE.md the conventions.

-- Territories: country -> province -> city -> district ... code is the
-- natural key (imports update by it). A territory's area is its LAC list
-- and, when given, a circle (centre + radius); neighbour_lacs are the LACs
-- of bordering areas, accepted when the cell is within tolerance_m of the
-- circle (or has no known position). time_zone '' = inherit the parent's.
CREATE TABLE territories (
	id             bigserial PRIMARY KEY,
	code           text NOT NULL UNIQUE
	               CHECK (code <> '' AND length(code) <= 64 AND code !~ '[[:space:];,]'),
	name           text NOT NULL CHECK (name <> ''),
	parent_id      bigint REFERENCES territories(id) ON DELETE RESTRICT,
	time_zone      text NOT NULL DEFAULT '',
	centre_lat     double precision CHECK (centre_lat BETWEEN -90 AND 90),
	centre_lon     double precision CHECK (centre_lon BETWEEN -180 AND 180),
	radius_m       integer CHECK (radius_m BETWEEN 0 AND 20000000),
	lacs           integer[] NOT NULL DEFAULT '{}',
	neighbour_lacs integer[] NOT NULL DEFAULT '{}',
	tolerance_m    integer NOT NULL DEFAULT 0 CHECK (tolerance_m BETWEEN 0 AND 1000000),
	created_at     timestamptz NOT NULL DEFAULT now(),
	updated_at     timestamptz NOT NULL DEFAULT now(),
	CHECK ((centre_lat IS NULL) = (centre_lon IS NULL)),
	CHECK ((centre_lat IS NULL) = (radius_m IS NULL)),
	CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX territories_parent_idx ON territories (parent_id);

-- Outlets: the shops a rep checks in at. code is what is printed at the
-- shop (upper case, as rv_parse_outlet_code() reads it). phone: the
-- outlet's own registered number, which may confirm a visit.
CREATE TABLE outlets (
	id           bigserial PRIMARY KEY,
	code         text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9_-]{2,16}$'),
	name         text NOT NULL CHECK (name <> ''),
	address      text NOT NULL DEFAULT '',
	territory_id bigint NOT NULL REFERENCES territories(id) ON DELETE RESTRICT,
	lat          double precision CHECK (lat BETWEEN -90 AND 90),
	lon          double precision CHECK (lon BETWEEN -180 AND 180),
	phone        text CHECK (phone ~ '^\+?[0-9]{3,20}$'),
	created_at   timestamptz NOT NULL DEFAULT now(),
	updated_at   timestamptz NOT NULL DEFAULT now(),
	CHECK ((lat IS NULL) = (lon IS NULL))
);
CREATE INDEX outlets_territory_idx ON outlets (territory_id);
CREATE INDEX outlets_phone_idx ON outlets (phone) WHERE phone IS NOT NULL;

-- Cells, as OpenCellID publishes them (radio,mcc,net,area,cell,unit,lon,
-- lat,range,samples,changeable,created,updated,averageSignal). The key is
-- (mcc, mnc, lac, cid), stored lac-first so the same index serves a
-- "LAC-CID alone" lookup; it is the only index (no surrogate id), which
-- keeps a million-row import fast.
CREATE TABLE cells (
	radio         text NOT NULL CHECK (radio IN ('GSM', 'UMTS', 'CDMA', 'LTE', 'NR', 'NBIOT')),
	mcc           smallint NOT NULL CHECK (mcc BETWEEN 0 AND 999),
	mnc           integer NOT NULL CHECK (mnc BETWEEN 0 AND 999999),
	lac           bigint NOT NULL CHECK (lac BETWEEN 0 AND 4294967295),
	cid           bigint NOT NULL CHECK (cid BETWEEN 0 AND 68719476735),
	unit          integer,
	lon           double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
	lat           double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
	range_m       integer NOT NULL DEFAULT 0 CHECK (range_m >= 0),
	samples       integer NOT NULL DEFAULT 0 CHECK (samples >= 0),
	changeable    boolean NOT NULL DEFAULT true,
	created       bigint,  -- Unix seconds, as OpenCellID gives them
	updated       bigint,
	average_signal integer,
	PRIMARY KEY (lac, cid, mcc, mnc)
);

-- The territories a person covers (a rep may cover several). The older
-- free-text people.territory stays, and imports keep it equal to the
-- person's first territory code, so readers of version 1 keep working.
CREATE TABLE people_territories (
	person_id    bigint NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	territory_id bigint NOT NULL REFERENCES territories(id) ON DELETE CASCADE,
	position     smallint NOT NULL DEFAULT 1,  -- the order of the import file
	PRIMARY KEY (person_id, territory_id)
);
CREATE INDEX people_territories_territory_idx ON people_territories (territory_id);

-- Existing free-text territories become territories of their own (code:
-- the text with separators replaced, name: the text) and memberships.
INSERT INTO territories (code, name)
SELECT DISTINCT left(regexp_replace(btrim(territory), '[[:space:];,]+', '_', 'g'), 64),
       btrim(territory)
  FROM people WHERE territory IS NOT NULL AND btrim(territory) <> ''
ON CONFLICT (code) DO NOTHING;
INSERT INTO people_territories (person_id, territory_id)
SELECT p.id, t.id
  FROM people p
  JOIN territories t ON t.code = left(regexp_replace(btrim(p.territory), '[[:space:];,]+', '_', 'g'), 64)
 WHERE p.territory IS NOT NULL AND btrim(p.territory) <> ''
ON CONFLICT DO NOTHING;

-- Check-ins: one per inbound message. verdict and evidence are decided by
-- rules/geo.c; distance_m is the distance to the nearest point of the
-- rep's territory (NULL when not known, 0 inside). confirm_by: until when
-- the outlet's phone may confirm (NULL: the outlet has no phone).
CREATE TABLE checkins (
	id           bigserial PRIMARY KEY,
	person_id    bigint NOT NULL REFERENCES people(id),
	message_id   bigint UNIQUE REFERENCES inbound_messages(id),
	ref          text UNIQUE,
	scts         timestamptz,
	received_at  timestamptz NOT NULL DEFAULT now(),
	outlet_code  text NOT NULL,
	outlet_id    bigint REFERENCES outlets(id) ON DELETE SET NULL,
	cell_mcc     integer,
	cell_mnc     integer,
	cell_lac     bigint,
	cell_cid     bigint,
	cell_known   boolean NOT NULL DEFAULT false,  -- found in cells
	lat          double precision,
	lon          double precision,
	territory_id bigint REFERENCES territories(id) ON DELETE SET NULL,
	verdict      text NOT NULL CHECK (verdict IN
	             ('in_territory', 'outside', 'unknown_outlet', 'unknown_cell')),
	distance_m   integer CHECK (distance_m >= 0),
	evidence     text NOT NULL CHECK (evidence IN
	             ('outlet_code_only', 'cell', 'outlet_confirmed')),
	confirm_by   timestamptz,
	confirmed_at timestamptz,
	confirmed_message_id bigint REFERENCES inbound_messages(id),
	CHECK ((lat IS NULL) = (lon IS NULL))
);
CREATE INDEX checkins_person_idx ON checkins (person_id, received_at DESC);
CREATE INDEX checkins_received_idx ON checkins (received_at);

-- Check-ins per person, UTC day, verdict and evidence strength, for views
-- and digests ("how many check-ins rest on the outlet code alone").
CREATE VIEW checkin_counts AS
SELECT c.person_id, p.phone, p.name,
       (c.received_at AT TIME ZONE 'UTC')::date AS day,
       c.verdict, c.evidence, count(*) AS checkins
  FROM checkins c JOIN people p ON p.id = c.person_id
 GROUP BY c.person_id, p.phone, p.name, 4, c.verdict, c.evidence;
