"""What the HTTP benchmarks share: the CLI, a served app, signing in, and wrk with its output parsed.

Not a benchmark itself (run.py only runs ``bench_*.py``).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def log(message: str) -> None:
    """Progress goes to stderr; stdout is kept for the result lines."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def cli(*args: str, env: dict) -> str:
    """Run the ``frontoffice`` command of this interpreter's environment; its stdout, or exit with its error."""
    script = Path(sys.executable).parent / "frontoffice"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "frontoffice.cli"]
    done = subprocess.run([*command, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"frontoffice {' '.join(args)} failed ({done.returncode}):\n{done.stderr}{done.stdout}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``bench/trivial_wsgi.py`` under gunicorn, started and stopped by its own pid."""

    def __init__(self, *, env: dict, workers: int, log_path: Path):
        self.env, self.workers, self.log_path = env, workers, log_path
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, str(BENCH_DIR / "trivial_wsgi.py"), "127.0.0.1", str(self.port), str(self.workers)],
            env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._fail("the server exited while starting")
            try:
                if fetch(self.base + "/healthz").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self._fail("the server did not answer /healthz within 60 s")

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def _fail(self, why: str):
        self.__exit__()
        sys.exit(f"{why}; its log:\n{self.log_path.read_text()}")


@dataclass
class Response:
    status: int
    headers: dict
    body: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, *, headers: dict | None = None, data: dict | None = None,
          jar: http.cookiejar.CookieJar | None = None) -> Response:
    """One request, redirects not followed (a login redirect must show as a 302, not as the login page)."""
    handlers = [_NoRedirect()] + ([urllib.request.HTTPCookieProcessor(jar)] if jar is not None else [])
    opener = urllib.request.build_opener(*handlers)
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with opener.open(request, timeout=30) as response:
            return Response(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as error:
        return Response(error.code, dict(error.headers), error.read().decode(errors="replace"))


def sign_in(base: str, email: str, password: str) -> str:
    """A real sign-in through the login form; returns the Cookie header value (session + CSRF)."""
    jar = http.cookiejar.CookieJar()
    page = fetch(base + "/account/login/", jar=jar)
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    if page.status != 200 or not found:
        sys.exit(f"login page: HTTP {page.status}, no CSRF token")
    done = fetch(base + "/account/login/", jar=jar, headers={"Referer": base + "/account/login/"},
                 data={"csrfmiddlewaretoken": found.group(1), "username": email, "password": password})
    cookies = {c.name: c.value for c in jar}
    if done.status != 302 or "sessionid" not in cookies:
        sys.exit(f"signing in as {email}: HTTP {done.status}, cookies {sorted(cookies)}")
    return "; ".join(f"{name}={value}" for name, value in sorted(cookies.items()))


def fetch_json(url: str, headers: dict) -> tuple[int, dict]:
    response = fetch(url, headers=headers)
    try:
        return response.status, json.loads(response.body)
    except ValueError:
        return response.status, {}


# --- wrk ------------------------------------------------------------------------------------

WRK = shutil.which("wrk") or "/usr/bin/wrk"
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


@dataclass
class Load:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int  # non-2xx/3xx responses plus socket errors

    @property
    def ok(self) -> bool:
        return self.bad == 0 and self.requests > 0


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> Load:
    def grab(pattern: str) -> str:
        found = re.search(pattern, output, re.MULTILINE)
        if not found:
            raise ValueError(f"wrk output without {pattern!r}:\n{output}")
        return found.group(1)

    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if errors:
        bad += sum(int(n) for n in errors.groups())
    return Load(requests_per_s=float(grab(r"^Requests/sec:\s+([\d.]+)")),
                p50_ms=_ms(grab(r"^\s+50%\s+(\S+)")), p99_ms=_ms(grab(r"^\s+99%\s+(\S+)")),
                requests=int(grab(r"^\s+(\d+) requests in")), bad=bad)


def wrk(url: str, *, headers: dict, threads: int, connections: int, seconds: int) -> Load:
    command = [WRK, f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"wrk failed ({done.returncode}): {done.stderr}{done.stdout[:500]}")
    return parse_wrk(done.stdout)


def machine_load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} (1 / 5 min) on {os.cpu_count()} CPUs"
