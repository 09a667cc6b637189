"""Post comments to the django-comments-xtd peer through its own comment form, one after
another, as an anonymous reader's browser would: load the article page once (CSRF cookie,
the form's timestamp and security hash), then POST the form to /comments/post/.

Standard library only; prints one JSON line.

    post.py PORT SLUG COUNT TAG [DEADLINE_SECONDS]
"""

from __future__ import annotations

import http.client
import json
import re
import sys
import time
import urllib.parse


def main() -> None:
    port, slug, count, tag = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    deadline = time.monotonic() + (float(sys.argv[5]) if len(sys.argv) > 5 else 120)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", f"/articles/{slug}/")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = next(v.split(";", 1)[0] for v in response.headers.get_all("Set-Cookie") or []
                  if v.startswith("csrftoken="))
    # The hidden inputs of the first form: csrf token, content type, object pk, timestamp,
    # security hash, reply_to, next.
    form = page[page.index("<form"):page.index("</form>")]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    statuses: dict[int, int] = {}
    sent = 0
    t0 = time.perf_counter()
    for i in range(count):
        body = urllib.parse.urlencode({
            **fields, "honeypot": "", "name": f"Bench reader {i % 7}",
            "email": f"reader{i % 7}@example.org", "url": "",
            "comment": f"Bench {tag} comment {i}: " + "words of a comment " * 8,
            "post": "send",
        })
        conn.request("POST", "/comments/post/", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
            "Origin": f"http://127.0.0.1:{port}", "Referer": f"http://127.0.0.1:{port}/",
        })
        response = conn.getresponse()
        response.read()
        statuses[response.status] = statuses.get(response.status, 0) + 1
        sent += 1
        if time.monotonic() > deadline:
            break
    took = time.perf_counter() - t0
    conn.close()
    print(json.dumps({"clients": 1, "sent": sent, "statuses": statuses, "seconds": took,
                      "per_second": sent / took}))


if __name__ == "__main__":
    main()
