"""Write a Disqus export of N comments, deterministically from a seed.

About 1 thread per 100 posts, 30% top-level posts, the rest replies to earlier posts of
the same thread (some written BEFORE their parent, as Disqus exports do), 2,000 authors
of whom a third are anonymous guests, 2% spam, 2% deleted, 1% pending.

    .venv/bin/python bench/gen_disqus.py --comments 100000 --seed 1 -o /tmp/disqus-100k.xml
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

WORDS = (  # noqa: SIM905
    "harbour ferry council budget tram island pier timetable vote mayor storm "
    "bridge school market fishing tourists winter repairs road night"
).split()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    n_threads = max(1, args.comments // 100)
    authors = [(f"Reader {i}", f"reader{i}@example.org" if i % 3 else "") for i in range(2000)]
    start = datetime(2015, 1, 1, tzinfo=UTC)
    with open(args.output, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
                  'xmlns:dsq="http://disqus.com/disqus-internals">\n')
        for t in range(n_threads):
            out.write(f'  <thread dsq:id="{t + 1}"><id>t{t}</id><forum>bench</forum>'
                      f"<link>https://bench.example/{t // 100}/story-{t}/</link>"
                      f"<title>Story {t}</title><isClosed>false</isClosed>"
                      "<isDeleted>false</isDeleted></thread>\n")
        per_thread: dict[int, list[int]] = {}
        posts = []
        for i in range(args.comments):
            thread = rng.randrange(n_threads) + 1
            earlier = per_thread.setdefault(thread, [])
            parent = rng.choice(earlier) if earlier and rng.random() > 0.3 else None
            pid = 1_000_000 + i
            earlier.append(pid)
            posts.append((pid, thread, parent))
        # Swap some neighbours so a reply can come before its parent.
        for i in range(0, len(posts) - 1, 50):
            posts[i], posts[i + 1] = posts[i + 1], posts[i]
        for n, (pid, thread, parent) in enumerate(posts):
            name, email = authors[rng.randrange(len(authors))]
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 80)))
            roll = rng.random()
            spam = "true" if roll < 0.02 else "false"
            deleted = "true" if 0.02 <= roll < 0.04 else "false"
            approved = "false" if 0.04 <= roll < 0.05 else "true"
            when = start + timedelta(minutes=pid - 1_000_000)
            anon = "false" if email else "true"
            parent_el = f'<parent dsq:id="{parent}"/>' if parent else ""
            out.write(
                f'  <post dsq:id="{pid}"><id/><message><![CDATA[<p>{escape(text)}</p>]]>'
                f"</message><createdAt>{when:%Y-%m-%dT%H:%M:%SZ}</createdAt>"
                f"<isDeleted>{deleted}</isDeleted><isSpam>{spam}</isSpam>"
                f"<isApproved>{approved}</isApproved><author><email>{email}</email>"
                f"<name>{name}</name><isAnonymous>{anon}</isAnonymous></author>"
                f"<ipAddress>10.{n % 250}.{n % 200}.{n % 100}</ipAddress>"
                f'<thread dsq:id="{thread}"/>{parent_el}</post>\n'
            )
        out.write("</disqus>\n")


if __name__ == "__main__":
    main()
