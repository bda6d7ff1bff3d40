-- How many units of each currency one euro bought on each calendar day (the ECB's
-- reference rates, the last published carried over days without one; the euro itself
-- at 1): what every conversion between two currencies goes through. An amount converts
-- from currency A to B as amount x rate(B) / rate(A), the cross rate rounded to 12
-- decimal places.
SELECT day, quote AS currency, rate, published_on, carried_forward
FROM fx_reference_daily
WHERE provider = 'ECB' AND base = 'EUR'
UNION ALL
SELECT DISTINCT day, 'EUR' AS currency, CAST(1 AS DECIMAL(38, 18)) AS rate,
       day AS published_on, false AS carried_forward
FROM fx_reference_daily
WHERE provider = 'ECB' AND base = 'EUR'
