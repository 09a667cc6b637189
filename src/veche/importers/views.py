"""The admin's upload form for imports (staff only): the same code as `veche import`.

The import runs inside the request, in one transaction; for exports of more than a few
thousand comments use the command, which shows progress and has no request timeout.
"""

from __future__ import annotations

import tempfile
from io import StringIO
from pathlib import Path

from django import forms
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from veche.importers.common import ImportFileError
from veche.importers.detect import detect_format, import_comments_file


class UploadForm(forms.Form):
    file = forms.FileField(help_text="A Disqus export, a WordPress export (WXR), a Veche "
                           "export (.jsonl, empty site only) or a page dump.")
    dry_run = forms.BooleanField(required=False, initial=True,
                                 help_text="Check the file and show the summary; store nothing.")
    keep_pingbacks = forms.BooleanField(required=False)
    time_zone = forms.CharField(required=False, help_text="WordPress local times' zone "
                                "when GMT is missing (default: the publication's).")


def run_uploaded(path: Path, data: dict) -> list[str]:
    fmt = detect_format(path)
    if fmt == "jsonl":
        from veche.importers.jsonl import import_export

        return import_export(path, dry_run=data["dry_run"], progress=False)
    if fmt == "page":
        if data["dry_run"]:
            return ["A page dump: dry run is not available for this format."]
        out = StringIO()
        call_command("import_page", str(path), time_zone=data["time_zone"] or None, stdout=out)
        return out.getvalue().splitlines()
    return import_comments_file(
        path, fmt, dry_run=data["dry_run"], keep_pingbacks=data["keep_pingbacks"],
        time_zone=data["time_zone"] or None, progress=False,
    ).lines()


@staff_member_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    summary: list[str] = []
    error = ""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "upload"
            with path.open("wb") as handle:
                for chunk in form.cleaned_data["file"].chunks():
                    handle.write(chunk)
            try:
                summary = run_uploaded(path, form.cleaned_data)
            except (ImportFileError, CommandError) as exc:
                error = f"{form.cleaned_data['file'].name}: {exc} (nothing was stored)"
    context = {
        **admin.site.each_context(request),
        "title": "Import comments",
        "form": form,
        "summary": summary,
        "error": error,
    }
    return render(request, "importers/upload.html", context, status=400 if error else 200)
