"""Dossiers: curated, themed collections of articles, publications, infographics, episodes
and ateliers (the coronadossier first)."""
