"""Every write of the dossier channel, as plain functions; nothing else writes.

Each public function is one unit of work: it checks everything first, then changes the
database inside one ``write_transaction()``. Views, the back office and the content loader
call exactly one of them per request or item.

- ``editing``: dossiers, groups and items, with the rules each kind of item keeps,
  featuring and the public change history; ``ordering``: moving groups and items up or
  down; ``publishing``: publishing and taking offline, deleting, and the item form's save
  (item, featured place and publication in one unit);
- ``files``: attaching, replacing and removing an item's file, and the lead image (the
  checking, cleaning and thumbnailing is ``kispub.dossier.files``);
- ``counting`` (``kispub.dossier.counting``): the private daily view and download totals;
- ``alerts``: asking for e-mail alerts, confirming and stopping them (the rules they follow
  are in ``kispub.dossier.alerts``), and ``alert_sending``: the jobs that send them.
"""
