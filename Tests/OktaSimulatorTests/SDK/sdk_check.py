"""Drive the simulator with Okta's own Python SDK (okta==3.4.6); prints facts for the Swift test.

usage: sdk_check.py ORG_URL TOKEN

okta 3.4.6 (the OpenAPI-generated SDK) returns `(data, ApiResponse, error)`. `ApiResponse.headers` is a
plain mapping, so only the last `Link` header survives; Okta (and the simulator) send `rel="self"` first
and `rel="next"` last, so the last one tells whether another page exists. Paging is done the way the
SDK's users do it: read `after` from that link and pass it back as a keyword argument.

Every line printed is `<kind> <values…>`; the Swift test (OktaSDKTests) compares them with the
simulator's own numbers. Any failure exits non-zero with a message on stderr.
"""
import asyncio
import os
import sys
import urllib.parse

os.environ.setdefault("OKTA_TESTING_TESTINGDISABLEHTTPSCHECK", "true")

from okta.client import Client as OktaClient  # noqa: E402
from okta.errors.okta_api_error import OktaAPIError  # noqa: E402


def fail(message):
    print(f"FAIL {message}", file=sys.stderr)
    raise SystemExit(1)


def next_cursor(resp):
    """The `after` of the last `Link` header when it is rel="next", else None."""
    headers = resp.headers or {}
    link = None
    for name, value in headers.items():
        if name.lower() == "link":
            link = value
    if not link or 'rel="next"' not in link:
        return None
    url = link[link.index("<") + 1:link.index(">")]
    query = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)
    return query["after"][0]


async def walk(call, **kwargs):
    """Calls `call(**kwargs)` and follows `after` to the last page; returns (items, pages)."""
    items, pages, after = [], 0, None
    while True:
        arguments = dict(kwargs)
        if after is not None:
            arguments["after"] = after
        result, resp, err = await call(**arguments)
        if err is not None:
            fail(f"{call.__name__}: {err}")
        items += result
        pages += 1
        after = next_cursor(resp)
        if after is None:
            return items, pages
        if pages > 1000:
            fail(f"{call.__name__}: more than 1000 pages")


async def main(url, token):
    client = OktaClient({
        "orgUrl": url,
        "token": token,
        "cache": {"enabled": False},
        "rateLimit": {"maxRetries": 0},
        "testing": {"testingDisableHttpsCheck": True},
    })

    users, user_pages = await walk(client.list_users, limit=50)
    print(f"users {len(users)} pages {user_pages}")
    for user in users:
        print(f"uid {user.id}")

    groups, group_pages = await walk(client.list_groups, limit=5)
    print(f"groups {len(groups)} pages {group_pages}")
    for group in groups:
        print(f"gid {group.id} {group.type.value if hasattr(group.type, 'value') else group.type}")

    # Members of every group, 20 a page.
    for group in groups:
        members, member_pages = await walk(client.list_group_users, group_id=group.id, limit=20)
        print(f"members {group.id} {len(members)} pages {member_pages}")

    first = users[0]
    user, _, err = await client.get_user(first.id)
    if err is not None or user.id != first.id:
        fail(f"get_user by id: {err}")
    by_login, _, err = await client.get_user(first.profile.login)
    if err is not None or by_login.id != first.id:
        fail(f"get_user by login: {err}")
    print(f"get {user.id} {by_login.profile.login}")

    body = {
        "profile": {"firstName": "Sdk", "lastName": "Check", "email": "sdk.check@acme.example",
                    "login": "sdk.check@acme.example"},
        "credentials": {"password": {"value": "Abcd1234!xyz"}},
    }
    created, _, err = await client.create_user(body, activate=False)
    if err is not None:
        fail(f"create_user: {err}")
    print(f"created {created.id} {created.status.value if hasattr(created.status, 'value') else created.status}")

    update = {"profile": {"firstName": "Sdk", "lastName": "Check", "email": "sdk.check@acme.example",
                          "login": "sdk.check@acme.example", "title": "Pilot"}}
    updated, _, err = await client.update_user(created.id, update)
    if err is not None:
        fail(f"update_user: {err}")
    title = updated.profile.title
    print(f"updated {updated.id} {title}")

    missing, resp, err = await client.get_user("nobody@acme.example")
    if missing is not None:
        fail("get_user of a missing login returned a user")
    status = resp.status if resp is not None and hasattr(resp, "status") else getattr(err, "status", None)
    print(f"error {status} {type(err).__name__} {getattr(err, 'error_code', None)} "
          f"{isinstance(err, OktaAPIError)}")

    app_id = await check_apps(client, groups)
    await check_models(client, users[0].id, groups[1].id, app_id)


async def check_apps(client, groups):
    """Creates an OIDC web app through the SDK's models and assigns the second group to it."""
    from okta.models import OpenIdConnectApplication

    app_body = OpenIdConnectApplication.from_dict({
        "name": "oidc_client",
        "label": "Pier SDK Check",
        "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
        "settings": {"oauthClient": {
            "application_type": "web",
            "redirect_uris": ["https://pier.example/oauth/okta/callback"],
            "response_types": ["code"],
            "grant_types": ["authorization_code"],
        }},
    })
    app, _, err = await client.create_application(app_body)
    if err is not None:
        fail(f"create_application: {err}")
    status = app.status.value if hasattr(app.status, "value") else app.status
    client_id = app.credentials.oauth_client.client_id
    secret = app.credentials.oauth_client.client_secret or ""
    print(f"app {app.id} {status} {client_id} {len(secret)}")
    assignment, _, err = await client.assign_group_to_application(app.id, groups[1].id)
    if err is not None:
        fail(f"assign_group_to_application: {err}")
    print(f"assigned {app.id} {assignment.id}")
    assignments, _, err = await client.list_application_group_assignments(app.id)
    if err is not None:
        fail(f"list_application_group_assignments: {err}")
    print(f"assignments {len(assignments)}")
    return app.id


async def check_models(client, user_id, group_id, app_id):
    """The remaining reads Pier relies on, each parsed by the SDK's strict (pydantic) model: a field of the
    wrong type or an enum value the SDK does not know comes back as an error here, not as a silent None."""
    user_groups, _, err = await client.list_user_groups(user_id)
    if err is not None:
        fail(f"list_user_groups: {err}")
    print("usergroups " + " ".join(sorted(g.id for g in user_groups)))
    group, _, err = await client.get_group(group_id)
    if err is not None or group.id != group_id:
        fail(f"get_group: {err}")
    profile = getattr(group.profile, "actual_instance", group.profile)  # GroupProfile is a oneOf wrapper
    print(f"group {group.id} {type(profile).__name__} {profile.name is not None} {group.last_membership_updated is not None}")
    app, _, err = await client.get_application(app_id)
    if err is not None:
        fail(f"get_application: {err}")
    app = app.actual_instance if hasattr(app, "actual_instance") else app
    print(f"getapp {app.id} {type(app).__name__} {app.credentials.oauth_client.client_secret is None}")
    app_users, app_user_pages = await walk(client.list_application_users, app_id=app_id, limit=7)
    scopes = sorted({u.scope for u in app_users})
    print(f"appusers {len(app_users)} pages {app_user_pages} scopes {','.join(scopes)}")
    events, _, err = await client.list_log_events(since="2000-01-01T00:00:00.000Z", until="2100-01-01T00:00:00.000Z", limit=1000)
    if err is not None:
        fail(f"list_log_events: {err}")
    print("logs " + " ".join(e.event_type for e in events))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
