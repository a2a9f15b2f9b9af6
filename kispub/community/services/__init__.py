"""Every write the community does, one module per concern; each function owns its transaction.

``members`` (membership rows and handles, shared by every way in); joining, in four parts:
``joining`` (the rule itself: requests, confirming an address, decisions, the reminder),
``invitations`` (personal and shared links), ``bulk`` (invitations from a CSV file) and
``domains`` (trusted domains), with ``rules`` holding what they share; ``profiles``,
``posting`` (threads and posts), ``reading`` (read state) and ``search`` (the index).
"""
