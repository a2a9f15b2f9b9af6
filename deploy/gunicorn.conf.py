"""gunicorn's settings for kispub: ``gunicorn -c deploy/gunicorn.conf.py kispub.wsgi:app``.

nginx (deploy/nginx/kispub.conf) sits in front: it sends the feeds, calendars and audio
itself and hands gunicorn only the pages and forms, with the request body already read.
Sizes come from the environment (/etc/kispub/env), so a machine is tuned without editing
this file; the command line (``--bind``, ``--workers``) still wins over both.
"""

import multiprocessing
import os

# Loopback only: nginx is the only client.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Processes: gunicorn's own WEB_CONCURRENCY, else one per core plus one. With more than one,
# throttling counts must live in Redis (KISPUB_RATELIMIT_STORAGE_URI); the app refuses to
# start otherwise.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))

# Threads per process: a request mostly waits on the database. The app sizes its database
# connection pool from this number (kispub/core/workers.py), so every thread has a
# connection and no thread opens one of its own.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# Each worker imports the app itself: a restart (HUP) loads new code, and no database
# connection or Redis client is shared across a fork.
preload_app = False

# A worker silent this long is killed and replaced. Uploads arrive whole from nginx, but
# saving one hashes it and reads its audio (PODCAST_PROBE_TIMEOUT is 20 s).
timeout = 120
# On stop or HUP, requests in flight get this long to finish.
graceful_timeout = 30
# nginx keeps idle connections to us (upstream keepalive); close ours a little later.
keepalive = 75

# The heartbeat files in memory (gunicorn's own advice): /tmp may be a slow disk. gunicorn
# makes them with mkstemp, so a shared folder is safe here.
worker_tmp_dir = "/dev/shm"  # noqa: S108

# nginx writes the access log; gunicorn's errors go to stderr (the journal).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
