-- Returns over 1M, 3M, YTD, 1Y and since inception, per account (in its currency) and
-- consolidated per user, source and overall (in the base currency), to each one's latest
-- snapshot: the time-weighted return (daily returns chain-linked: deposits and
-- withdrawals never count as gains) and the money-weighted return (XIRR: the rate at
-- which the starting value and each day's external flows grow into the ending value;
-- `mwr` over the period, `mwr_annualized` per year of 365 days), with the start and end
-- values and the flows between. A period reaching before the first snapshot starts at
-- the first (`complete` false).
WITH RECURSIVE returns AS MATERIALIZED (
    SELECT level, source, user_id, account_id, currency, day, value, net_flows, daily_return,
           concat_ws('|', level, source, user_id, account_id) AS entity
    FROM daily_returns
),
entities AS (
    SELECT entity, level, source, user_id, account_id, any_value(currency) AS currency,
           min(day) AS first_day, max(day) AS end_day
    FROM returns
    GROUP BY entity, level, source, user_id, account_id
),
periods AS (
    SELECT e.*, p.period, p.target
    FROM entities e,
    LATERAL (VALUES
        ('1M', CAST(e.end_day - INTERVAL 1 MONTH AS DATE)),
        ('3M', CAST(e.end_day - INTERVAL 3 MONTH AS DATE)),
        ('YTD', CAST(date_trunc('year', e.end_day) - INTERVAL 1 DAY AS DATE)),
        ('1Y', CAST(e.end_day - INTERVAL 1 YEAR AS DATE)),
        ('inception', e.first_day)
    ) p(period, target)
),
spans AS MATERIALIZED (
    SELECT p.*, coalesce(b.start_day, p.first_day) AS start_day,
           p.target >= p.first_day AS complete
    FROM periods p
    LEFT JOIN (
        SELECT p.entity, p.period, max(r.day) AS start_day
        FROM periods p JOIN returns r ON r.entity = p.entity AND r.day <= p.target
        GROUP BY p.entity, p.period
    ) b ON b.entity = p.entity AND b.period = p.period
),
days AS MATERIALIZED (
    SELECT s.entity, s.period, s.start_day, s.end_day, r.day, r.value, r.net_flows,
           r.daily_return
    FROM spans s
    JOIN returns r ON r.entity = s.entity AND r.day BETWEEN s.start_day AND s.end_day
),
summary AS (
    SELECT entity, period,
           any_value(value) FILTER (WHERE day = start_day) AS start_value,
           any_value(value) FILTER (WHERE day = end_day) AS end_value,
           coalesce(sum(net_flows) FILTER (WHERE day > start_day), 0) AS net_flows,
           coalesce(product(1 + daily_return) FILTER (WHERE day > start_day), 1) - 1 AS twr,
           count(*) FILTER (WHERE day > start_day) AS days_linked
    FROM days
    GROUP BY entity, period
),
-- XIRR: the starting value invested at t = 0, each day's flows at t days later, the
-- ending value taken out at the end; the rate per day solved by Newton's method from 0
-- until a step moves it by less than 1e-15 (100 steps at most), which is well
-- conditioned however short the period; annualized over 365 days at the end.
cash_flows AS MATERIALIZED (
    SELECT entity, period,
           CAST(day - start_day AS DOUBLE) AS t,
           CASE WHEN day = start_day THEN -CAST(value AS DOUBLE)
                ELSE -CAST(net_flows AS DOUBLE) END
           + CASE WHEN day = end_day AND day > start_day THEN CAST(value AS DOUBLE) ELSE 0 END
               AS cf
    FROM days
),
newton(entity, period, step, r, moved) AS (
    SELECT DISTINCT entity, period, 0, CAST(0 AS DOUBLE), CAST(1 AS DOUBLE)
    FROM cash_flows
    UNION ALL
    SELECT entity, period, step + 1, greatest(r - delta, -0.999), abs(delta)
    FROM (
        SELECT n.entity, n.period, n.step, n.r,
               sum(f.cf * power(1 + n.r, -f.t))
               / nullif(sum(-f.t * f.cf * power(1 + n.r, -f.t - 1)), 0) AS delta
        FROM newton n
        JOIN cash_flows f ON f.entity = n.entity AND f.period = n.period
        WHERE n.step < 100 AND n.moved > 1e-15
        GROUP BY n.entity, n.period, n.step, n.r
    )
    WHERE delta IS NOT NULL
),
solved AS (
    SELECT n.entity, n.period, n.r,
           abs(sum(f.cf * power(1 + n.r, -f.t))) <= 1e-7 * greatest(max(abs(f.cf)), 1)
               AS converged,
           max(f.t) AS days
    FROM (SELECT entity, period, arg_max(r, step) AS r FROM newton GROUP BY entity, period) n
    JOIN cash_flows f ON f.entity = n.entity AND f.period = n.period
    GROUP BY n.entity, n.period, n.r
)
SELECT s.level, s.source, s.user_id, s.account_id, s.currency, s.period,
       s.start_day, s.end_day, s.complete,
       m.start_value, m.end_value, m.net_flows, m.days_linked,
       m.twr,
       CASE WHEN x.days = 0 THEN 0
            WHEN x.converged THEN power(1 + x.r, x.days) - 1 END AS mwr,
       CASE WHEN x.converged AND x.days > 0 THEN power(1 + x.r, 365) - 1 END AS mwr_annualized
FROM spans s
JOIN summary m ON m.entity = s.entity AND m.period = s.period
LEFT JOIN solved x ON x.entity = s.entity AND x.period = s.period
