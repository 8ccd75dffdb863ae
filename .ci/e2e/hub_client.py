#!/usr/bin/env python3
"""What a browser and a trainer do with a JupyterHub, for .ci/e2e-local.sh (standard library only).

    hub_client.py [--cacert CA] --jar FILE BASE login USER PASSWORD
    hub_client.py [--cacert CA] --jar FILE BASE signup USER PASSWORD
    hub_client.py [--cacert CA] --jar FILE BASE authorize USER         (as a logged-in native admin)
    hub_client.py [--cacert CA] --jar FILE BASE token USER             (prints a new API token of USER)
    hub_client.py [--cacert CA] BASE api METHOD PATH TOKEN [JSON]      (prints the status, then the body)
    hub_client.py [--cacert CA] BASE wait-ready USER TOKEN SECONDS
    hub_client.py [--cacert CA] BASE wait-stopped USER TOKEN SECONDS [ACTIVE]
                          (until the hub says USER runs no server; meanwhile ACTIVE's server is used)

Forms are posted as a browser posts them: the `_xsrf` cookie the page set goes back as a form field
(and as the X-XSRFToken header for API calls made with the login cookie). Exit 0 on success; a
failure prints what the hub answered.
"""

import argparse
import http.cookiejar
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

TIMEOUT = 30


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def opener(args, follow=True):
    context = ssl.create_default_context(cafile=args.cacert) if args.cacert else None
    handlers = [urllib.request.HTTPSHandler(context=context)]
    if args.jar:
        handlers.append(urllib.request.HTTPCookieProcessor(args.cookies))
    if not follow:
        handlers.append(NoRedirect())
    return urllib.request.build_opener(*handlers)


def send(args, method, path, data=None, headers=None, follow=True):
    """(status, headers, body) of one request; HTTP errors are answers too."""
    request = urllib.request.Request(args.base + path, data=data, method=method, headers=headers or {})
    try:
        with opener(args, follow).open(request, timeout=TIMEOUT) as response:
            return response.status, response.headers, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode("utf-8", "replace")


def xsrf(args):
    for cookie in args.cookies:
        if cookie.name == "_xsrf":
            return cookie.value
    sys.exit("no _xsrf cookie was set")


def post_form(args, path, fields):
    send(args, "GET", path)  # the page sets the _xsrf cookie, as for a browser
    fields = dict(fields, _xsrf=xsrf(args))
    body = urllib.parse.urlencode(fields).encode()
    return send(args, "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}, follow=False)


def login(args):
    status, headers, body = post_form(args, "/hub/login", {"username": args.rest[0], "password": args.rest[1]})
    location = headers.get("Location", "")
    if status == 302 and "/hub/login" not in location:
        print(f"logged in as {args.rest[0]} (302 to {location})")
        return 0
    print(f"login refused: HTTP {status} {location} {body[:300]!r}")
    return 1


def signup(args):
    user, password = args.rest
    status, _, body = post_form(args, "/hub/signup", {"username": user, "signup_password": password, "signup_password_confirmation": password})
    ok = status == 200 and ("alert-success" in body or "alert-info" in body)
    print(f"signup {user}: HTTP {status}, {'accepted' if ok else 'refused'}")
    if not ok:
        start = body.find("alert-")
        print(body[max(start - 40, 0):start + 400] if start >= 0 else body[:600])
    return 0 if ok else 1


def authorize(args):
    user = args.rest[0]
    status, _, body = send(args, "GET", "/hub/authorize")
    if status != 200:
        print(f"/hub/authorize: HTTP {status} {body[:300]!r}")
        return 1
    status, headers, body = send(args, "GET", f"/hub/authorize/{urllib.parse.quote(user)}", follow=False)
    print(f"authorize {user}: HTTP {status} {headers.get('Location', '')}")
    return 0 if status in (200, 302) else 1


def token(args):
    user = args.rest[0]
    send(args, "GET", "/hub/token")
    body = json.dumps({"note": "atlasod e2e", "expires_in": 3600}).encode()
    status, _, text = send(args, "POST", f"/hub/api/users/{user}/tokens", body,
                           {"X-XSRFToken": xsrf(args), "Content-Type": "application/json", "Referer": args.base + "/hub/token"})
    if status != 201:
        print(f"token: HTTP {status} {text[:300]!r}", file=sys.stderr)
        return 1
    print(json.loads(text)["token"])
    return 0


def api(args):
    method, path, tok = args.rest[:3]
    data = args.rest[3].encode() if len(args.rest) > 3 else None
    headers = {"Authorization": f"token {tok}"} if tok != "-" else {}
    if data is not None:
        headers["Content-Type"] = "application/json"
    status, _, body = send(args, method, path, data, headers, follow=False)
    print(status)
    print(body)
    return 0


def watch(args, user, tok, seconds, pause, done, timed_out, active=None):
    """Asks the hub for USER's servers every PAUSE seconds, for at most SECONDS, until
    done(servers, elapsed) returns the line to print: 0. Else prints TIMED_OUT with the hub's last
    answer: 1. With ACTIVE, each round first lists ACTIVE's files through the proxy, as a student's
    browser does."""
    headers = {"Authorization": f"token {tok}"}
    start = time.monotonic()
    last = ""
    while time.monotonic() < start + seconds:
        if active:
            send(args, "GET", f"/user/{active}/api/contents", headers=headers)
        status, _, body = send(args, "GET", f"/hub/api/users/{user}", headers=headers)
        if status == 200:
            servers = json.loads(body).get("servers", {})
            last = json.dumps(servers)[:300]
            line = done(servers, time.monotonic() - start)
            if line:
                print(line)
                return 0
        else:
            last = f"HTTP {status} {body[:200]}"
        time.sleep(pause)
    print(f"{timed_out} after {seconds:.0f}s: {last}")
    return 1


def wait_ready(args):
    user, tok, seconds = args.rest[0], args.rest[1], float(args.rest[2])

    def ready(servers, _elapsed):
        server = servers.get("", {})
        return server.get("ready") and f"{user}'s server is ready at {server.get('url')}"

    return watch(args, user, tok, seconds, 2, ready, f"{user}'s server not ready")


def wait_stopped(args):
    user, tok, seconds = args.rest[0], args.rest[1], float(args.rest[2])
    active = args.rest[3] if len(args.rest) > 3 else None

    def stopped(servers, elapsed):
        return "" not in servers and f"{user} runs no server ({elapsed:.0f}s)"

    return watch(args, user, tok, seconds, 3, stopped, f"{user}'s server still there", active)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cacert")
    parser.add_argument("--jar")
    parser.add_argument("base")
    parser.add_argument("command", choices=["login", "signup", "authorize", "token", "api", "wait-ready", "wait-stopped"])
    parser.add_argument("rest", nargs="*")
    args = parser.parse_args()
    args.base = args.base.rstrip("/")
    args.cookies = http.cookiejar.LWPCookieJar(args.jar) if args.jar else None
    if args.jar:
        try:
            args.cookies.load(ignore_discard=True)
        except FileNotFoundError:
            pass
    code = {"login": login, "signup": signup, "authorize": authorize, "token": token, "api": api,
            "wait-ready": wait_ready, "wait-stopped": wait_stopped}[args.command](args)
    if args.jar:
        args.cookies.save(ignore_discard=True)
    return code


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `| head -n 1` read the status line and went
        os._exit(0)
