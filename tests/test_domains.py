"""MSC domain labels from an LLM: cached on disk and resumable."""

from s1kit.domains import UNKNOWN, classify_domains, parse_domain


def test_domain_classifier_is_cached_and_resumable(tmp_path):
    asked = []

    def ask(prompt):
        asked.append(prompt)
        question = prompt.rsplit("Question:\n", 1)[1]
        return {"Count the triangles.": "05", "Is 91 prime?": "Code: 11."}.get(question, "no idea")

    cache = tmp_path / "cache" / "msc.jsonl"
    questions = ["Count the triangles.", "Is 91 prime?", "What is love?"]
    assert classify_domains(questions[:2], ask, cache) == ["05", "11"] and len(asked) == 2
    assert classify_domains(questions, ask, cache) == ["05", "11", UNKNOWN] and len(asked) == 3  # resumed
    assert classify_domains(questions, ask, cache) == ["05", "11", UNKNOWN] and len(asked) == 3  # all cached


def test_parse_domain_takes_the_first_known_code():
    assert parse_domain("11") == "11" and parse_domain("It is 99, no: 60") == "60" and parse_domain("x") == UNKNOWN
