-- External flows: what moved into or out of an account from outside it (deposits,
-- withdrawals, transfers in and out, journals), executed, from the activities: what the
-- returns must not count as gain. Each is valued at the cash it moved, or, when only
-- units moved, the units at the price stated; in its own currency, the account's and the
-- base currency (converted through the euro at the day's ECB rates; null without them).
WITH flows AS (
    SELECT a.source, a.broker, a.account_id, acc.user_id, a.activity_id, a.activity_type,
           a.occurred_at, CAST(a.occurred_at AS DATE) AS day,
           coalesce(a.currency, acc.base_currency) AS currency,
           CASE WHEN coalesce(a.amount, 0) <> 0 THEN a.amount
                ELSE CAST(CAST(coalesce(a.quantity, 0) AS DECIMAL(38, 10))
                          * CAST(coalesce(a.price, 0) AS DECIMAL(38, 10)) AS DECIMAL(38, 18))
           END AS value,
           acc.base_currency AS account_currency
    FROM activities a
    JOIN accounts acc USING (source, account_id)
    WHERE a.status = 'executed'
      AND a.activity_type IN ('deposit', 'withdrawal', 'transfer_in', 'transfer_out', 'journal')
)
SELECT f.*,
       CASE WHEN f.currency = f.account_currency THEN f.value
            ELSE CAST(CAST(f.value AS DECIMAL(38, 8))
                      * CAST(CAST(ta.rate AS DOUBLE) / CAST(fr.rate AS DOUBLE) AS DECIMAL(38, 12))
                      AS DECIMAL(38, 18))
       END AS value_account,
       s.base_currency,
       CASE WHEN f.currency = s.base_currency THEN f.value
            ELSE CAST(CAST(f.value AS DECIMAL(38, 8))
                      * CAST(CAST(tb.rate AS DOUBLE) / CAST(fr.rate AS DOUBLE) AS DECIMAL(38, 12))
                      AS DECIMAL(38, 18))
       END AS value_base
FROM flows f
CROSS JOIN analytics_settings s
LEFT JOIN fx_eur_rates fr ON fr.day = f.day AND fr.currency = f.currency
LEFT JOIN fx_eur_rates ta ON ta.day = f.day AND ta.currency = f.account_currency
LEFT JOIN fx_eur_rates tb ON tb.day = f.day AND tb.currency = s.base_currency
