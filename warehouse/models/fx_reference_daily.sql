-- The reference rates of every calendar day, by provider (the ECB's: one euro in each
-- currency), from the first day published to today or the latest snapshot, whichever is
-- later: a day the provider did not publish (weekend, holiday) carries the last published
-- rate; `published_on` says which day's, `carried_forward` says it was carried.
WITH quotes AS (
    SELECT provider, base, quote, min(day) AS first_day
    FROM fx_reference_rates
    GROUP BY provider, base, quote
),
last_day AS (
    SELECT greatest(
        current_date,
        (SELECT max(day) FROM fx_reference_rates),
        (SELECT max(as_of_date) FROM balances)
    ) AS day
),
calendar AS (
    SELECT q.provider, q.base, q.quote, CAST(d.day AS DATE) AS day
    FROM quotes q, last_day l,
         LATERAL (SELECT unnest(range(q.first_day, l.day + 1, INTERVAL 1 DAY)) AS day) d
)
SELECT c.day, c.base, c.quote, r.rate, c.provider, r.day AS published_on,
       r.day <> c.day AS carried_forward
FROM calendar c
ASOF JOIN fx_reference_rates r
  ON r.provider = c.provider AND r.base = c.base AND r.quote = c.quote AND c.day >= r.day
