"""Keep-alive walk client for bench/okta-sim/run (standard library only).

usage: walk.py BASE_URL TOKEN SIM_PID

Walks every user with limit=200 and the members of the largest non-Everyone group with limit=1000 over
one keep-alive connection each, following `Link rel="next"`, and prints one line per walk:

  walk users items=N requests=R seconds=S users_per_s=… requests_per_s=… p50_ms=… p99_ms=… sim_cpu_s=…

and `deepest_next PATH`, the last `next` link of the users walk (a page deep into the directory).

`sim_cpu_s` is the simulator process's user+system CPU time during the walk (from /proc/PID/stat).
The client counts items by the `{"id":"00u` that opens every user object instead of decoding JSON, so the
figures measure the simulator rather than Python's JSON parser.
"""
import http.client
import json
import os
import sys
import time
import urllib.parse


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def next_link(headers):
    for name, value in headers:
        if name.lower() == "link" and 'rel="next"' in value:
            url = value[value.index("<") + 1:value.index(">")]
            parts = urllib.parse.urlsplit(url)
            return parts.path + ("?" + parts.query if parts.query else "")
    return None


def walk(base, token, path, pid, marker):
    host = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
    headers = {"Authorization": f"SSWS {token}", "Accept": "application/json"}
    items = requests = 0
    latencies = []
    deepest = None
    cpu0 = cpu_seconds(pid)
    start = time.perf_counter()
    current = path
    while current:
        t0 = time.perf_counter()
        conn.request("GET", current, headers=headers)
        response = conn.getresponse()
        body = response.read()
        latencies.append(time.perf_counter() - t0)
        if response.status != 200:
            raise SystemExit(f"walk: {current} answered {response.status}: {body[:200]!r}")
        requests += 1
        items += body.count(marker)
        current = next_link(response.getheaders())
        deepest = current or deepest
    seconds = time.perf_counter() - start
    cpu = cpu_seconds(pid) - cpu0
    conn.close()
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return items, requests, seconds, p50, p99, cpu, deepest


def largest_group(base, token):
    host = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
    conn.request("GET", "/api/v1/groups?limit=10000&expand=stats", headers={"Authorization": f"SSWS {token}"})
    groups = json.loads(conn.getresponse().read())
    conn.close()
    candidates = [g for g in groups if g["type"] != "BUILT_IN"]
    best = max(candidates, key=lambda g: g["_embedded"]["stats"]["usersCount"])
    return best["id"], best["_embedded"]["stats"]["usersCount"]


def report(name, result, extra=""):
    items, requests, seconds, p50, p99, cpu, _ = result
    print(f"walk {name} items={items} requests={requests} seconds={seconds:.3f} "
          f"items_per_s={items / seconds:.0f} requests_per_s={requests / seconds:.1f} "
          f"p50_ms={p50:.2f} p99_ms={p99:.2f} sim_cpu_s={cpu:.3f}{extra}")


def main(base, token, pid):
    marker = b'{"id":"00u'
    # One warm-up page so connection setup and first-touch costs are not in the figures.
    walk(base, token, "/api/v1/users?limit=1", pid, marker)
    users = walk(base, token, "/api/v1/users?limit=200", pid, marker)
    report("users", users)
    # The last `next` of the walk: the deepest `after` cursor, for bench/okta-sim/run's page timings.
    print(f"deepest_next {users[-1]}")
    group, size = largest_group(base, token)
    report("members", walk(base, token, f"/api/v1/groups/{group}/users?limit=1000", pid, marker), f" group={group} size={size}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
