"""The scorer client keeps one connection per thread, finds a restarted scorer, and never
reads a late answer as the next request's."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest

from veche.moderation.classifier import client
from veche.moderation.classifier.server import make_server


@dataclass
class _Result:
    text: str

    def as_dict(self) -> dict:
        return {"score": float(len(self.text)), "text": self.text}


class _FakeModel:
    """Scores a text by its length; "slow…" texts wait until the test releases them."""

    name = "fake"

    def __init__(self) -> None:
        self.release = threading.Event()

    def score(self, text: str, lang: str) -> _Result:
        if text.startswith("slow"):
            self.release.wait(10)
        return _Result(text)


@pytest.fixture
def serve(tmp_path, settings):
    path = str(tmp_path / "fake.sock")
    settings.VECHE_CLASSIFIER_SOCKET = path
    running = []

    def start(model: _FakeModel) -> list[int]:
        server = make_server(socket_path=path, classifier=model)
        accepted: list[int] = []
        process = server.process_request

        def counting(request, address):
            accepted.append(1)
            process(request, address)

        server.process_request = counting
        threading.Thread(target=server.serve_forever, daemon=True).start()
        running.append(server)
        return accepted

    client.close()
    yield start
    client.close()
    for server in running:
        server.shutdown()
        server.server_close()


def test_one_connection_serves_many_requests(serve):
    accepted = serve(_FakeModel())
    assert [client.score(t, "en", timeout=5)["text"] for t in ("a", "bb", "ccc")] == [
        "a", "bb", "ccc"]
    assert len(accepted) == 1


def test_a_restarted_scorer_is_found_again(serve):
    serve(_FakeModel())
    assert client.score("before", "en", timeout=5)["text"] == "before"
    old = client._local.sock
    # The kept connection dies (as when the scorer restarts); a fresh one is made.
    old.shutdown(2)
    serve(_FakeModel())
    assert client.score("after", "en", timeout=5)["text"] == "after"


def test_a_late_answer_is_not_taken_for_the_next_one(serve):
    model = _FakeModel()
    accepted = serve(model)
    assert client.score("slow one", "en", timeout=0.05) is None
    model.release.set()  # the scorer now answers the abandoned request
    assert client.score("fast", "en", timeout=5)["text"] == "fast"
    assert len(accepted) == 2  # the timed-out connection was closed, not reused


def test_a_started_request_is_answered_when_read(serve):
    serve(_FakeModel())
    pending = client.start_score("sent early", "en", timeout=5)
    assert pending.result()["text"] == "sent early"
    with pytest.raises(RuntimeError):
        pending.result()  # one answer per request


def test_an_abandoned_request_never_answers_the_next_one(serve):
    model = _FakeModel()
    accepted = serve(model)
    pending = client.start_score("slow and abandoned", "en", timeout=5)
    pending.abandon()  # e.g. the post was refused before its checks ran
    model.release.set()
    assert client.score("next", "en", timeout=5)["text"] == "next"
    assert len(accepted) == 2  # the abandoned connection was closed, not reused
