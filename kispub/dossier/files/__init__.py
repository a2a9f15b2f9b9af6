"""A dossier item's attachment and a dossier's lead image: checked, cleaned, thumbnailed.

- ``errors``: the one exception (:class:`~kispub.dossier.files.errors.FileError`) and its
  Dutch messages, which the upload form shows;
- ``sniff``: what the first bytes say a file is (never its name or claimed type);
- ``pdf`` and ``images``: the parsers, run only inside the sandbox child
  (:mod:`kispub.core.sandbox`) by ``inspect``;
- ``prepare``: the parent's side: stage the upload, inspect it in the sandbox, and hand the
  service staged files to store;
- ``naming``: safe file names; ``attachments``: what the pages show about a file;
  ``references``: the keys the media garbage collector must keep.

``sniff``, ``errors``, ``pdf``, ``images`` and ``inspect`` import nothing of Flask or the
app: the sandbox server imports them bare, before it forks.
"""
