-- Claim leases (issue 10 §5): several daemons on one database. A claim
-- ('sending') lasts until lease_until; the living claimer renews it
-- (db_outbound_renew()), and any other daemon takes over a message whose
-- lease ran out (db_outbound_takeover()): its queued parts go back to the
-- queue, a part that was being submitted becomes 'unknown' (never resent
-- blindly).
ALTER TABLE outbound_messages ADD COLUMN lease_until timestamptz;

-- Claims made before this migration get one default lease from now: their
-- daemon (stopped for the upgrade) recovers them itself at its restart.
UPDATE outbound_messages SET lease_until = now() + interval '60 seconds'
 WHERE state = 'sending';

CREATE INDEX outbound_lease_idx ON outbound_messages (lease_until)
	WHERE state = 'sending';
