"""Every write the community does, one module per concern; each function owns its transaction.

``members`` (membership rows and handles, shared by every way in), ``joining`` (invitations,
requests, verification, decisions, trusted domains, bulk invitations), ``profiles``,
``posting`` (threads and posts), ``reading`` (read state) and ``search`` (the index).
"""
