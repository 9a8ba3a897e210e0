"""Sync benchmarks of issue 5 (a–d) and the PostgreSQL ratio of issue 7, every process separate.

usage: sync_bench.py   (configured by environment variables; bench/sync/run sets them)

  PIER_BIN               the `pier` binary (release build)
  PYTHON_SDK             the Python that has okta==3.4.6 (.venv/bin/python)
  USER_COUNT, GROUP_COUNT     the (a)/(b)/(c) org (default 100000 / 2000)
  SMALL_USER_COUNT, SMALL_GROUP_COUNT   the 10k org of the RSS baseline and of (d) (default 10000 / 200)
  SEED                   simulator seed (DESIGN.md §10: 7)
  POSTGRES_URL           postgres://… of a throwaway server: (a) runs on PostgreSQL too (a fresh database)
  PSQL                   psql, to create/drop that database and read its backends' pids
  SKIP                   comma-separated parts to leave out: small, full (with it sdk, postgres, incremental),
                         sdk, postgres, incremental, paced, pressure
  PRESSURE_WINDOW_SECONDS   the window of (d) under pressure (default 10; okta-default's limits scaled to it)
  KEEP_LOGS              a directory to copy the processes' logs to

Everything listens on 127.0.0.1. Each figure is measured from outside the process it describes:
`pier okta-sim` and `pier serve` are separate processes, CPU seconds come from /proc/PID/stat
(user + system) and peak RSS from /proc/PID/status (VmHWM). A sync is driven through Pier's API like
an operator would: `POST /api/v1/domains` with an `endpoint` (`--allow-okta-endpoint-override`) starts
the initial full sync, `POST /api/v1/domains/{id}/sync` an incremental one; the run record gives its
times and `oktaRequests`. Prints `bench-sync:` lines and a summary table against the targets.
"""
import base64
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

TOKEN = "bench-sync-okta-token-0000000000000000"
CONTROL = "bench-sync-control-token"
TICKS = os.sysconf("SC_CLK_TCK")
# (d): okta-default's per-window limits by bucket (DESIGN.md §11; member pages share /api/v1/groups/{id}).
OKTA_DEFAULT_LIMITS = {"/api/v1/users": 600, "/api/v1/users/{id}": 600, "/api/v1/groups": 600, "/api/v1/groups/{id}": 600,
                       "/api/v1/groups/{id}/users": 600, "/api/v1/apps": 100, "/api/v1/apps/{id}": 600,
                       "/api/v1/logs": 50, "/api/v1": 600, "/oauth2/v1": 600}


def say(text):
    print(f"bench-sync: {text}", flush=True)


def paced_bucket(template):
    """The simulator's rate-limit bucket of a route template (`RateLimiter.bucket`, member pages sharing
    `/api/v1/groups/{id}` as by default)."""
    s = ["{id}" if part.startswith("{") else part for part in template.split("/") if part]
    if s[:1] == ["oauth2"]:
        return "/oauth2/v1"
    if len(s) < 3 or s[:2] != ["api", "v1"]:
        return "/api/v1"
    if s[2] == "users":
        return "/api/v1/users" if len(s) == 3 else "/api/v1/users/{id}"
    if s[2] == "groups":
        return "/api/v1/groups" if len(s) == 3 else "/api/v1/groups/{id}"
    if s[2] == "apps":
        return "/api/v1/apps/{id}" if len(s) == 4 else "/api/v1/apps"
    return "/api/v1/logs" if s[2] == "logs" else "/api/v1"


def fail(text):
    print(f"bench-sync: FAILED: {text}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """User + system CPU seconds of a live process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def status_mb(pid, key):
    """A `kB` line of /proc/PID/status (VmRSS, VmHWM) in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def http(method, url, headers=None, body=None, timeout=120):
    """(status, headers, parsed JSON or None)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    request.add_header("Accept", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            return response.status, response.headers, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw[:300]
        return error.code, error.headers, parsed


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Child:
    """A started process with its log files; stopped with SIGTERM (then SIGKILL) by its pid."""

    def __init__(self, name, argv, workdir, env=None):
        self.name = name
        self.out = open(os.path.join(workdir, f"{name}.out"), "w+")
        self.err = open(os.path.join(workdir, f"{name}.err"), "w+")
        self.process = subprocess.Popen(argv, stdout=self.out, stderr=self.err, env=env)
        self.pid = self.process.pid

    def alive(self):
        return self.process.poll() is None

    def log_tail(self):
        self.err.flush()
        with open(self.err.name) as f:
            return f.read()[-2000:]

    def stop(self):
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.out.close()
        self.err.close()


class Simulator:
    """`pier okta-sim` on a free port."""

    def __init__(self, bench, users, groups, rate_limits, window_seconds=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.users, self.groups, self.rate_limits = users, groups, rate_limits
        argv = [bench.pier, "okta-sim", "--listen", f"127.0.0.1:{self.port}", "--users", str(users),
                "--groups", str(groups), "--seed", str(bench.seed), "--token", TOKEN, "--control-token", CONTROL,
                "--rate-limits", rate_limits, "--log-level", "warning"]
        if window_seconds:
            argv += ["--rate-limit-window-seconds", str(window_seconds)]
        self.child = Child(f"okta-sim-{users}-{rate_limits}", argv, bench.workdir)
        bench.children.append(self.child)
        deadline = time.monotonic() + 300
        while True:
            if not self.child.alive():
                fail(f"okta-sim exited: {self.child.log_tail()}")
            try:
                status, _, _ = http("GET", f"{self.url}/api/v1/users?limit=1", {"Authorization": f"SSWS {TOKEN}"}, timeout=5)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                fail("okta-sim not ready after 300 s")
            time.sleep(0.1)
        self.child.out.flush()
        with open(self.child.out.name) as f:
            banner = f.read()
        say(f"okta-sim {users} users / {groups} groups, seed {bench.seed}, rate limits {rate_limits}: "
            + " ".join(line for line in banner.splitlines() if line.startswith("Org:")))

    def okta(self, method, path, body=None):
        status, headers, parsed = http(method, self.url + path, {"Authorization": f"SSWS {TOKEN}"}, body)
        if status >= 300:
            fail(f"okta-sim {method} {path}: {status} {parsed}")
        return parsed

    def stats(self):
        return self.control("GET", "/__sim/stats")

    def control(self, method, path, body=None):
        status, _, parsed = http(method, self.url + path, {"Authorization": f"Bearer {CONTROL}"}, body)
        if status != 200:
            fail(f"{method} {path}: {status} {parsed}")
        return parsed

    def cpu(self):
        return cpu_seconds(self.child.pid)

    def stop(self):
        self.child.stop()


class Pier:
    """`pier serve` on a fresh database (SQLite file in a temporary directory, or a fresh PostgreSQL database)."""

    def __init__(self, bench, label, backend):
        self.bench, self.label, self.backend = bench, label, backend
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.pg_database = None
        env = dict(os.environ)
        env["PIER_KEY"] = base64.b64encode(secrets.token_bytes(32)).decode()
        if backend == "sqlite":
            directory = tempfile.mkdtemp(prefix=f"pier-{label}-", dir=bench.workdir)
            self.database = f"sqlite://{directory}/pier.db"
        else:
            self.pg_database = f"pier_bench_{label.replace('-', '_')}_{secrets.token_hex(4)}"
            bench.psql(f"CREATE DATABASE {self.pg_database}")
            self.database = bench.postgres_url.rsplit("/", 1)[0] + "/" + self.pg_database
        self.env = env
        self.run_cli(["migrate", "--database", self.database])
        created = self.run_cli(["admin", "token", "create", "--name", "bench", "--database", self.database])
        self.token = created.strip().splitlines()[-1]
        argv = [bench.pier, "serve", "--listen", f"127.0.0.1:{self.port}", "--database", self.database,
                "--allow-okta-endpoint-override", "--log-level", "notice"]
        self.child = Child(f"pier-serve-{label}", argv, bench.workdir, env)
        bench.children.append(self.child)
        deadline = time.monotonic() + 60
        while True:
            if not self.child.alive():
                fail(f"pier serve ({label}) exited: {self.child.log_tail()}")
            try:
                if http("GET", self.url + "/readyz", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                fail(f"pier serve ({label}) not ready after 60 s")
            time.sleep(0.05)

    def run_cli(self, arguments):
        result = subprocess.run([self.bench.pier, *arguments], env=self.env, capture_output=True, text=True)
        if result.returncode != 0:
            fail(f"pier {' '.join(arguments[:3])}: {result.stderr}")
        return result.stdout

    def api(self, method, path, body=None):
        status, _, parsed = http(method, self.url + path, {"Authorization": f"Bearer {self.token}"}, body)
        if status >= 300:
            fail(f"pier {method} {path}: {status} {parsed}")
        return parsed

    def cpu(self):
        return cpu_seconds(self.child.pid)

    def wait_for_run(self, run_id):
        """Polls the domain's newest run every 0.1 s until it has finished. (`GET /api/v1/sync-runs/{id}`
        would also carry every per-object outcome: 100k rows after a first sync.)"""
        while True:
            runs = self.api("GET", f"/api/v1/domains/{self.domain}/sync-runs?limit=1")["items"]
            run = runs[0] if runs else None
            if run and run["id"] != run_id:
                fail(f"the newest run of the domain is {run['id']}, not {run_id}")
            if run and run["state"] not in ("queued", "running"):
                return run
            if not self.child.alive():
                fail(f"pier serve ({self.label}) died during run {run_id}: {self.child.log_tail()}")
            time.sleep(0.1)

    def full_sync(self, simulator):
        """Adds the simulator's org as a domain (the initial full sync starts) and waits for that run."""
        rss_before = status_mb(self.child.pid, "VmRSS")
        cpu_before = self.cpu()
        sim_cpu_before = simulator.cpu()
        started = time.monotonic()
        domain = self.api("POST", "/api/v1/domains", {
            "domain": "bench.okta.com", "apiToken": TOKEN, "selfEnroll": False,
            "schedule": {"frequency": "manual"}, "endpoint": simulator.url})
        self.domain = domain["id"]
        while True:
            runs = self.api("GET", f"/api/v1/domains/{self.domain}/sync-runs?limit=1")["items"]
            if runs:
                break
            time.sleep(0.05)
        run = self.wait_for_run(runs[0]["id"])
        observed = time.monotonic() - started
        return self.figures(run, observed, cpu_before, sim_cpu_before, rss_before, simulator)

    def incremental_sync(self, simulator):
        cpu_before = self.cpu()
        sim_cpu_before = simulator.cpu()
        started = time.monotonic()
        requested = self.api("POST", f"/api/v1/domains/{self.domain}/sync", {"kind": "incremental"})
        run = self.wait_for_run(requested["id"])
        observed = time.monotonic() - started
        return self.figures(run, observed, cpu_before, sim_cpu_before, None, simulator)

    def figures(self, run, observed, cpu_before, sim_cpu_before, rss_before, simulator):
        if run["state"] != "succeeded":
            fail(f"run {run['id']} ended {run['state']}: {run.get('error')}")
        wall = (parse_time(run["finishedAt"]) - parse_time(run["startedAt"])).total_seconds()
        return {
            "run": run, "wall": wall, "observed": observed,
            "cpu": self.cpu() - cpu_before, "sim_cpu": simulator.cpu() - sim_cpu_before,
            "rss_before": rss_before, "rss": status_mb(self.child.pid, "VmRSS"),
            "peak_rss": status_mb(self.child.pid, "VmHWM"),
            "requests": run["oktaRequests"], "users": self.count_users(),
        }

    def count_users(self):
        count, cursor = 0, None
        while True:
            page = self.api("GET", f"/api/v1/users?domain={self.domain}&limit=200" + (f"&cursor={cursor}" if cursor else ""))
            count += len(page["items"])
            cursor = page["nextCursor"]
            if not cursor:
                return count

    def postgres_backend_cpu(self):
        """CPU seconds of the PostgreSQL backends serving this Pier (all live connections to its database)."""
        if not self.pg_database:
            return None
        pids = self.bench.psql(f"SELECT pid FROM pg_stat_activity WHERE datname = '{self.pg_database}'").split()
        total = 0.0
        for pid in pids:
            try:
                total += cpu_seconds(int(pid))
            except (OSError, ValueError):
                pass
        return total

    def stop(self):
        self.child.stop()
        if self.pg_database:
            self.bench.psql(f"DROP DATABASE IF EXISTS {self.pg_database} WITH (FORCE)")


class Bench:
    def __init__(self):
        env = os.environ
        self.pier = env["PIER_BIN"]
        self.python_sdk = env.get("PYTHON_SDK", "")
        self.users = int(env.get("USER_COUNT", "100000"))
        self.groups = int(env.get("GROUP_COUNT", "2000"))
        self.small_users = int(env.get("SMALL_USER_COUNT", "10000"))
        self.small_groups = int(env.get("SMALL_GROUP_COUNT", "200"))
        self.seed = int(env.get("SEED", "7"))
        self.pressure_window = int(env.get("PRESSURE_WINDOW_SECONDS", "10"))
        if not 1 <= self.pressure_window <= 60 or 60 % self.pressure_window:
            fail(f"PRESSURE_WINDOW_SECONDS={self.pressure_window}: a divisor of 60 (1–60) keeps the limits' proportions")
        self.postgres_url = env.get("POSTGRES_URL", "")
        self.psql_bin = env.get("PSQL", "psql")
        self.skip = set(filter(None, env.get("SKIP", "").split(",")))
        if not self.postgres_url:
            self.skip.add("postgres")
        self.keep_logs = env.get("KEEP_LOGS", "")
        self.workdir = tempfile.mkdtemp(prefix="pier-bench-sync-")
        self.children = []
        self.here = os.path.dirname(os.path.abspath(__file__))
        self.rows = []

    def psql(self, statement):
        result = subprocess.run([self.psql_bin, self.postgres_url, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", statement],
                                capture_output=True, text=True)
        if result.returncode != 0:
            fail(f"psql: {statement}: {result.stderr}")
        return result.stdout

    def row(self, measure, value, target, ok):
        self.rows.append((measure, value, target, "" if ok is None else ("yes" if ok else "NO")))

    # --- parts -------------------------------------------------------------------------------------

    def small_baseline(self):
        """Peak RSS of a fresh Pier after a full sync of the 10k org (rate limits off)."""
        simulator = Simulator(self, self.small_users, self.small_groups, "none")
        pier = Pier(self, "small", "sqlite")
        result = pier.full_sync(simulator)
        self.report(f"{self.small_users // 1000}k sqlite", result, None)
        pier.stop()
        simulator.stop()
        return result

    def sdk_listing(self, simulator):
        cpu_before = simulator.cpu()
        result = subprocess.run([self.python_sdk, os.path.join(self.here, "sdk_list.py"), simulator.url, TOKEN],
                                capture_output=True, text=True)
        if result.returncode != 0:
            fail(f"sdk_list.py: {result.stderr[-2000:]}")
        listing = json.loads(result.stdout.strip().splitlines()[-1])
        listing["sim_cpu"] = simulator.cpu() - cpu_before
        say(f"(c) okta SDK 3.4.6 listing: {listing['seconds']:.2f} s wall, {listing['cpu_seconds']:.2f} s CPU (Python), "
            f"simulator {listing['sim_cpu']:.2f} s CPU; {listing['requests']} requests; {listing['listed_users']} users + "
            f"{listing['deprovisioned_users']} deprovisioned, {listing['groups']} groups, {listing['memberships']} memberships "
            f"outside Everyone (largest {listing['largest_group']})")
        return listing

    def report(self, label, result, minimum):
        run = result["run"]
        counts = run["counts"]
        ratio = f" = {result['requests'] / minimum:.3f} × minimum ({minimum})" if minimum else ""
        say(f"[{label}] {run['kind']} sync {result['wall']:.2f} s (run record; {result['observed']:.2f} s seen by the client), "
            f"Pier CPU {result['cpu']:.2f} s, simulator CPU {result['sim_cpu']:.2f} s, {result['users']} users in Pier"
            + (f" ({result['users'] / result['wall']:,.0f} users/s)" if run["kind"] == "full" else "")
            + f", {result['requests']} Okta requests{ratio}, "
            f"RSS {result['rss']:.1f} MB (before {result['rss_before'] or 0:.1f} MB), peak RSS {result['peak_rss']:.1f} MB; "
            f"counts users {counts['users']}, groups {counts['groups']}, memberships {counts['memberships']}")

    def incremental(self, simulator, pier):
        """(b): the 100 mixed changes of DESIGN.md §6 through Okta's API, then an incremental run."""
        staged = self.list_users(simulator, 'status eq "STAGED"', 10)
        active = self.list_users(simulator, 'status eq "ACTIVE"', 60)
        groups = [g for g in simulator.okta("GET", "/api/v1/groups?limit=10000&expand=stats") if g["type"] == "OKTA_GROUP"]
        groups.sort(key=lambda g: g["_embedded"]["stats"]["usersCount"], reverse=True)
        big = groups[0]
        big_members = {u["id"] for u in simulator.okta("GET", f"/api/v1/groups/{big['id']}/users?limit=1000")}
        others = sorted(groups[1:], key=lambda g: g["id"])
        changes = {"create": 0, "activate": 0, "profile": 0, "suspend": 0, "deactivate": 0, "membership": 0}
        tag = secrets.token_hex(3)
        created = []
        for i in range(20):
            login = f"bench-{tag}-{i}@acme.example"
            user = simulator.okta("POST", "/api/v1/users?activate=true", {
                "profile": {"firstName": "Bench", "lastName": f"New{i}", "email": login, "login": login},
                "credentials": {"password": {"value": "Xy9!bench-passw0rd"}}})
            created.append(user["id"])
            changes["create"] += 1
        for user in staged:
            simulator.okta("POST", f"/api/v1/users/{user['id']}/lifecycle/activate?sendEmail=false")
            changes["activate"] += 1
        for user in active[:20]:
            simulator.okta("POST", f"/api/v1/users/{user['id']}", {"profile": {"title": "Benchmark Pilot"}})
            changes["profile"] += 1
        for user in active[20:25]:
            simulator.okta("POST", f"/api/v1/users/{user['id']}/lifecycle/suspend")
            changes["suspend"] += 1
        for user in active[25:30]:
            simulator.okta("POST", f"/api/v1/users/{user['id']}/lifecycle/deactivate")
            changes["deactivate"] += 1
        # 40 membership changes: the new users into groups (half into the biggest), 10 members out of the
        # biggest, 10 known users into other groups.
        for i, user_id in enumerate(created):
            group = big if i % 2 == 0 else others[i % len(others)]
            simulator.okta("PUT", f"/api/v1/groups/{group['id']}/users/{user_id}")
            changes["membership"] += 1
        leaving = [u for u in active[30:] if u["id"] in big_members][:10]
        if len(leaving) < 10:
            leaving = [{"id": i} for i in sorted(big_members)[:10]]
        for user in leaving:
            simulator.okta("DELETE", f"/api/v1/groups/{big['id']}/users/{user['id']}")
            changes["membership"] += 1
        for i, user in enumerate(active[40:50]):
            simulator.okta("PUT", f"/api/v1/groups/{others[(i + 3) % len(others)]['id']}/users/{user['id']}")
            changes["membership"] += 1
        total = sum(changes.values())
        say(f"(b) {total} changes through Okta's API: {changes}; biggest group {big['profile']['name']} "
            f"({big['_embedded']['stats']['usersCount']} members)")
        result = pier.incremental_sync(simulator)
        self.report(f"{self.users // 1000}k sqlite, incremental", result, None)
        return result, total

    @staticmethod
    def list_users(simulator, expression, count):
        query = urllib.parse.urlencode({"filter": expression, "limit": str(max(count, 1))})
        users = simulator.okta("GET", f"/api/v1/users?{query}")
        if len(users) < count:
            fail(f"the org has only {len(users)} users with {expression}")
        return users[:count]

    def paced(self):
        """(d): full sync of the 10k org under okta-default at the default 50 % share (DESIGN.md §11)."""
        return self.paced_run("okta-default", 60)

    def paced_under_pressure(self):
        """(d) where the pacer binds: the same 10k org and 50 % share, with okta-default's limits scaled to a
        window of PRESSURE_WINDOW_SECONDS (10 s: 100 requests per bucket, the rate of 600/min). At the real
        60 s window the busiest bucket of a 10k sync needs 203 requests, a third of one window, so DESIGN
        §11's 40–50 % cannot be reached; here the member pages need several windows, in under a minute."""
        window = self.pressure_window
        return self.paced_run(f"okta-default at {window} s windows", window)

    def paced_run(self, label, window):
        share = 0.5
        limits = {bucket: max(1, round(limit * window / 60)) for bucket, limit in OKTA_DEFAULT_LIMITS.items()}
        simulator = Simulator(self, self.small_users, self.small_groups, "okta-default",
                              window_seconds=window if window != 60 else None)
        if window != 60:
            # A custom profile: okta-default's buckets (and concurrency 15), every limit scaled with the window.
            simulator.control("PUT", "/__sim/rate-limits", {"buckets": limits})
        pier = Pier(self, f"paced-{window}s", "sqlite")
        result = pier.full_sync(simulator)
        stats = simulator.stats()
        self.report(f"{self.small_users // 1000}k {label}", result, None)
        pier.stop()
        simulator.stop()
        requests, limited = {}, {}
        for template, count in stats["requests"].items():
            requests[paced_bucket(template)] = requests.get(paced_bucket(template), 0) + count
        for template, count in stats["rateLimited"].items():
            limited[paced_bucket(template)] = limited.get(paced_bucket(template), 0) + count
        peak = stats["peakWindowUse"]
        buckets = []
        for bucket in sorted(requests, key=requests.get, reverse=True):
            limit = limits.get(bucket, limits["/api/v1"])
            windows = requests[bucket] / (share * limit)
            # The most of one window a bucket can use: its share, or all its requests when they are fewer.
            reachable = min(share, requests[bucket] / limit)
            buckets.append({"bucket": bucket, "requests": requests[bucket], "limit": limit, "windows": windows,
                            "peak": peak.get(bucket, 0.0), "reachable": reachable, "limited": limited.get(bucket, 0)})
            say(f"(d) [{label}] {bucket}: {requests[bucket]} requests (limit {limit} per {window} s: {windows:.2f} windows "
                f"at the 50 % share), peak window use {peak.get(bucket, 0.0) * 100:.1f} % (target 40–50 %, at most "
                f"{reachable * 100:.1f} % reachable), 429s {limited.get(bucket, 0)} (target 0)")
        # DESIGN.md §11: ideal = Σ requests ÷ (0.5 × limit), every bucket a sync uses having the same limit; the
        # run record's requests (the simulator's counts also include the domain check made before the run).
        ideal = result["requests"] / (share * limits["/api/v1/users"]) * window
        total_limited = sum(limited.values())
        say(f"(d) [{label}] {result['requests']} requests in the run ({sum(requests.values())} counted by the simulator, "
            f"the domain check included); 429s {total_limited}; ideal Σ requests ÷ (0.5 × {limits['/api/v1/users']} per "
            f"{window} s) = {ideal:.1f} s; run {result['wall']:.2f} s = {result['wall'] / ideal:.2f} × ideal "
            f"(target ≤ 1.15); waited {result['run']['rateLimitWaitSeconds']:.1f} s on pacing")
        return {"label": label, "result": result, "limited": total_limited, "buckets": buckets, "ideal": ideal}

    def paced_rows(self, run):
        label, result, ideal = run["label"], run["result"], run["ideal"]
        busiest = run["buckets"][0]
        self.row(f"(d) {label}: 429s", str(run["limited"]), "0", run["limited"] == 0)
        # The 40 % floor applies only where the bucket has that many requests to send (DESIGN.md §11 at 10k: not).
        floor = min(0.40, busiest["reachable"])
        self.row(f"(d) {label}: peak window use, {busiest['bucket']} ({busiest['requests']} req. = "
                 f"{busiest['windows']:.1f} windows)", f"{busiest['peak'] * 100:.1f} %",
                 "40–50 %" if floor == 0.40 else f"≤ 50 % (40 % unreachable: ≤ {floor * 100:.1f} %)",
                 busiest["peak"] <= 0.50 and (floor < 0.40 or busiest["peak"] >= 0.399))
        self.row(f"(d) {label}: time / ideal", f"{result['wall']:.2f} s / {ideal:.1f} s = {result['wall'] / ideal:.2f}",
                 "≤ 1.15", result["wall"] <= 1.15 * ideal)

    def run(self):
        say(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; pier {self.pier}; workdir {self.workdir}")
        try:
            small = None if "small" in self.skip else self.small_baseline()
            full = listing = minimum = postgres_result = incremental = None
            if "full" not in self.skip:
                full, listing, minimum, postgres_result, incremental = self.full_parts()
            paced = None if "paced" in self.skip else self.paced()
            pressure = None if "pressure" in self.skip else self.paced_under_pressure()
            self.summary(small, full, listing, minimum, postgres_result, incremental, paced, pressure)
        finally:
            for child in self.children:
                child.stop()
            if self.keep_logs:
                os.makedirs(self.keep_logs, exist_ok=True)
                for name in os.listdir(self.workdir):
                    if name.endswith((".out", ".err")):
                        shutil.copy(os.path.join(self.workdir, name), self.keep_logs)
            shutil.rmtree(self.workdir, ignore_errors=True)

    def full_parts(self):
        """(a), (c), PostgreSQL and (b) on the large org."""
        simulator = Simulator(self, self.users, self.groups, "none")
        listing = None if "sdk" in self.skip else self.sdk_listing(simulator)
        minimum = listing["minimum_requests"] if listing else None
        if minimum:
            say(f"DESIGN §10 minimum requests = {minimum} (from the SDK's listing; + the org count, + confirmation GETs)")
        sqlite = Pier(self, "full", "sqlite")
        full = sqlite.full_sync(simulator)
        self.report(f"{self.users // 1000}k sqlite", full, minimum)
        postgres_result = None
        if "postgres" not in self.skip:
            postgres = Pier(self, "full-pg", "postgres")
            postgres_result = postgres.full_sync(simulator)
            postgres_result["pg_cpu"] = postgres.postgres_backend_cpu()
            self.report(f"{self.users // 1000}k postgres", postgres_result, minimum)
            say(f"[{self.users // 1000}k postgres] PostgreSQL backends' CPU (Pier's connections): {postgres_result['pg_cpu']:.2f} s")
            postgres.stop()
        incremental = None if "incremental" in self.skip else self.incremental(simulator, sqlite)
        sqlite.stop()
        simulator.stop()
        return full, listing, minimum, postgres_result, incremental

    def summary(self, small, full, listing, minimum, postgres, incremental, paced, pressure):
        if full:
            self.summary_full(small, full, listing, minimum, postgres, incremental)
        for run in (paced, pressure):
            if run:
                self.paced_rows(run)
        self.print_table()

    def print_table(self):
        width = max(len(r[0]) for r in self.rows)
        value_width = max(len(r[1]) for r in self.rows)
        print()
        print(f"{'measure'.ljust(width)}  {'value'.ljust(value_width)}  {'target':10}  met")
        for measure, value, target, ok in self.rows:
            print(f"{measure.ljust(width)}  {value.ljust(value_width)}  {target:10}  {ok}")

    def summary_full(self, small, full, listing, minimum, postgres, incremental):
        n = f"{self.users // 1000}k"
        self.row(f"(a) full sync {n} wall (SQLite)", f"{full['wall']:.2f} s", "≤ 30 s", full["wall"] <= 30)
        self.row(f"(a) users/s", f"{full['users'] / full['wall']:,.0f}", "", None)
        self.row(f"(a) Pier CPU", f"{full['cpu']:.2f} s", "≤ 15 s", full["cpu"] <= 15)
        self.row(f"(a) simulator CPU", f"{full['sim_cpu']:.2f} s", "", None)
        if minimum:
            self.row(f"(a) Okta requests", f"{full['requests']} = {full['requests'] / minimum:.3f} × {minimum}", "≤ 1.05 ×",
                     full["requests"] <= 1.05 * minimum)
        if small:
            growth = full["peak_rss"] - small["peak_rss"]
            self.row(f"(a) peak RSS {self.small_users // 1000}k → {n}", f"{small['peak_rss']:.1f} → {full['peak_rss']:.1f} MB",
                     "", None)
            self.row(f"(a) RSS growth", f"{growth:.1f} MB", "≤ 40 MB", growth <= 40)
        if listing:
            ratio = full["wall"] / listing["seconds"]
            self.row(f"(c) okta SDK bare listing", f"{listing['seconds']:.2f} s ({listing['requests']} requests)", "", None)
            self.row(f"(c) Pier full sync / SDK listing", f"{ratio:.2f}", "< 1", ratio < 1)
        if postgres:
            ratio = postgres["wall"] / full["wall"]
            self.row(f"(a) full sync {n} wall (PostgreSQL)", f"{postgres['wall']:.2f} s (Pier CPU {postgres['cpu']:.2f} s, "
                     f"PostgreSQL CPU {postgres['pg_cpu']:.2f} s)", "", None)
            self.row(f"    PostgreSQL / SQLite", f"{ratio:.2f}", "≤ 2.0", ratio <= 2.0)
        if incremental:
            result, changes = incremental
            self.row(f"(b) incremental after {changes} changes: requests", str(result["requests"]), "≤ 20", result["requests"] <= 20)
            self.row(f"(b) incremental time", f"{result['wall']:.2f} s ({result['observed']:.2f} s seen by the client)", "≤ 2 s",
                     result["wall"] <= 2)


if __name__ == "__main__":
    Bench().run()
