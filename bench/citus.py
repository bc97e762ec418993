"""A Citus cluster on loopback from the embedded PostgreSQL: `python -m bench.citus ...`.

    build --tarball PATH   build Citus into the venv's pgserver install (skipped when there)
    start [--database N]   a coordinator and two workers under .data/citus/, the database
                           on each with the extension, workers registered, schema-based
                           sharding on; prints the DATABASE_URL
    database --fresh N     (re)create database N across the running cluster
    stop                   stop the three nodes

Each node is the wheel's own `postgres`, started with pg_ctl, `shared_preload_libraries =
citus`. No Docker; nothing here is imported by the product. The figures on a cluster:
`make bench-scale` (bench/scale.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
CLUSTER_DIR = BASE_DIR / ".data" / "citus"
HOST = "127.0.0.1"
NODES = {"coordinator": 5701, "worker1": 5702, "worker2": 5703}
USER = "postgres"
DATABASE = "network"
# Citus's columnar storage compresses with lz4 and zstd; everything else it needs from
# PostgreSQL comes with the wheel. Anonymous statistics (libcurl) are configured out.
BUILD_PACKAGES = ("gcc", "make", "liblz4-dev", "libzstd-dev")
NODE_SETTINGS = {
    "listen_addresses": f"'{HOST}'",
    "shared_preload_libraries": "'citus'",
    # Shard moves copy a schema's tables by logical replication while the site serves.
    "wal_level": "logical",
    "max_connections": "200",
    "citus.enable_statistics_collection": "off",
}


def pg_install() -> Path:
    warnings.filterwarnings("ignore", module="platformdirs")
    import pgserver

    return Path(pgserver.__file__).resolve().parent / "pginstall"


def pg_bin(name: str) -> str:
    return str(pg_install() / "bin" / name)


def run(*command: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=True, **kwargs)


def server_user() -> str | None:
    """PostgreSQL refuses to run as root; like pgserver, run it as the `pgserver` user."""
    if os.geteuid() != 0:
        return None
    from pgserver.utils import ensure_user_exists

    ensure_user_exists("pgserver")
    return "pgserver"


def run_as_server(*command: str, **kwargs) -> subprocess.CompletedProcess:
    return run(*command, user=server_user(), **kwargs)


# --- Build


def citus_installed() -> bool:
    return (pg_install() / "lib" / "postgresql" / "citus.so").exists()


def packages_ensure(packages: tuple[str, ...]) -> None:
    """apt-get install the build packages that are missing, and only those."""
    missing = [
        package
        for package in packages
        if subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
        ).stdout
        != "install ok installed"
    ]
    if not missing:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print(f"Installing Debian packages: {' '.join(missing)}", flush=True)
    run(*sudo, "apt-get", "update", "-qq")
    run(*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing)


def build(tarball: Path, jobs: int) -> None:
    if citus_installed():
        print(f"Citus is already in {pg_install()}")
        return
    packages_ensure(BUILD_PACKAGES)
    build_dir = CLUSTER_DIR / "build"
    shutil.rmtree(build_dir, ignore_errors=True)
    build_dir.mkdir(parents=True)
    with tarfile.open(tarball) as archive:
        archive.extractall(build_dir, filter="data")
    (source,) = build_dir.glob("citus-*")
    # The wheel's headers include <xlocale.h>, which glibc no longer ships.
    shim = build_dir / "shim"
    shim.mkdir()
    (shim / "xlocale.h").write_text("#include <locale.h>\n")
    copt = f"COPT=-I{shim}"
    run("./configure", "--without-libcurl", f"PG_CONFIG={pg_bin('pg_config')}", cwd=source)
    run("make", f"-j{jobs}", copt, cwd=source)
    run("make", "install", copt, cwd=source)
    print(f"Citus installed into {pg_install()}")


# --- Cluster


def data_dir(node: str) -> Path:
    return CLUSTER_DIR / node


def database_url(database: str = DATABASE) -> str:
    return f"postgres://{USER}@{HOST}:{NODES['coordinator']}/{database}"


def connect(port: int, database: str = "postgres"):
    import psycopg

    return psycopg.connect(host=HOST, port=port, user=USER, dbname=database, autocommit=True)


def node_start(node: str, port: int) -> None:
    directory = data_dir(node)
    if not (directory / "PG_VERSION").exists():
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        if user := server_user():
            from pgserver.utils import ensure_prefix_permissions

            ensure_prefix_permissions(directory)
            shutil.chown(directory, user, user)
        run_as_server(
            pg_bin("initdb"),
            "-D",
            str(directory),
            "-U",
            USER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            stdout=subprocess.DEVNULL,
        )
    settings = {**NODE_SETTINGS, "port": str(port), "unix_socket_directories": f"'{directory}'"}
    # postgresql.auto.conf is read last: these win over postgresql.conf.
    conf = directory / "postgresql.auto.conf"
    conf.write_text("".join(f"{name} = {value}\n" for name, value in settings.items()))
    if user := server_user():
        shutil.chown(conf, user, user)
    status = subprocess.run(
        [pg_bin("pg_ctl"), "status", "-D", str(directory)], capture_output=True, user=server_user()
    )
    if status.returncode != 0:
        run_as_server(
            pg_bin("pg_ctl"),
            "start",
            "-w",
            "-D",
            str(directory),
            "-l",
            str(directory / "server.log"),
            stdout=subprocess.DEVNULL,
        )


def database_ensure(database: str, *, fresh: bool = False) -> None:
    """The database on every node with the extension; the workers registered on the
    coordinator; every schema created in it from now on a distributed schema."""
    for port in NODES.values():
        with connect(port) as conn:
            if fresh:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [database]
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{database}"')
        with connect(port, database) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS citus")
    coordinator, *workers = NODES.values()
    with connect(coordinator, database) as conn:
        conn.execute("SELECT citus_set_coordinator_host(%s, %s)", [HOST, coordinator])
        for port in workers:
            conn.execute("SELECT citus_add_node(%s, %s)", [HOST, port])
        conn.execute(f'ALTER DATABASE "{database}" SET citus.enable_schema_based_sharding = on')


def start(database: str) -> None:
    if not citus_installed():
        sys.exit("Citus is not built: run `make citus`.")
    for node, port in NODES.items():
        node_start(node, port)
    database_ensure(database)
    print(f"DATABASE_URL={database_url(database)}")


def stop() -> None:
    for node in NODES:
        directory = data_dir(node)
        if (directory / "postmaster.pid").exists():
            run_as_server(pg_bin("pg_ctl"), "stop", "-D", str(directory), "-m", "fast")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.citus", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build")
    build_parser.add_argument("--tarball", type=Path, required=True)
    build_parser.add_argument("--jobs", type=int, default=2)
    start_parser = commands.add_parser("start")
    start_parser.add_argument("--database", default=DATABASE)
    database_parser = commands.add_parser("database")
    database_parser.add_argument("--fresh", action="store_true")
    database_parser.add_argument("name")
    commands.add_parser("stop")
    args = parser.parse_args(argv)
    if args.command == "build":
        build(args.tarball, args.jobs)
    elif args.command == "start":
        start(args.database)
    elif args.command == "database":
        database_ensure(args.name, fresh=args.fresh)
    else:
        stop()


if __name__ == "__main__":
    main()
