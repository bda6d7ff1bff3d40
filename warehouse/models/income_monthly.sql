-- Income and charges per account, month and currency, as the executed activities booked
-- them (signed: positive into the account): dividends, interest, fees, taxes, and the
-- commissions charged on trades; and their sum in the base currency, each activity
-- converted at its day's ECB rate.
WITH booked AS (
    SELECT a.source, a.broker, acc.user_id, a.account_id,
           CAST(date_trunc('month', a.occurred_at) AS DATE) AS month,
           CAST(a.occurred_at AS DATE) AS day,
           coalesce(a.currency, acc.base_currency) AS currency,
           a.activity_type,
           CASE WHEN a.activity_type = 'trade' THEN -coalesce(a.fee, 0)
                ELSE coalesce(a.amount, 0) END AS amount
    FROM activities a
    JOIN accounts acc USING (source, account_id)
    WHERE a.status = 'executed'
      AND (a.activity_type IN ('dividend', 'interest', 'fee', 'tax')
           OR (a.activity_type = 'trade' AND coalesce(a.fee, 0) <> 0))
),
converted AS (
    SELECT b.*, s.base_currency,
           CASE WHEN b.currency = s.base_currency THEN b.amount
                ELSE CAST(CAST(b.amount AS DECIMAL(38, 8))
                          * CAST(CAST(tb.rate AS DOUBLE) / CAST(fr.rate AS DOUBLE)
                                 AS DECIMAL(38, 12)) AS DECIMAL(38, 18))
           END AS amount_base
    FROM booked b
    CROSS JOIN analytics_settings s
    LEFT JOIN fx_eur_rates fr ON fr.day = b.day AND fr.currency = b.currency
    LEFT JOIN fx_eur_rates tb ON tb.day = b.day AND tb.currency = s.base_currency
)
SELECT source, broker, user_id, account_id, month, currency,
       coalesce(sum(amount) FILTER (WHERE activity_type = 'dividend'), 0) AS dividends,
       coalesce(sum(amount) FILTER (WHERE activity_type = 'interest'), 0) AS interest,
       coalesce(sum(amount) FILTER (WHERE activity_type = 'fee'), 0) AS fees,
       coalesce(sum(amount) FILTER (WHERE activity_type = 'tax'), 0) AS taxes,
       coalesce(sum(amount) FILTER (WHERE activity_type = 'trade'), 0) AS commissions,
       sum(amount) AS net,
       any_value(base_currency) AS base_currency,
       sum(amount_base) AS net_base,
       count(*) AS activities
FROM converted
GROUP BY source, broker, user_id, account_id, month, currency
