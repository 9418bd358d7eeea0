"""SQLite writers queue on a file lock: none fails, and a writer killed mid-transaction frees it."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import text

from payrun.adapters.db.engine import make_engine, transaction

HOLDER = """
import sys, time
from sqlalchemy import text
from payrun.adapters.db.engine import transaction
with transaction(sys.argv[1]) as session:
    session.execute(text("INSERT INTO counter VALUES (100)"))
    print("holding", flush=True)
    time.sleep(600)
"""


def _counter(url: str) -> None:
    with make_engine(url).begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))


def test_concurrent_writers_all_get_their_turn(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lock.db'}"
    _counter(url)
    errors: list[BaseException] = []

    def add(times: int) -> None:
        try:
            for _ in range(times):
                with transaction(url) as session:
                    n = session.execute(text("SELECT n FROM counter")).scalar_one()
                    session.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=add, args=(50,)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with transaction(url) as session:
        assert session.execute(text("SELECT n FROM counter")).scalar_one() == 300


def test_a_writer_killed_while_holding_the_lock_frees_it_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lock.db'}"
    _counter(url)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        holder.kill()  # SIGKILL inside the transaction, with the file lock held
        holder.wait(timeout=10)
        started = time.monotonic()
        with transaction(url) as session:
            session.execute(text("UPDATE counter SET n = n + 1"))
        waited = time.monotonic() - started
    finally:
        holder.kill()
    with transaction(url) as session:
        values = session.execute(text("SELECT n FROM counter")).scalars().all()
    assert values == [1]  # the killed writer's row was rolled back
    assert waited < 5, f"waited {waited:.1f} s for a dead writer's lock"
