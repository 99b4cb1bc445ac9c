"""Grading as s1 does it, on the answer forms real model outputs and real references take."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from s1kit.chat_client import ChatClient, ChatClientError
from s1kit.grading import Judge, answer_section, extract_answer, grade, last_boxed, normalize

THINKING = "<|im_start|>think\nLet me compute. The answer might be \\boxed{13}. Wait, recheck.\n"


@pytest.mark.parametrize("response, expected", [
    # an SFT model's whole output: thinking, then the answer section
    (THINKING + "<|im_start|>answer\nAnswer: The sum is 204, hence $\\boxed{204}$.<|im_end|>", "204"),
    # budget forcing's forced answer: "Final Answer:" with no box
    (THINKING + "\n<|im_start|>answer\nFinal Answer: 42<|im_end|>", "42"),
    # a base model (Qwen2.5-Instruct) never thinks and ends in a box
    ("We add the terms... Therefore the total is $\\boxed{\\frac{3}{4}}$.", "\\frac{3}{4}"),
    # nested braces and several boxes: the last one, whole
    ("First \\boxed{1}, finally \\boxed{\\sqrt{2^{3}}}", "\\sqrt{2^{3}}"),
    ("\\fbox{7}", "7"),
    ("so the answer is $\\boxed 5$.", "5"),
    # no answer delimiter, but a turn: the text after its role line
    ("<|im_start|>assistant\nAnswer: C", "C"),
    # only the last Answer: counts, in any case
    ("answer: 1\nFINAL ANSWER: 2", "2"),
    # a cut-off output with an unclosed box and no Answer: falls back to the section
    ("<|im_start|>answer\n\\boxed{12", "\\boxed{12"),
])
def test_extract_answer_follows_s1(response, expected):
    assert extract_answer(response, "math") == expected


def test_thinking_is_never_graded():
    response = THINKING + "<|im_start|>answer\nAnswer: 14<|im_end|>"
    assert answer_section(response) == "Answer: 14<|im_end|>"
    assert grade(response, "14", "aime") and not grade(response, "13", "aime")


@pytest.mark.parametrize("response, reference, benchmark, correct", [
    ("Answer: 023", "23", "aime", True),  # AIME answers compare as integers
    ("$\\boxed{204}$.", "204", "aime", True),
    ("Answer: 204.", "204", "aime", True),
    ("Answer: 1,024", "1024", "aime", True),
    ("Answer: 205", "204", "aime", False),
    ("\\boxed{\\dfrac{1}{2}}", "\\frac12", "math", True),  # fractions
    ("\\boxed{0.5}", "\\frac{1}{2}", "math", True),
    ("\\boxed{2\\sqrt{3}}", "\\sqrt{12}", "math", True),  # radicals
    ("\\boxed{\\sqrt{13}}", "\\sqrt{12}", "math", False),
    ("\\boxed{[0, 1)}", "[0,1)", "math", True),  # intervals
    ("\\boxed{(0, 1]}", "[0,1]", "math", False),
    ("\\boxed{30^\\circ}", "30", "math", True),  # degrees
    ("\\boxed{\\begin{pmatrix}1\\\\2\\end{pmatrix}}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "math", True),
    ("\\boxed{\\text{Evelyn}}", "\\text{Evelyn}", "math", True),  # text answers
    ("\\boxed{x = 5}", "5", "math", True),
    ("\\boxed{(1,-3)}", "(1, -3)", "math", True),
    ("no final answer at all", "5", "math", False),
    ("<|im_start|>answer\nAnswer: **B**", "B", "gpqa", True),  # a bold letter is read by the rules
    ("<|im_start|>answer\n\\boxed{B}", "B", "gpqa", True),  # GPQA by letter
    ("<|im_start|>answer\nAnswer: (c)", "C", "gpqa", True),
    ("<|im_start|>answer\nAnswer: D) 4 m/s", "D", "gpqa", True),
    ("<|im_start|>answer\nAnswer: A", "C", "gpqa", False),
    ("<|im_start|>answer\nFinal Answer: 42", "42", "tiny", True),
    ("<|im_start|>answer\nFinal Answer: 42\n7+8=15", "42", "tiny", True),  # a tiny answer is one line
    ("<|im_start|>answer\nFinal Answer: 41", "42", "tiny", False),
])
def test_grade_on_real_answer_forms(response, reference, benchmark, correct):
    assert grade(response, reference, benchmark) is correct


def test_bad_benchmark_is_refused():
    with pytest.raises(ValueError, match="unknown benchmark 'mmlu'"):
        grade("Answer: 1", "1", "mmlu")


def test_helpers():
    assert last_boxed("no box") is None and last_boxed("\\boxed{a{b}c} and \\boxed{d}") == "d"
    assert normalize(" $1,024.$ ") == "1024" and normalize("3.50") == "3.50"


class _FakeJudge(BaseHTTPRequestHandler):
    """An OpenAI-compatible chat endpoint that says 1 when the student wrote 'three quarters'."""

    seen: list = []

    def do_POST(self):  # noqa: N802 (the http.server API)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _FakeJudge.seen.append((self.path, self.headers.get("Authorization"), body))
        prompt = body["messages"][0]["content"]
        if "multiple-choice" in prompt:
            # the letter in bold, or the option's text looked up in the question's options
            reply = "B" if "**B**" in prompt or ("B) nitrogen" in prompt and "Student: nitrogen" in prompt) else "-1"
        else:
            reply = "1" if "three quarters" in prompt or "Student: 0.75" in prompt else "0"
        data = json.dumps({"choices": [{"message": {"role": "assistant", "content": reply}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def judge_server():
    server = HTTPServer(("127.0.0.1", 0), _FakeJudge)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _FakeJudge.seen.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_judge_is_asked_where_s1_asked(judge_server):
    judge = Judge(ChatClient(base_url=judge_server, model="judge-model", api_key="secret"))
    response = "<|im_start|>answer\nAnswer: three quarters"
    assert not grade(response, "\\frac{3}{4}", "math")  # math-verify cannot read words; no judge by default
    assert grade(response, "\\frac{3}{4}", "math", judge=judge)
    assert not grade("<|im_start|>answer\nAnswer: two thirds", "\\frac{3}{4}", "math", judge=judge)
    options = "Which gas is inert?\n\nA) oxygen\nB) nitrogen\nC) fluorine\nD) chlorine"
    assert grade("<|im_start|>answer\nAnswer: nitrogen", "B", "gpqa", judge=judge, question=options)
    assert not grade("<|im_start|>answer\nAnswer: nitrogen", "B", "gpqa", judge=judge)  # no options shown
    calls = len(_FakeJudge.seen)
    assert grade("<|im_start|>answer\nAnswer: **B**", "B", "gpqa", judge=judge)  # the rules read the letter
    assert grade("Answer: 023", "23", "aime", judge=judge)  # both integers: no call
    assert grade("\\boxed{5}", "5", "math", judge=judge) and len(_FakeJudge.seen) == calls
    # s1 asks its judge about every non-integer MATH answer, even one math-verify (or the string) settles
    assert grade("\\boxed{0.75}", "\\frac{3}{4}", "math", judge=judge) and len(_FakeJudge.seen) == calls + 1
    assert not grade("\\boxed{\\frac{3}{4}}", "\\frac{3}{4}", "math", judge=judge)  # this judge says 0
    assert len(_FakeJudge.seen) == calls + 2
    path, auth, body = _FakeJudge.seen[0]
    assert path == "/v1/chat/completions" and auth == "Bearer secret" and body["model"] == "judge-model"
    assert body["temperature"] == 0


def test_unreachable_or_malformed_endpoint_is_one_clear_error(judge_server):
    with pytest.raises(ChatClientError, match="chat endpoint http://127.0.0.1:9/v1/chat/completions failed"):
        ChatClient("http://127.0.0.1:9/v1", "m", timeout_s=2).ask("hi")



def test_evaluation_judge_comes_from_the_profile(judge_server, monkeypatch):
    from s1kit.budget import ForcingResult
    from s1kit.evaluation import grade_results, judge_from_config

    assert judge_from_config({}) is None  # off by default
    with pytest.raises(ValueError, match="needs \\['model'\\]"):
        judge_from_config({"base_url": judge_server})
    monkeypatch.setenv("MY_JUDGE_KEY", "k-123")
    judge = judge_from_config({"base_url": judge_server, "model": "m", "api_key_env": "MY_JUDGE_KEY"})
    outputs = [ForcingResult("", "", "<|im_start|>answer\nAnswer: three quarters", 0, 0, 0, False, []),
               ForcingResult("", "", "<|im_start|>answer\nAnswer: 7", 0, 0, 0, False, [])]
    assert grade_results(outputs, ["\\frac34", "7"], "math", judge, ["q1", "q2"]) == [True, True]
    assert grade_results(outputs, ["\\frac34", "7"], "math") == [False, True]
    assert _FakeJudge.seen[-1][1] == "Bearer k-123"
