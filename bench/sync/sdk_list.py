"""Benchmark (c) of issue 5: Okta's official Python SDK (okta==3.4.6) lists the org Pier syncs.

usage: sdk_list.py ORG_URL TOKEN

Lists what a full sync reads, with the page sizes Pier uses: every user (`limit=200`, the default listing
without DEPROVISIONED), the DEPROVISIONED users (`filter=status eq "DEPROVISIONED"`), every group (one
`limit=10000` page) and the members of every group but Everyone (`limit=1000`; Pier derives Everyone's
members instead of reading them). Nothing is written anywhere: this is the bare listing.

Paging follows Tests/OktaSimulatorTests/SDK/sdk_check.py: okta 3.4.6 returns `(data, ApiResponse, error)`
and its `ApiResponse.headers` keeps only the last `Link` header (`rel="next"` comes last), so `after` is
read from it and passed back.

Prints one JSON object on stdout: seconds (wall), cpu_seconds (this process), requests, listed_users,
deprovisioned_users, groups, member_pages, memberships (outside Everyone), largest_group and
minimum_requests (DESIGN.md §10's formula over what was listed).
"""
import asyncio
import json
import os
import resource
import sys
import time
import urllib.parse

os.environ.setdefault("OKTA_TESTING_TESTINGDISABLEHTTPSCHECK", "true")

from okta.client import Client as OktaClient  # noqa: E402


def next_cursor(resp):
    """The `after` of the last `Link` header when it is rel="next", else None."""
    link = None
    for name, value in (resp.headers or {}).items():
        if name.lower() == "link":
            link = value
    if not link or 'rel="next"' not in link:
        return None
    url = link[link.index("<") + 1:link.index(">")]
    return urllib.parse.parse_qs(urllib.parse.urlparse(url).query)["after"][0]


async def walk(call, **kwargs):
    """Calls `call(**kwargs)` following `after` to the last page; returns (items, pages)."""
    items, pages, after = [], 0, None
    while True:
        arguments = dict(kwargs)
        if after is not None:
            arguments["after"] = after
        result, resp, err = await call(**arguments)
        if err is not None:
            raise SystemExit(f"sdk_list: {call.__name__} {kwargs}: {err}")
        items += result
        pages += 1
        after = next_cursor(resp)
        if after is None:
            return items, pages


def ceil_div(n, d):
    return max(1, -(-n // d))


async def main(url, token):
    client = OktaClient({
        "orgUrl": url,
        "token": token,
        "cache": {"enabled": False},
        "rateLimit": {"maxRetries": 0},
        "testing": {"testingDisableHttpsCheck": True},
    })
    start = time.perf_counter()
    users, user_pages = await walk(client.list_users, limit=200)
    deprovisioned, deprovisioned_pages = await walk(client.list_users, filter='status eq "DEPROVISIONED"', limit=200)
    groups, group_pages = await walk(client.list_groups, limit=10000)
    member_pages = memberships = largest = 0
    minimum = ceil_div(len(users), 200) + ceil_div(len(deprovisioned), 200) + ceil_div(len(groups), 10000)
    for group in groups:
        kind = group.type.value if hasattr(group.type, "value") else group.type
        if kind == "BUILT_IN":
            continue
        members, pages = await walk(client.list_group_users, group_id=group.id, limit=1000)
        member_pages += pages
        memberships += len(members)
        largest = max(largest, len(members))
        minimum += ceil_div(len(members), 1000)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "seconds": round(seconds, 3),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
        "requests": user_pages + deprovisioned_pages + group_pages + member_pages,
        "listed_users": len(users),
        "deprovisioned_users": len(deprovisioned),
        "groups": len(groups),
        "member_pages": member_pages,
        "memberships": memberships,
        "largest_group": largest,
        "minimum_requests": minimum,
    }))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
