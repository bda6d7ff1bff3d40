-- Realized profit or loss per account and symbol (FIFO lots, from realized_lots): the
-- sum over the units closed, in the currency they traded in (rounded to 8 decimal
-- places), with the units closed, the matches and when the first and last were realized.
-- Units moved out by a transfer close lots without realizing anything.
SELECT source, broker, account_id, symbol, currency,
       CAST(sum(realized_pnl) AS DECIMAL(38, 8)) AS realized_pnl,
       sum(quantity) FILTER (WHERE realized_pnl IS NOT NULL) AS quantity_closed,
       count(*) FILTER (WHERE realized_pnl IS NOT NULL) AS matches,
       min(realized_at) FILTER (WHERE realized_pnl IS NOT NULL) AS first_realized_at,
       max(realized_at) FILTER (WHERE realized_pnl IS NOT NULL) AS last_realized_at
FROM realized_lots
GROUP BY source, broker, account_id, symbol, currency
