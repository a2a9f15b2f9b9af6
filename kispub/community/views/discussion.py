"""Placeholder: filled in by the discussion work (themes, threads, posts, read state)."""

from kispub.community.views import bp


@bp.get("/")
def index() -> str:
    """The community's home: the themes."""
    return "community"


@bp.get("/thema/<slug>")
def theme(slug: str) -> str:
    """A theme's threads."""
    return slug


@bp.get("/onderwerp/<int:thread_id>")
def thread(thread_id: int) -> str:
    """A thread, one page of posts."""
    return str(thread_id)


@bp.get("/bericht/<int:post_id>")
def post(post_id: int) -> str:
    """A post's permalink."""
    return str(post_id)
