-- Value per day consolidated in the base currency: per user (their accounts at one
-- source), per source and overall; cash, market value, equity, the external flows since
-- the previous snapshot and the accounts counted, from portfolio_daily.
SELECT CASE WHEN grouping(user_id) = 0 THEN 'user'
            WHEN grouping(source) = 0 THEN 'source'
            ELSE 'overall' END AS level,
       source, user_id, day, base_currency,
       count(*) AS accounts, sum(cash_base) AS cash_base,
       sum(market_value_base) AS market_value_base, sum(equity_base) AS equity_base,
       sum(net_flows_base) AS net_flows_base, bool_or(fx_carried_forward) AS fx_carried_forward
FROM portfolio_daily
GROUP BY GROUPING SETS ((source, user_id, day, base_currency), (source, day, base_currency),
                        (day, base_currency))
