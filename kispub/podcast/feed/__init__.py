"""The podcast RSS feed: rendering (rss), its feedgen extensions, and serving it from a cache
(syndication)."""
