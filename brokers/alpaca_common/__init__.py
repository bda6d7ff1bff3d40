"""What both Alpaca APIs share: the Trading API's order, position and activity records
(the Broker API serves the same ones per account), read into canonical rows, and the
listings' paging."""
