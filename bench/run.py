"""Run the benchmarks: every ``bench/bench_*.py``, or the named ones, each in a fresh data folder.

    python bench/run.py                       # all, on SQLite
    python bench/run.py shell --record        # one, and record it in bench/RESULTS.md
    python bench/run.py shell --database-url postgres://postgres@127.0.0.1:5432/bench_shell
    python bench/run.py shell -- --duration 5 # options after -- go to the script (name one)

Each script gets a new temporary FRONTOFFICE_DATA_DIR (removed afterwards unless --keep) and, with a
PostgreSQL URL, a database of that name dropped and created before it and dropped after it (the name must
start with ``bench_``, so nothing else can be dropped). Inherited FRONTOFFICE_* variables are not passed
on, so a run does not depend on the shell it was started from; give settings with --env.

A script prints its result lines (Markdown) on stdout and its progress on stderr; --record puts the
result lines, with the date, machine, commit, database and the exact command, into bench/RESULTS.md,
replacing the section of the same benchmark and database engine.
"""

from __future__ import annotations

import argparse
import datetime
import fcntl
import importlib.metadata
import os
import platform
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "RESULTS.md"
ENGINE_TITLES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
RESULTS_HEAD = """# Benchmark results

Recorded by `python bench/run.py --record`: one section per benchmark and database engine ("## NAME —
ENGINE"), replaced when it is recorded again. Each benchmark measures its figure beside a baseline in
the same run; compare ratios rather than absolute figures across machines and runs.
"""


def parse_args(argv):
    argv = list(argv)
    passed = []
    if "--" in argv:
        cut = argv.index("--")
        argv, passed = argv[:cut], argv[cut + 1:]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run (shell, bench_shell, …)")
    parser.add_argument("--record", action="store_true", help="record the results in bench/RESULTS.md")
    parser.add_argument("--database-url", help="run against this database instead of SQLite "
                                               "(PostgreSQL: postgres://USER@HOST:PORT/bench_NAME)")
    parser.add_argument("--data-dir", type=Path, help="use this data folder (kept) instead of fresh ones")
    parser.add_argument("--keep", action="store_true", help="keep the fresh data folders and databases")
    parser.add_argument("--wait-for-load", type=float, metavar="LOAD",
                        help="before each script wait (up to 15 minutes) until the 1-minute load average is at "
                             "most LOAD: on a shared machine other work skews the figures")
    parser.add_argument("--env", action="append", default=[], metavar="FRONTOFFICE_X=VALUE",
                        help="a setting for the scripts and the servers they start (repeatable)")
    args = parser.parse_args(argv)
    args.script_args = passed
    return args


def find_scripts(names: list[str]) -> list[Path]:
    available = sorted(BENCH_DIR.glob("bench_*.py"))
    if not names:
        return available
    chosen = []
    for name in names:
        stem = Path(name).name.removesuffix(".py")
        stem = stem if stem.startswith("bench_") else f"bench_{stem}"
        path = BENCH_DIR / f"{stem}.py"
        if path not in available:
            sys.exit(f"no benchmark {name!r}; there are: {', '.join(p.stem.removeprefix('bench_') for p in available)}")
        chosen.append(path)
    return chosen


# --- the database ---------------------------------------------------------------------------

class Database:
    """SQLite in the data folder, or a PostgreSQL database this runner creates and drops."""

    def __init__(self, url: str | None):
        self.url = url
        self.parts = urllib.parse.urlsplit(url) if url else None
        self.postgres = bool(url) and self.parts.scheme in ("postgres", "postgresql", "pgsql")
        if url and not self.postgres and self.parts.scheme != "sqlite":
            sys.exit(f"--database-url: SQLite or PostgreSQL, not {self.parts.scheme!r}")
        if self.postgres:
            self.name = self.parts.path.lstrip("/")
            if not re.fullmatch(r"bench_[a-z0-9_]+", self.name):
                sys.exit(f"--database-url: the database name must start with bench_ (lower case), not {self.name!r}")
            if not shutil.which("psql"):
                sys.exit("--database-url: psql is needed to create and drop the database")

    @property
    def engine(self) -> str:
        return "postgresql" if self.postgres else "sqlite"

    def describe(self) -> str:
        if self.postgres:
            version = self._psql("SHOW server_version", capture=True).strip()
            host = f"{self.parts.hostname}:{self.parts.port or 5432}"
            return f"PostgreSQL {version} at {host} (database {self.name}, created fresh for each script)"
        return f"SQLite {sqlite3.sqlite_version} (WAL), in the fresh data folder"

    def redacted_url(self) -> str | None:
        if not self.url or not self.parts.password:
            return self.url
        return self.url.replace(f":{self.parts.password}@", ":***@", 1)

    def _psql(self, sql: str, capture: bool = False) -> str:
        command = ["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-h", self.parts.hostname or "127.0.0.1",
                   "-p", str(self.parts.port or 5432), "-U", urllib.parse.unquote(self.parts.username or "postgres"),
                   "-d", "postgres", "-c", sql]
        env = dict(os.environ)
        if self.parts.password:
            env["PGPASSWORD"] = urllib.parse.unquote(self.parts.password)
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"psql: {sql}: {done.stderr.strip()}")
        return done.stdout

    def create(self) -> None:
        if self.postgres:
            self._psql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._psql(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.postgres:
            self._psql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# --- the context of a run -------------------------------------------------------------------

def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or str(os.cpu_count())
    memory = ""
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f", {kib / 1024 / 1024:.1f} GiB RAM"
    except (OSError, AttributeError):
        pass
    return f"nproc {nproc}, {model}{memory}, {platform.system()} {platform.release()}"


def commit() -> str:
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "no git commit"
    changed = [line for line in git("status", "--porcelain").splitlines() if line[3:].split("/")[0] != "bench"]
    if changed:
        head += f" + uncommitted changes in {len(changed)} paths outside bench/ (the tree as it was at the run)"
    return head


def versions() -> str:
    found = []
    for package in ("Django", "gunicorn", "django-ninja", "psycopg"):
        try:
            found.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    return f"Python {platform.python_version()}, " + ", ".join(found)


def command_line(database: Database) -> str:
    python = Path(sys.executable)
    try:
        python = python.relative_to(ROOT)
    except ValueError:
        python = Path("python")
    args = [str(python), "bench/run.py"]
    skip = False
    for arg in sys.argv[1:]:
        if skip:
            args.append(database.redacted_url())
            skip = False
        elif arg == "--database-url":
            args.append(arg)
            skip = True
        elif arg.startswith("--database-url="):
            args.append(f"--database-url={database.redacted_url()}")
        else:
            args.append(arg)
    return shlex.join(args)


def script_environment(data_dir: Path, database: Database, extra: list[str]) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTOFFICE_")}
    env["FRONTOFFICE_DATA_DIR"] = str(data_dir)
    env["FRONTOFFICE_DEBUG"] = "false"
    if database.url:
        env["FRONTOFFICE_DATABASE_URL"] = database.url
    for item in extra:
        key, sep, value = item.partition("=")
        if not sep or not key.startswith("FRONTOFFICE_"):
            sys.exit(f"--env {item!r}: expected FRONTOFFICE_NAME=VALUE")
        env[key] = value
    return env


# --- running and recording ------------------------------------------------------------------

def wait_for_load(limit: float, minutes: float = 15) -> None:
    deadline = time.monotonic() + minutes * 60
    while os.getloadavg()[0] > limit and time.monotonic() < deadline:
        print(f"load average {os.getloadavg()[0]:.2f} > {limit:g}; waiting", file=sys.stderr, flush=True)
        time.sleep(15)


def run_script(script: Path, args, database: Database) -> tuple[int, str]:
    fresh = args.data_dir is None
    data_dir = Path(tempfile.mkdtemp(prefix=f"frontoffice-{script.stem}-")) if fresh else args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    database.create()
    env = script_environment(data_dir, database, args.env)
    print(f"== {script.stem} ({database.engine}; data folder {data_dir})", file=sys.stderr, flush=True)
    lines = []
    try:
        with subprocess.Popen([sys.executable, str(script), *args.script_args], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, text=True) as process:
            for line in process.stdout:
                print(line, end="", flush=True)
                lines.append(line)
        return process.returncode, "".join(lines)
    finally:
        if args.keep:
            print(f"kept: data folder {data_dir}" + (f", database {database.name}" if database.postgres else ""),
                  file=sys.stderr)
        else:
            database.drop()
            if fresh:
                shutil.rmtree(data_dir, ignore_errors=True)


def record(script: Path, output: str, context: dict) -> None:
    """Write the section "## NAME — ENGINE", replacing it (up to the next "## " heading) if it is there."""
    name = script.stem.removeprefix("bench_")
    heading = f"## {name} — {ENGINE_TITLES[context['engine']]}"
    section = "\n".join([
        heading,
        "",
        f"- date: {context['date']}",
        f"- machine: {context['machine']}",
        f"- load before the run: {context['load']}",
        f"- commit: {context['commit']}",
        f"- database: {context['database']}",
        f"- software: {context['versions']}",
        f"- command: `{context['command']}`",
        "",
        output.strip(),
    ]) + "\n"
    text = RESULTS.read_text() if RESULTS.exists() else RESULTS_HEAD
    found = re.search(rf"^{re.escape(heading)}$", text, re.MULTILINE)
    if found:
        after = re.search(r"^## ", text[found.end():], re.MULTILINE)
        rest = text[found.end() + after.start():] if after else ""
        text = text[:found.start()] + section + ("\n" + rest if rest else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text)
    print(f"recorded in {RESULTS.relative_to(ROOT)} ({heading[3:]})", file=sys.stderr)


def exclusive() -> object:
    """One run at a time on this machine: two benchmarks measuring at once skew each other (and both
    would rewrite RESULTS.md). Waits for the other run to end; the lock goes with this process."""
    lock = open(Path(tempfile.gettempdir()) / "frontoffice-bench.lock", "a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        print(f"waiting for another bench/run.py ({lock.read().strip() or 'unknown'}) to finish",
              file=sys.stderr, flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)
    lock.seek(0)
    lock.truncate()
    lock.write(f"pid {os.getpid()}: {' '.join(sys.argv[1:])}")
    lock.flush()
    return lock


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    scripts = find_scripts(args.names)
    database = Database(args.database_url)
    _lock = exclusive()  # noqa: F841  (held until the process ends)
    dropped = sorted(k for k in os.environ if k.startswith("FRONTOFFICE_"))
    if dropped:
        print(f"not passed on: {', '.join(dropped)} (use --env)", file=sys.stderr)
    failures = []
    for script in scripts:
        if args.wait_for_load is not None:
            wait_for_load(args.wait_for_load)
        one, five, _fifteen = os.getloadavg()
        context = {"engine": database.engine, "machine": machine(), "commit": commit(),
                   "database": database.describe(), "versions": versions(), "command": command_line(database),
                   "load": f"{one:.2f} / {five:.2f} (1 / 5 min average)",
                   "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")}
        status, output = run_script(script, args, database)
        if status != 0:
            failures.append(script.stem)
            print(f"!! {script.stem} failed (exit {status}); not recorded", file=sys.stderr)
        elif args.record:
            record(script, output, context)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
