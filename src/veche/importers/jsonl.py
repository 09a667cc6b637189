"""The whole site as JSON Lines, and back (``veche export`` / ``veche import``).

    {"type": "veche-export", "version": 1, "exported_at": "...", "models": [...]}
    {"type": "object", "model": "accounts.user", "pk": 1, "fields": {...}}
    ...

One object per line, model after model in an order where everything an object refers
to comes before it (users, e-mail addresses, newsroom, threads, articles, comments,
revisions, votes, then the moderation apps' models if they are installed), each model
by primary key (a reply's parent always has a smaller key). Objects are written by
Django's python serializer (primary keys kept, users and groups referred to by natural
key), read back by it with raw saves, so stored counters, paths, sequence numbers and
timestamps come back exactly as they were. Users are exported without passwords (they
come back with unusable ones: people reset theirs by e-mail). Both directions stream:
querysets are read with iterator(chunk_size=...), the file line by line.

Volatile: only the header's "exported_at" differs between two exports of one site.
"""

from __future__ import annotations

import datetime
import json
import resource
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from veche.discussion.actions import rebuild_author_tallies
from veche.importers.common import ImportFileError
from veche.importers.progress import Progress

FORMAT = "veche-export"
VERSION = 1
CHUNK = 2000
# Fixed order; a model missing from the registry is left out, and every other model of
# the "moderation" and "classifier" apps is added after these.
BASE_MODELS = [
    "accounts.user",
    "account.emailaddress",
    "newsroom.publication",
    "newsroom.section",
    "newsroom.tag",
    "newsroom.author",
    "discussion.thread",
    "newsroom.article",
    "discussion.comment",
    "discussion.commentrevision",
    "discussion.vote",
]
EXTRA_APPS = ["moderation", "classifier"]
OMITTED_FIELDS = {"accounts.user": {"password"}}


def export_models() -> list[type[models.Model]]:
    chosen: list[type[models.Model]] = []
    for label in BASE_MODELS:
        try:
            chosen.append(apps.get_model(label))
        except LookupError:
            continue
    extra: list[type[models.Model]] = []
    for app_label in EXTRA_APPS:
        try:
            config = apps.get_app_config(app_label)
        except LookupError:
            continue
        extra.extend(
            m for m in config.get_models() if not m._meta.proxy and m._meta.managed
        )
    return chosen + _dependency_order(extra, already=set(chosen))


def _dependency_order(
    pending: list[type[models.Model]], already: set[type[models.Model]]
) -> list[type[models.Model]]:
    """The extra models so each comes after the models its foreign keys point to."""
    done = set(already)
    ordered: list[type[models.Model]] = []
    pending = sorted(pending, key=lambda m: m._meta.label_lower)
    while pending:
        for model in pending:
            targets = {
                f.related_model
                for f in model._meta.get_fields()
                if (f.many_to_one or f.one_to_one or f.many_to_many)
                and f.concrete
                and f.related_model is not model
            }
            if all(t in done or t not in pending for t in targets):
                break
        else:  # a cycle: keep the name order
            model = pending[0]
        pending.remove(model)
        done.add(model)
        ordered.append(model)
    return ordered


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


class ExactJSONEncoder(DjangoJSONEncoder):
    """Times with their microseconds: Django's encoder cuts them to milliseconds, so a
    comment's time changed in the round trip, and one that fell in a whole second's first
    millisecond was written differently by the next export."""

    def default(self, o: object) -> object:
        if isinstance(o, datetime.datetime | datetime.time):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


def iter_export_lines() -> Iterator[str]:
    chosen = export_models()
    header = {
        "type": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "models": [_label(m) for m in chosen],
    }
    yield json.dumps(header, sort_keys=True)
    for model in chosen:
        omitted = OMITTED_FIELDS.get(_label(model), set())
        fields = [f.name for f in model._meta.local_fields + model._meta.local_many_to_many
                  if f.name not in omitted and not f.primary_key]
        queryset = model._default_manager.order_by("pk")
        m2m = [f.name for f in model._meta.local_many_to_many if f.name in fields]
        if m2m:
            queryset = queryset.prefetch_related(*m2m)
        for obj in queryset.iterator(chunk_size=CHUNK):
            (data,) = serializers.serialize(
                "python", [obj], fields=fields, use_natural_foreign_keys=True
            )
            yield json.dumps(
                {"type": "object", **data}, cls=ExactJSONEncoder, sort_keys=True,
                ensure_ascii=False,
            )


def write_export(out: IO[str], *, progress: bool = False) -> int:
    bar = Progress(enabled=progress, unit="lines")
    count = 0
    try:
        with transaction.atomic():  # one consistent snapshot (PostgreSQL: repeatable)
            for line in iter_export_lines():
                out.write(line + "\n")
                count += 1
                bar.update(1)
    finally:
        bar.close()
    return count


# --- Import -----------------------------------------------------------------------------


def _check_empty(chosen: list[type[models.Model]]) -> None:
    for model in chosen:
        if model._default_manager.exists():
            raise ImportFileError(
                "a Veche export can only be imported into an empty database, and this one "
                f"has {model._meta.verbose_name_plural} ({_label(model)}); "
                "use a fresh database (migrate, then import)"
            )


def import_export(path: str | Path, *, dry_run: bool = False, progress: bool = True
                  ) -> list[str]:
    started = time.monotonic()
    counts: dict[str, int] = {}
    bar = Progress(enabled=progress, unit="objects")
    unusable = make_password(None)
    try:
        with open(path, encoding="utf-8") as handle, transaction.atomic():
            first = handle.readline()
            try:
                header = json.loads(first)
            except ValueError:
                raise ImportFileError("not a Veche export header", 1) from None
            if header.get("type") != FORMAT or header.get("version") != VERSION:
                raise ImportFileError(
                    f"unsupported export (type {header.get('type')!r}, version "
                    f"{header.get('version')!r}; this site reads version {VERSION})", 1
                )
            known = {_label(m): m for m in export_models()}
            missing = [label for label in header.get("models", []) if label not in known]
            if missing:
                raise ImportFileError(f"this site has no model(s) {', '.join(missing)}", 1)
            _check_empty(list(known.values()))
            for number, line in enumerate(handle, start=2):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError as exc:
                    raise ImportFileError(f"not JSON: {exc}", number) from None
                if record.get("type") != "object" or record.get("model") not in known:
                    raise ImportFileError(
                        f"unexpected record (model {record.get('model')!r})", number
                    )
                record.pop("type")
                if record["model"] == "accounts.user":
                    record["fields"]["password"] = unusable
                try:
                    for obj in serializers.deserialize("python", [record]):
                        obj.save()
                except Exception as exc:
                    raise ImportFileError(
                        f"cannot load {record.get('model')} #{record.get('pk')}: {exc}", number
                    ) from exc
                counts[record["model"]] = counts.get(record["model"], 0) + 1
                bar.update(1)
            _reset_sequences(list(known.values()))
            # Raw saves keep stored counters but bypass the actions that keep the
            # authors' tallies (which are not exported): count them from the comments.
            rebuild_author_tallies()
            if dry_run:
                transaction.set_rollback(True)
    finally:
        bar.close()
    seconds = time.monotonic() - started
    lines = ["Format: Veche export (JSON Lines)" + (" (dry run: nothing stored)"
                                                   if dry_run else "")]
    lines += [f"  {label}: {n}" for label, n in counts.items()]
    lines.append(f"Objects: {sum(counts.values())} in {seconds:.1f} s")
    lines.append(
        f"Peak memory (max RSS): "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB"
    )
    return lines


def _reset_sequences(chosen: list[type[models.Model]]) -> None:
    """Rows came with their keys; PostgreSQL's sequences must move past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), chosen)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
