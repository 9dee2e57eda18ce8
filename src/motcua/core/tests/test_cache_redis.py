"""``REDIS_URL``: the cache in Redis, built from motcua's own settings (the ``redis`` client is a
dependency). Skipped only when nothing listens on 127.0.0.1:6379."""

from __future__ import annotations

import runpy
import socket
import uuid

import pytest
from django.core.cache import CacheHandler

import motcua.settings

REDIS = ("127.0.0.1", 6379)


def _redis_listening() -> bool:
    try:
        socket.create_connection(REDIS, timeout=1).close()
    except OSError:
        return False
    return True


def test_without_redis_url_the_cache_is_the_shared_database_table(monkeypatch, tmp_path):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("MOTCUA_VAR_DIR", str(tmp_path))
    caches = runpy.run_path(motcua.settings.__file__)["CACHES"]
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


@pytest.mark.skipif(not _redis_listening(), reason="no Redis listening on 127.0.0.1:6379")
def test_redis_url_puts_the_cache_in_redis(monkeypatch, tmp_path):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/15")
    monkeypatch.setenv("MOTCUA_VAR_DIR", str(tmp_path))
    caches = runpy.run_path(motcua.settings.__file__)["CACHES"]
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    cache = CacheHandler(caches)["default"]
    key = f"motcua-test-{uuid.uuid4().hex}"  # test runs side by side share database 15
    try:
        cache.set(key, {"đơn vị": "Phường Lê Chân", "hồ sơ": 3}, timeout=60)
        assert cache.get(key) == {"đơn vị": "Phường Lê Chân", "hồ sơ": 3}
        assert cache.add(key, "khác") is False  # already there: Redis, not a per-process memory
        cache.set(key + ":n", 1, timeout=60)
        assert cache.incr(key + ":n") == 2
        cache.delete_many([key, key + ":n"])
        assert cache.get(key, "không còn") == "không còn"
    finally:
        cache.delete_many([key, key + ":n"])
        cache.close()
