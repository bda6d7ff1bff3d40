-- Each account's value per day and currency, from the daily snapshots: the cash held in
-- the currency, its positions priced in it at market value (a CFD or FX position by its
-- profit or loss, which is what it adds to equity), and their sum, the equity, exactly;
-- beside it the equity the broker reported for that currency, where it did.
WITH cash AS (
    SELECT source, broker, account_id, as_of_date AS day, currency, as_of, cash,
           equity AS reported_equity
    FROM balances
),
held AS (
    SELECT source, broker, account_id, as_of_date AS day, currency, max(as_of) AS as_of,
           sum(CASE WHEN instrument_type IN ('cfd', 'fx') THEN coalesce(unrealized_pnl, 0)
                    ELSE coalesce(market_value, 0) END) AS market_value,
           count(*) AS positions
    FROM positions
    GROUP BY source, broker, account_id, as_of_date, currency
)
SELECT coalesce(c.source, h.source) AS source,
       coalesce(c.broker, h.broker) AS broker,
       coalesce(c.account_id, h.account_id) AS account_id,
       coalesce(c.day, h.day) AS day,
       coalesce(c.currency, h.currency) AS currency,
       coalesce(c.as_of, h.as_of) AS as_of,
       coalesce(c.cash, 0) AS cash,
       coalesce(h.market_value, 0) AS market_value,
       coalesce(c.cash, 0) + coalesce(h.market_value, 0) AS equity,
       c.reported_equity,
       coalesce(h.positions, 0) AS positions
FROM cash c
FULL JOIN held h
  ON c.source = h.source AND c.account_id = h.account_id AND c.day = h.day
 AND c.currency = h.currency
