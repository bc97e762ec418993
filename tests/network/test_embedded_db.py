from __future__ import annotations

import subprocess
import sys
import textwrap

from network.embedded_db import database_settings, start


def test_database_url_with_a_socket_folder_is_understood():
    entry = database_settings("postgresql://postgres:@/postgres?host=/tmp/pg")
    assert entry["HOST"] == "/tmp/pg"
    assert entry["NAME"] == "postgres"
    assert entry["ENGINE"] == "network.db"


def test_database_url_with_a_tcp_host_is_understood():
    entry = database_settings("postgres://app:s%40cret@127.0.0.1:5432/network")
    assert (entry["HOST"], entry["PORT"], entry["USER"], entry["PASSWORD"], entry["NAME"]) == (
        "127.0.0.1",
        "5432",
        "app",
        "s@cret",
        "network",
    )


def test_the_embedded_server_starts_and_is_reused_with_its_data(tmp_path):
    """Two separate processes on the same data folder: the second sees the first's data."""
    data = tmp_path / "pg"
    script = textwrap.dedent(
        f"""
        import sys, psycopg
        from pathlib import Path
        from network.embedded_db import start
        url = start(Path({str(data)!r}))
        with psycopg.connect(url, autocommit=True) as conn:
            if sys.argv[1] == "write":
                conn.execute("create table marker (v text)")
                conn.execute("insert into marker values ('kept')")
            else:
                print(conn.execute("select v from marker").fetchone()[0])
        """
    )
    subprocess.run([sys.executable, "-c", script, "write"], check=True, timeout=120)
    out = subprocess.run(
        [sys.executable, "-c", script, "read"],
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert out.stdout.strip() == "kept"
    assert (data / "PG_VERSION").exists()
    assert start  # the module's entry point is what the settings call
