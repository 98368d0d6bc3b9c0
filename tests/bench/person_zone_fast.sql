-- A proposed person_zone for migration 0005 (the supervisors issue),
-- applied by tests/bench/bench_web.sh only with VIEW_FIX=1: same columns,
-- but the zone is walked up per TERRITORY (a few hundred rows) and joined,
-- instead of a subquery per person over a CTE of every person
-- (O(people^2): 0.7 s at 3,000 reps, ~70 s at 30,000).
CREATE OR REPLACE VIEW person_zone AS
WITH RECURSIVE up (territory_id, at_id, time_zone, depth) AS (
	SELECT t.id, t.id, t.time_zone, 0 FROM territories t
	UNION ALL
	SELECT u.territory_id, p.id, p.time_zone, u.depth + 1
	  FROM up u JOIN territories c ON c.id = u.at_id
	  JOIN territories p ON p.id = c.parent_id
	 WHERE u.time_zone = '' AND u.depth < 32
), zone AS (
	SELECT DISTINCT ON (territory_id) territory_id, time_zone
	  FROM up WHERE time_zone <> '' ORDER BY territory_id, depth
)
SELECT p.id AS person_id, t.id AS territory_id, t.code AS territory_code,
       t.name AS territory_name,
       coalesce(z.time_zone, current_setting('TimeZone')) AS timezone
  FROM people p
  LEFT JOIN (SELECT DISTINCT ON (person_id) person_id, territory_id
               FROM people_territories
              ORDER BY person_id, position, territory_id) pt
         ON pt.person_id = p.id
  LEFT JOIN territories t ON t.id = pt.territory_id
  LEFT JOIN zone z ON z.territory_id = t.id;
