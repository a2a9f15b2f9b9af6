"""Site administration that belongs to no single feature: the mail outbox."""
