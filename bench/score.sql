-- The classic secure score (SPEC §1) in DuckDB SQL: the peer of `securescore assess` in
-- bench/run.sh. bench/duckdb_score.py defines what this reads, then runs it:
--
--   assessments(resource, recommendation, status, exemption_category, exemption_expires)
--       one row an assessment of the input; status lower case without '_'
--       (healthy | unhealthy | notapplicable); exemption_expires a date, a time or NULL
--   members(control, max_score, recommendation)
--       the control catalog securescore embeds, one row a control member
--   getvariable('as_of')
--       the evaluation date (DATE): an exemption counts until its expiry day inclusive
--
-- and it returns one row: the overall percentage (NULL when no scope has a score), with
-- the default `--weighting resources`.

WITH effective AS (
    -- An active exemption changes a status: a waiver makes it not applicable, a
    -- mitigation healthy; a not-applicable assessment stays so (§1 step 2).
    SELECT lower(resource) AS resource, -- all ids here are Azure ids: case-insensitive
           recommendation,
           CASE
               WHEN status <> 'notapplicable'
                AND exemption_category IS NOT NULL
                AND (exemption_expires IS NULL
                     OR CAST(CAST(exemption_expires AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS DATE)
                        >= getvariable('as_of'))
               THEN CASE lower(exemption_category)
                        WHEN 'waiver' THEN 'notapplicable'
                        WHEN 'mitigated' THEN 'healthy'
                    END
               ELSE status
           END AS status
    FROM assessments
),
resource_state AS (
    -- A resource's state in a control: unhealthy if any of its assessments there is,
    -- else healthy if any is, else not applicable (§1 step 3). 2 / 1 / 0. Its scope is
    -- the subscription of its id (no match: the unnamed scope, NULL).
    SELECT nullif(regexp_extract(e.resource, '^/?subscriptions/([^/]+)', 1), '') AS scope,
           m.control,
           e.resource,
           max(CASE e.status WHEN 'unhealthy' THEN 2 WHEN 'healthy' THEN 1 ELSE 0 END) AS state
    FROM effective AS e
    JOIN members AS m USING (recommendation) -- a recommendation in no control does not score
    GROUP BY ALL
),
control_counts AS (
    -- H and U per scope and control (§1 step 4).
    SELECT scope, control,
           count(*) FILTER (WHERE state = 1) AS h,
           count(*) FILTER (WHERE state = 2) AS u
    FROM resource_state
    GROUP BY ALL
),
scope_points AS (
    -- Applicable controls (H + U > 0) give max × H / (H + U) of their max (§1 steps 5–6).
    SELECT k.scope,
           sum(c.max_score * k.h / (k.h + k.u)) AS current,
           sum(c.max_score) AS max
    FROM control_counts AS k
    JOIN (SELECT DISTINCT control, max_score FROM members) AS c USING (control)
    WHERE k.h + k.u > 0
    GROUP BY k.scope
),
scope_weights AS (
    -- A scope weighs its resources healthy or unhealthy in at least one counted
    -- assessment (§1.1, `resources` weighting).
    SELECT scope, count(DISTINCT resource) AS weight
    FROM resource_state
    WHERE state > 0
    GROUP BY scope
)
-- The weighted mean of the scopes' percentages, over the scopes with points (a scope
-- whose applicable controls total 0 points has no percentage).
SELECT sum(w.weight * 100 * p.current / p.max) / sum(w.weight) AS percentage
FROM scope_points AS p
JOIN scope_weights AS w ON w.scope IS NOT DISTINCT FROM p.scope
WHERE p.max > 0;
