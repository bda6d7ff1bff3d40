-- Does the broker's own profit or loss agree with brokerlake's? Per account and day that
-- both portfolio_daily and portfolio_history_reported (Alpaca's portfolio history) hold,
-- the profit or loss since the first such day: brokerlake's is the change in equity less
-- the external flows in between, the broker's the change in its reported profit_loss
-- (which leaves its cash flows out too). They agree within the larger of 0.05 in the
-- account's currency and 0.01% of its equity.
WITH both_days AS (
    SELECT d.source, d.broker, d.account_id, d.day, d.account_currency AS currency,
           d.equity, d.net_flows, r.equity AS reported_equity, r.profit_loss
    FROM portfolio_daily d
    JOIN portfolio_history_reported r
      ON r.source = d.source AND r.account_id = d.account_id AND r.day = d.day
),
since_first AS (
    SELECT *,
           equity - first_value(equity) OVER w
             - (sum(net_flows) OVER w - first_value(net_flows) OVER w) AS brokerlake_pnl,
           profit_loss - first_value(profit_loss) OVER w AS reported_pnl,
           greatest(0.05, 0.0001 * abs(equity)) AS tolerance
    FROM both_days
    WINDOW w AS (PARTITION BY source, account_id ORDER BY day
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT source, broker, account_id, day, currency, equity, reported_equity,
       brokerlake_pnl, reported_pnl, brokerlake_pnl - reported_pnl AS difference, tolerance,
       abs(brokerlake_pnl - reported_pnl) <= tolerance AS within_tolerance
FROM since_first
