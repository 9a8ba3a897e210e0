"""Drive the simulator with Okta's own Python SDK (okta==3.4.6); prints counts for the Swift test.

usage: sdk_check.py ORG_URL TOKEN
"""
import asyncio
import os
import sys

os.environ.setdefault("OKTA_TESTING_TESTINGDISABLEHTTPSCHECK", "true")

from okta.client import Client as OktaClient  # noqa: E402


async def walk(first_call):
    items, pages = [], 0
    result, resp, err = await first_call
    if err:
        raise SystemExit(f"error: {err}")
    items += result
    pages += 1
    while resp.has_next():
        more, err = await resp.next()
        if err:
            raise SystemExit(f"error: {err}")
        items += more
        pages += 1
    return items, pages


async def main(url, token):
    client = OktaClient({"orgUrl": url, "token": token, "testing": {"testingDisableHttpsCheck": True}})
    users, user_pages = await walk(client.list_users(limit=50))
    print(f"users {len(users)} pages {user_pages}")
    groups, group_pages = await walk(client.list_groups(limit=5))
    print(f"groups {len(groups)} pages {group_pages}")
    largest = max(groups, key=lambda g: 0 if g.type == "BUILT_IN" else 1)
    members, member_pages = await walk(client.list_group_users(groups[0].id, limit=20))
    print(f"members {groups[0].id} {len(members)} pages {member_pages}")
    user, _, err = await client.get_user(users[0].id)
    assert err is None and user.id == users[0].id, err
    print(f"get {user.id} {user.profile.login}")
    body = {"profile": {"firstName": "Sdk", "lastName": "Check", "email": "sdk.check@acme.example",
                        "login": "sdk.check@acme.example"},
            "credentials": {"password": {"value": "Abcd1234!"}}}
    created, _, err = await client.create_user(body, activate=False)
    assert err is None, err
    print(f"created {created.id} {created.status}")
    created.profile.title = "Pilot"
    updated, _, err = await client.update_user(created.id, created)
    assert err is None and updated.profile.title == "Pilot", err
    print(f"updated {updated.id} {updated.profile.title}")
    _, resp, err = await client.get_user("nobody@acme.example")
    print(f"error {resp.get_status() if resp else None} {err.error_code if err else None}")
    del largest


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
