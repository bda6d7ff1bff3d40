-- Each account's value per day: cash, market value of positions and equity in the
-- account's currency (every currency it holds converted through the euro at the day's ECB
-- rates; exact where it holds its own currency only) and in the base currency (the
-- `base_currency` setting, USD by default); the external flows since its previous
-- snapshot (after that snapshot's instant, up to this one's), which the returns leave
-- out; and whether a rate used was carried over a day the ECB did not publish.
WITH by_currency AS (
    SELECT p.*, acc.user_id, acc.institution, acc.base_currency AS account_currency,
           s.base_currency,
           CAST(CAST(ta.rate AS DOUBLE) / CAST(fr.rate AS DOUBLE) AS DECIMAL(38, 12)) AS to_account,
           CAST(CAST(tb.rate AS DOUBLE) / CAST(fr.rate AS DOUBLE) AS DECIMAL(38, 12)) AS to_base,
           coalesce(fr.carried_forward OR ta.carried_forward OR tb.carried_forward, false)
               AS carried_forward
    FROM portfolio_daily_currency p
    JOIN accounts acc USING (source, account_id)
    CROSS JOIN analytics_settings s
    LEFT JOIN fx_eur_rates fr ON fr.day = p.day AND fr.currency = p.currency
    LEFT JOIN fx_eur_rates ta ON ta.day = p.day AND ta.currency = acc.base_currency
    LEFT JOIN fx_eur_rates tb ON tb.day = p.day AND tb.currency = s.base_currency
),
converted AS (
    SELECT *,
           CASE WHEN currency = account_currency THEN cash
                ELSE CAST(CAST(cash AS DECIMAL(38, 8)) * to_account AS DECIMAL(38, 18))
           END AS cash_account,
           CASE WHEN currency = account_currency THEN market_value
                ELSE CAST(CAST(market_value AS DECIMAL(38, 8)) * to_account AS DECIMAL(38, 18))
           END AS market_value_account,
           CASE WHEN currency = base_currency THEN cash
                ELSE CAST(CAST(cash AS DECIMAL(38, 8)) * to_base AS DECIMAL(38, 18))
           END AS cash_base,
           CASE WHEN currency = base_currency THEN market_value
                ELSE CAST(CAST(market_value AS DECIMAL(38, 8)) * to_base AS DECIMAL(38, 18))
           END AS market_value_base
    FROM by_currency
),
accounts_daily AS (
    SELECT source, broker, user_id, institution, account_id, day, max(as_of) AS as_of,
           any_value(account_currency) AS account_currency,
           sum(cash_account) AS cash,
           sum(market_value_account) AS market_value,
           sum(cash_account) + sum(market_value_account) AS equity,
           any_value(base_currency) AS base_currency,
           sum(cash_base) AS cash_base,
           sum(market_value_base) AS market_value_base,
           sum(cash_base) + sum(market_value_base) AS equity_base,
           count(*) AS currencies,
           bool_or(carried_forward) AS fx_carried_forward
    FROM converted
    GROUP BY source, broker, user_id, institution, account_id, day
),
sequenced AS (
    SELECT *,
           lag(day) OVER w AS previous_day,
           lag(as_of) OVER w AS previous_as_of
    FROM accounts_daily
    WINDOW w AS (PARTITION BY source, account_id ORDER BY day)
)
SELECT d.*,
       coalesce(sum(f.value_account), 0) AS net_flows,
       coalesce(sum(f.value_base), 0) AS net_flows_base,
       count(f.activity_id) AS flows
FROM sequenced d
LEFT JOIN external_flows f
  ON f.source = d.source AND f.account_id = d.account_id
 AND f.occurred_at <= d.as_of
 AND (d.previous_as_of IS NULL OR f.occurred_at > d.previous_as_of)
 AND d.previous_as_of IS NOT NULL
GROUP BY ALL
