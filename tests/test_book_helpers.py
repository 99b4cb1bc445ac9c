"""The book's helpers: numbers for people, the reference run's files, and the browser check's rules."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from types import SimpleNamespace

import numpy as np
import pytest

from s1kit.book import REHEARSAL_NOTE, open_chapter, plain, rehearsal_note, verdicts
from s1kit.bookcheck import problems_on, read_dom
from s1kit.config import ConfigError
from s1kit.reference import differences, without_times


def test_numbers_are_glued_as_plain_python_rounded_for_people():
    assert plain(np.float64(32.6449)) == 32.6 and type(plain(np.float64(1.0))) is float
    assert plain(np.int64(7)) == 7 and type(plain(np.int64(7))) is int
    assert plain(2 / 3, digits=3) == 0.667
    assert plain("k = 2") == "k = 2" and plain(True) is True
    assert repr(plain(np.float32(59.04))) == "59.0"  # what {glue:text} prints
    with pytest.raises(TypeError, match="cannot glue"):
        plain([1, 2])


def test_a_rehearsal_shows_its_note_instead_of_verdicts():
    real, rehearsal = (SimpleNamespace(profile=SimpleNamespace(rehearsal=flag)) for flag in (False, True))
    lines = ["**A claim** - reproduced: 50.0% (the paper: 56.7%).", "**Another** - not reproduced."]
    assert rehearsal_note(real) is None and rehearsal_note(rehearsal) == REHEARSAL_NOTE
    assert verdicts(real, lines).data == "\n".join(f"- {line}" for line in lines)
    assert verdicts(rehearsal, lines).data == REHEARSAL_NOTE


def test_open_chapter_refuses_parameters_of_the_wrong_type_before_opening_a_run(tmp_path):
    with pytest.raises(ConfigError, match="'profile' must be str, got 3"):
        open_chapter(3, str(tmp_path))
    with pytest.raises(ConfigError, match="'runs_root' must be str"):
        open_chapter("tiny", None)
    assert not any(tmp_path.iterdir())


def test_reference_files_leave_out_wall_clock_times(tmp_path):
    report = {"steps": 3, "wall_s": 9.1, "loss_history": [{"step": 1, "loss": 2.0, "elapsed_s": 0.4}],
              "rows": [{"accuracy": 0.5, "train_seconds": 12}]}
    assert without_times(report) == {"steps": 3, "loss_history": [{"step": 1, "loss": 2.0}], "rows": [{"accuracy": 0.5}]}
    a, b = tmp_path / "a", tmp_path / "b"
    for root, accuracy in ((a, 0.5), (b, 0.5)):
        (root / "results").mkdir(parents=True)
        (root / "results" / "summary.json").write_text(json.dumps({"accuracy": accuracy}))
        (root / "run.json").write_text(json.dumps({"seconds": accuracy * 0 + id(root)}))  # times differ: ignored
    assert differences(a, b) == []
    (b / "results" / "summary.json").write_text(json.dumps({"accuracy": 0.6}))
    (a / "extra.json").write_text("{}")
    assert differences(a, b) == ["extra.json: only in this run", "results/summary.json: differs"]


def _png(width: int = 80, height: int = 80, shade: int = 0) -> bytes:
    """A valid PNG of a flat colour, big enough to count as a figure."""
    rows = b"".join(b"\x00" + bytes([shade, (x * 7) % 256, (x * 13 + shade) % 256]) * width for x in range(height))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))  # noqa: E731
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 0)) + chunk(b"IEND", b""))


def test_browser_check_rules_catch_what_a_reader_would_trip_over(tmp_path):
    (tmp_path / "fig.png").write_bytes(_png())
    (tmp_path / "other.html").write_text('<html><body><h2 id="there">x</h2></body></html>')
    page = tmp_path / "page.html"
    ids = lambda target: read_dom(target.read_text()).ids  # noqa: E731
    clean = ('<p>Accuracy 59.0% <code>\\(kept in code\\)</code></p><img src="fig.png">'
             '<a href="other.html#there">ok</a><a href="#top" id="top">top</a><script>var x = "\\(";</script>')
    assert problems_on(page, read_dom(clean), ["/work/build"], ids) == []
    data_uri = "data:image/png;base64," + base64.b64encode(_png()).decode()
    broken = (f'<p>raw \\(x^2\\) and np.float64(32.6) at /work/build/runs</p><pre>Traceback (most recent call last):</pre>'
              f'<img src="missing.png"><img src="fig.png"><img src="{data_uri}">'
              '<a href="gone.html">a</a><a href="other.html#nowhere">b</a>')
    found = problems_on(page, read_dom(broken), ["/work/build"], ids)
    kinds = ["raw LaTeX", "a Python traceback", "a numpy repr", "a path of the build machine", "does not load",
             "the same figure twice", "a broken link: gone.html", "missing anchor: other.html#nowhere"]
    for kind in kinds:
        assert any(kind in problem for problem in found), (kind, found)
    assert len(found) == len(kinds)
