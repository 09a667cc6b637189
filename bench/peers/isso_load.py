"""Load a thread exported by bench/export_thread.py into Isso's own SQLite database.

Run with Isso's interpreter (bench/.isso-venv/bin/python), never Veche's:

    bench/.isso-venv/bin/python bench/peers/isso_load.py CONF THREAD.json URI
"""

from __future__ import annotations

import json
import sys

from isso import config, db


def main() -> None:
    conf_path, dump, uri = sys.argv[1:4]
    conf = config.load(config.default_file(), conf_path)
    store = db.SQLite3(conf.get("general", "dbpath"), conf)
    with open(dump) as f:
        comments = json.load(f)
    if store.threads.get(store.threads.new(uri, "bench")["id"]) is None:
        raise SystemExit("no thread")
    ids: dict[int, int] = {}
    for c in comments:
        row = store.comments.add(
            uri,
            {
                "parent": ids.get(c["parent"]) if c["parent"] else None,
                "created": c["created"],
                "mode": 1,
                "remote_addr": "127.0.0.1",
                "text": c["text"],
                "author": c["author"],
                "email": None,
                "website": None,
                "notification": 0,
            },
        )
        ids[c["id"]] = row["id"]
    print(len(ids))


if __name__ == "__main__":
    main()
