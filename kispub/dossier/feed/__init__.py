"""The dossier's Atom feeds: ``atom`` writes the XML, ``documents`` gathers what it shows."""
