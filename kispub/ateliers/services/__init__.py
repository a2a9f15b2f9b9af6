"""Every write of the kennisateliers channel, as plain functions; nothing else writes.

Each public function is one unit of work: it checks everything first, then changes the
database inside one ``write_transaction()`` (nested calls, such as ``set_links``, join it),
and queues the e-mail that change causes in the outbox inside that same transaction (the
worker delivers it after the commit). Views and the content loader call exactly one of
them per request or item.

A package rather than one ``services.py``, because the writes fall in parts that
share nothing but the models, and together they would pass 400 lines:

- ``editing``: creating and changing ateliers (the editors' form and content files),
  with the rules every atelier keeps and the links to other channels' content;
- ``registration``: taking a seat or a place on the waiting list, cancelling, and
  removing attendees' data after the retention period;
- ``attendees``: the editors adding, removing and promoting attendees by hand, and
  mailing them all;
- ``lifecycle``: cancelling an atelier and lowering its places, the two changes an editor
  confirms on a page of their own (each mails people who did nothing);
- ``feeds``: a member renewing or revoking the secret address of their personal feed.
"""
