"""The kennisateliers' iCalendar engine.

``ical`` renders RFC 5545/7986 from plain dataclasses and knows nothing of Flask or the
database; ``feeds`` turns ateliers into those dataclasses and into the public documents
(one atelier's .ics, the whole feed, a theme's feed); ``personal`` is a member's own feed
behind a secret address; ``links`` builds the "Add to calendar" menu (Google, Outlook.com,
webcal://); ``localtime`` reads and writes Amsterdam wall-clock times.
"""
