"""Podcast publishing: RSS feed, JSON chapters and transcripts."""
