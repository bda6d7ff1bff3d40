-- Does the broker's own profit or loss agree with brokerlake's? Per account and day that
-- both portfolio_daily and portfolio_history_reported (Alpaca's portfolio history) hold,
-- the profit or loss since the first such day: brokerlake's is the change in equity less
-- the external flows in between, the broker's the sum of its daily profit or loss over
-- the days in between (which leaves its cash flows out too). They agree within the
-- larger of 0.05 in the account's currency and 0.01% of its equity.
WITH both_days AS (
    SELECT d.source, d.broker, d.account_id, d.day, d.account_currency AS currency,
           d.equity, d.net_flows, r.equity AS reported_equity
    FROM portfolio_daily d
    JOIN portfolio_history_reported r
      ON r.source = d.source AND r.account_id = d.account_id AND r.day = d.day
),
since_first AS (
    SELECT *,
           first_value(day) OVER w AS first_day,
           equity - first_value(equity) OVER w
             - (sum(net_flows) OVER w - first_value(net_flows) OVER w) AS brokerlake_pnl,
           greatest(0.05, 0.0001 * abs(equity)) AS tolerance
    FROM both_days
    WINDOW w AS (PARTITION BY source, account_id ORDER BY day
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
reported AS (
    SELECT s.source, s.account_id, s.day, coalesce(sum(r.profit_loss), 0) AS reported_pnl
    FROM since_first s
    LEFT JOIN portfolio_history_reported r
      ON r.source = s.source AND r.account_id = s.account_id
     AND r.day > s.first_day AND r.day <= s.day
    GROUP BY s.source, s.account_id, s.day
)
SELECT s.source, s.broker, s.account_id, s.day, s.currency, s.equity, s.reported_equity,
       s.brokerlake_pnl, r.reported_pnl, s.brokerlake_pnl - r.reported_pnl AS difference,
       s.tolerance, abs(s.brokerlake_pnl - r.reported_pnl) <= s.tolerance AS within_tolerance
FROM since_first s
JOIN reported r USING (source, account_id, day)
