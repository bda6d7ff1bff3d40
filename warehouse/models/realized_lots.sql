-- Which units were sold against which were bought, first in, first out, per account and
-- symbol: the units each account acquired (fills and transfers in) and disposed of (fills
-- and transfers out), each stream in time order, matched where their running totals
-- overlap, so a sale closes the oldest units held and a purchase covers the oldest short.
-- Quantities are in today's units (a split's two legs are not moves: earlier units are
-- scaled by the splits after them). A match of a fill against a fill or a transfer in
-- realizes profit or loss: the matched share of the cash each leg moved (fees included;
-- a transfer in at its stated price), in the activity's currency.
WITH moves AS (
    SELECT source, broker, account_id, symbol, currency, activity_id, activity_type,
           occurred_at, quantity, amount, price
    FROM activities
    WHERE status = 'executed' AND symbol IS NOT NULL AND coalesce(quantity, 0) <> 0
      AND activity_type IN ('trade', 'transfer_in', 'transfer_out', 'split')
),
splits AS (
    SELECT source, account_id, symbol, occurred_at,
           CAST(sum(quantity) FILTER (WHERE quantity > 0) AS DOUBLE)
           / CAST(-sum(quantity) FILTER (WHERE quantity < 0) AS DOUBLE) AS ratio
    FROM moves
    WHERE activity_type = 'split'
    GROUP BY source, account_id, symbol, occurred_at
),
scaled AS (
    SELECT m.*,
           coalesce((SELECT product(s.ratio) FROM splits s
                     WHERE s.source = m.source AND s.account_id = m.account_id
                       AND s.symbol = m.symbol AND s.occurred_at > m.occurred_at), 1) AS factor
    FROM moves m
    WHERE m.activity_type <> 'split'
),
legs AS (
    SELECT *,
           CASE WHEN quantity > 0 THEN 'in' ELSE 'out' END AS direction,
           CAST(abs(CAST(quantity AS DOUBLE) * factor) AS DECIMAL(38, 12)) AS size,
           CASE WHEN activity_type = 'trade' THEN CAST(coalesce(amount, 0) AS DOUBLE)
                WHEN activity_type = 'transfer_in'
                    THEN -CAST(quantity AS DOUBLE) * CAST(coalesce(price, 0) AS DOUBLE)
           END AS cash
    FROM scaled
),
streams AS (
    SELECT *,
           sum(size) OVER (PARTITION BY source, account_id, symbol, direction
                           ORDER BY occurred_at, activity_id ROWS UNBOUNDED PRECEDING) AS upto
    FROM legs
)
SELECT i.source, i.broker, i.account_id, i.symbol, o.currency,
       i.activity_id AS acquired_by, i.activity_type AS acquired_as, i.occurred_at AS acquired_at,
       o.activity_id AS disposed_by, o.activity_type AS disposed_as, o.occurred_at AS disposed_at,
       greatest(i.occurred_at, o.occurred_at) AS realized_at,
       least(i.upto, o.upto) - greatest(i.upto - i.size, o.upto - o.size) AS quantity,
       CASE WHEN o.activity_type = 'trade' AND i.cash IS NOT NULL
            THEN CAST(least(i.upto, o.upto) - greatest(i.upto - i.size, o.upto - o.size) AS DOUBLE)
                 * (o.cash / CAST(o.size AS DOUBLE) + i.cash / CAST(i.size AS DOUBLE))
       END AS realized_pnl
FROM streams i
JOIN streams o
  ON o.source = i.source AND o.account_id = i.account_id AND o.symbol = i.symbol
 AND i.direction = 'in' AND o.direction = 'out'
 AND i.upto - i.size < o.upto AND o.upto - o.size < i.upto
