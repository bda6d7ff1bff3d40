-- The return of each day, per account (in its currency) and consolidated per user, source
-- and overall (in the base currency): (value - external flows since the previous
-- snapshot) / previous value - 1, so money moved in or out is never a gain or a loss;
-- chain-linked, these give the time-weighted return.
WITH series AS (
    SELECT 'account' AS level, source, user_id, account_id, account_currency AS currency,
           day, equity AS value, net_flows
    FROM portfolio_daily
    UNION ALL
    SELECT level, source, user_id, NULL, base_currency, day, equity_base, net_flows_base
    FROM portfolio_daily_consolidated
),
linked AS (
    SELECT *,
           lag(day) OVER w AS previous_day,
           lag(value) OVER w AS previous_value
    FROM series
    WINDOW w AS (PARTITION BY level, source, user_id, account_id ORDER BY day)
)
SELECT *,
       CASE WHEN previous_value IS NOT NULL AND previous_value <> 0
            THEN CAST(value - net_flows AS DOUBLE) / CAST(previous_value AS DOUBLE) - 1
       END AS daily_return
FROM linked
