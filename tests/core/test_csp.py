"""The Content-Security-Policy header is built once per distinct policy, and is the
header django-csp itself would send."""

from __future__ import annotations

import pytest
from csp.middleware import CSPMiddleware as UpstreamCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from veche.core import csp

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds(monkeypatch):
    """Every build_policy call the middleware makes, by keyword arguments."""
    calls: list[dict] = []
    real = csp.build_policy

    def counted(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(csp, "build_policy", counted)
    csp._forget()
    yield calls
    csp._forget()


def respond(middleware_class, view=None, path="/", **attributes):
    request = RequestFactory().get(path)

    def get_response(request):
        response = HttpResponse("page")
        for name, value in attributes.items():
            setattr(response, name, value)
        if view is not None:
            view(request)
        return response

    return middleware_class(get_response)(request), request


def headers(response):
    return {name: response.get(name) for name in
            ("Content-Security-Policy", "Content-Security-Policy-Report-Only")}


def test_header_is_the_one_django_csp_sends():
    ours, _ = respond(csp.CSPMiddleware)
    theirs, _ = respond(UpstreamCSPMiddleware)
    assert headers(ours) == headers(theirs)
    assert "script-src 'self'" in ours["Content-Security-Policy"]


def test_a_view_s_replacement_is_the_one_django_csp_sends():
    replace = {"frame-ancestors": ["https://news.example.org"]}
    ours, _ = respond(csp.CSPMiddleware, _csp_replace=replace)
    theirs, _ = respond(UpstreamCSPMiddleware, _csp_replace=replace)
    assert ours["Content-Security-Policy"] == theirs["Content-Security-Policy"]
    assert "frame-ancestors https://news.example.org" in ours["Content-Security-Policy"]


def test_the_same_policy_is_built_once(builds):
    first, _ = respond(csp.CSPMiddleware)
    built = len(builds)
    second, _ = respond(csp.CSPMiddleware)
    assert built >= 1
    assert len(builds) == built  # the second response reused the text
    assert first["Content-Security-Policy"] == second["Content-Security-Policy"]
    respond(csp.CSPMiddleware, _csp_replace={"frame-ancestors": ["https://a.example"]})
    assert len(builds) > built  # another policy is another build


def test_a_nonce_is_built_into_each_response_afresh(builds):
    def uses_nonce(request):
        str(request.csp_nonce)

    from csp.constants import NONCE

    policy = {"DIRECTIVES": {"script-src": ["'self'", NONCE]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        one, first = respond(csp.CSPMiddleware, view=uses_nonce)
        two, second = respond(csp.CSPMiddleware, view=uses_nonce)
    assert f"'nonce-{first._csp_nonce}'" in one["Content-Security-Policy"]
    assert f"'nonce-{second._csp_nonce}'" in two["Content-Security-Policy"]
    assert first._csp_nonce != second._csp_nonce


def test_asking_for_a_nonce_after_the_header_is_an_error():
    from csp.exceptions import CSPNonceError

    _, request = respond(csp.CSPMiddleware)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_changed_settings_change_the_header():
    before, _ = respond(csp.CSPMiddleware)
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        during, _ = respond(csp.CSPMiddleware)
    after, _ = respond(csp.CSPMiddleware)
    assert during["Content-Security-Policy"] == "default-src 'none'"
    assert before["Content-Security-Policy"] == after["Content-Security-Policy"]
    assert after["Content-Security-Policy"] != "default-src 'none'"


def test_exempt_and_excluded_responses_get_no_header():
    exempt, _ = respond(csp.CSPMiddleware, _csp_exempt=True)
    assert "Content-Security-Policy" not in exempt
    policy = {"DIRECTIVES": {"default-src": ["'self'"]}, "EXCLUDE_URL_PREFIXES": ["/static/"]}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        excluded, _ = respond(csp.CSPMiddleware, path="/static/x.css")
        kept, _ = respond(csp.CSPMiddleware, path="/page")
    assert "Content-Security-Policy" not in excluded
    assert kept["Content-Security-Policy"] == "default-src 'self'"


def test_report_only_policy_is_sent_as_django_csp_sends_it():
    policy = {"DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp-report"}}
    with override_settings(CONTENT_SECURITY_POLICY_REPORT_ONLY=policy):
        ours, _ = respond(csp.CSPMiddleware)
        theirs, _ = respond(UpstreamCSPMiddleware)
    header = "Content-Security-Policy-Report-Only"
    assert ours[header] == theirs[header]
    assert "report-uri /csp-report" in ours[header]
