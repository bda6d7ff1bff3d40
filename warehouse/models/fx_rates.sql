-- Exchange rates per day: how many units of `quote` one `base` bought on `day`, by
-- provider. The ECB's euro reference rates cover every calendar day from the first it
-- published to today: a day it did not publish (weekend, holiday) carries the last
-- published rate, `published_on` says which day's and `carried_forward` says so. Beside
-- them, the rates brokers stated (an activity's fx_rate, from its currency to the
-- account's; an order's or position's swap_rate, USD to the account's currency under
-- Local Currency Trading), the provider being the institution, with where it was stated.
WITH stated AS (
    SELECT CAST(a.occurred_at AS DATE) AS day, a.currency AS base, acc.base_currency AS quote,
           a.fx_rate AS rate, acc.institution AS provider, a.source, a.account_id,
           'activity' AS stated_on, a.activity_id AS stated_by
    FROM activities a JOIN accounts acc USING (source, account_id)
    WHERE a.fx_rate IS NOT NULL AND a.currency IS NOT NULL
    UNION ALL
    SELECT CAST(coalesce(o.filled_at, o.submitted_at) AS DATE), 'USD', o.currency, o.swap_rate,
           acc.institution, o.source, o.account_id, 'order', o.order_id
    FROM orders o JOIN accounts acc USING (source, account_id)
    WHERE o.swap_rate IS NOT NULL
    UNION ALL
    SELECT p.as_of_date, 'USD', p.currency, p.swap_rate, acc.institution, p.source,
           p.account_id, 'position', p.position_key
    FROM positions p JOIN accounts acc USING (source, account_id)
    WHERE p.swap_rate IS NOT NULL
)
SELECT day, base, quote, rate, provider, published_on, carried_forward,
       CAST(NULL AS VARCHAR) AS source, CAST(NULL AS VARCHAR) AS account_id,
       'reference' AS stated_on, CAST(NULL AS VARCHAR) AS stated_by
FROM fx_reference_daily
UNION ALL
SELECT day, base, quote, rate, provider, day AS published_on, false AS carried_forward,
       source, account_id, stated_on, stated_by
FROM stated
