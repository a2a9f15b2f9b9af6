"""Everything that parses podcast files: audio probing (in the sandbox), artwork, transcripts
and chapters."""
