"""The static check for catastrophic backtracking, and the loader refusing what it flags."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex

from amr_logpatterns import PackError, load_packs
from amr_logpatterns.packs.regex_checker import RedosIssue
from amr_logpatterns.packs.regexsafety import analysed_safe, find_quadratic, find_redos

# (pattern, shape, position and sub-pattern of the first issue)
DANGEROUS: list[tuple[str, str, int, str]] = [
    (r"(a+)+$", "nested-quantifier", 0, "(a+)+"),
    (r"(a*)*$", "nested-quantifier", 0, "(a*)*"),
    (r"^(\w+\s?)+$", "nested-quantifier", 1, r"(\w+\s?)+"),
    (r"(.*a){12}", "quantified-dot-star", 0, "(.*a){12}"),
    (r"error: (?:.*,)+ failed", "quantified-dot-star", 7, "(?:.*,)+"),
    (r"(a|a)+$", "overlapping-alternation", 0, "(a|a)+"),
    (r"(\w|\d)+$", "overlapping-alternation", 0, r"(\w|\d)+"),
    (r"(?:a|ab|b)*c", "overlapping-alternation", 0, "(?:a|ab|b)*"),
    (r"(?:\r\n|\n|\r)+$", "overlapping-alternation", 0, r"(?:\r\n|\n|\r)+"),
    (r"(?i)(A|a)+$", "overlapping-alternation", 4, "(A|a)+"),
    (r"\s*\s*$", "overlapping-adjacent", 0, r"\s*\s*"),
    (r".*.*=.*", "overlapping-adjacent", 0, ".*.*"),
    (r"\d+\d+\d+x", "overlapping-adjacent", 0, r"\d+\d+\d+"),
    (r"^\d+\d+\d+x", "overlapping-adjacent", 1, r"\d+\d+\d+"),
    # real-looking log regexes
    (r"msg=(?P<msg>(?:\w+=\S+\s*)*)$", "nested-quantifier", 12, r"(?:\w+=\S+\s*)*"),
    (r"^(?P<user>([a-zA-Z0-9_.-]+)*)@(?P<host>\S+)$", "nested-quantifier", 10, "([a-zA-Z0-9_.-]+)*"),
    (r"tags=\[(?:\w+\s*,?\s*)*\]", "nested-quantifier", 7, r"(?:\w+\s*,?\s*)*"),
    (r'(?P<args>(?:"[^"]*"|\S+)*)\s+end$', "nested-quantifier", 9, r'(?:"[^"]*"|\S+)*'),
    (r"^(?:(?:\w+\.)*\w+)+: ", "nested-quantifier", 1, r"(?:(?:\w+\.)*\w+)+"),
    (r"path=(?P<p>(?:/[\w.-]*)*/?)+\s", "nested-quantifier", 5, r"(?P<p>(?:/[\w.-]*)*/?)+"),
    (r"(?x) ( \w + \s? ) + $", "nested-quantifier", 5, r"( \w + \s? ) +"),
    (r"(?=(a|a)+$)", "overlapping-alternation", 3, "(a|a)+"),
]

SAFE: list[str] = [
    r"(?:\d{1,3}\.){3}\d{1,3}",
    r"(?:[a-z0-9-]+\.)+[a-z]{2,}",
    r'"(?:\\.|[^"\\])*"',
    r"(?:,\s*\w+)*$",
    r"(?:[^,]*,)*x",
    r"tags=\[(?:\s*,\s*\w+)*\]",
    r"(?:\S+\s+)+\S+$",
    r"(?:\n.*)+",
    r".*=.*",
    r"\s+$",
    r"(a|ab)*c",  # unambiguous: a b never starts a repetition
    r"(?:ab|ac)+x",
    r"(a++)+$",  # possessive and atomic: never backtrack into
    r"(?>a+)+$",
    r"(?P<x>.*?)\s*$",
    r"\p{L}+\s+\p{N}+",
    # real-looking log regexes
    r"^\S+ \S+ \[[^\]]*\] \"[^\"]*\" (?P<status>\d{3})",
    r'level=(?P<level>\w+)\s+msg="(?P<msg>(?:[^"\\]|\\.)*)"',
    r"(?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d))",
    r"^\s*at [\w.$]+\([\w.]+:\d+\)$",
    r'(?:\s+(?P<k>\w+)=(?P<v>"[^"]*"|[^\s"]+))+$',
    r"\bdial tcp (?P<address>\S+?): connect: connection refused",
    r"^(?P<status>(?P<status_code>5\d\d)\b.*)$",
    r"^failed after (?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$",
    r"(?i)^(?:error|err|e)\b",
]


@pytest.mark.parametrize(("pattern", "shape", "position", "sub"), DANGEROUS)
def test_dangerous_patterns_are_flagged(pattern: str, shape: str, position: int, sub: str) -> None:
    issues = find_redos(pattern)
    assert issues, f"{pattern!r} not flagged"
    first = issues[0]
    assert (first.shape, first.position, first.subpattern) == (shape, position, sub)
    assert pattern[first.position :].startswith(first.subpattern)
    assert first.explanation
    assert not analysed_safe(pattern)


@pytest.mark.parametrize("pattern", SAFE)
def test_safe_patterns_pass(pattern: str) -> None:
    assert find_redos(pattern) == []
    assert analysed_safe(pattern)


def test_the_tables_are_large_enough() -> None:
    assert len(DANGEROUS) >= 15 and len(SAFE) >= 15


def test_every_builtin_pattern_passes() -> None:
    pack = load_packs()
    patterns = [(s.id, loc, p) for s in pack.signatures for loc, p in s.match.patterns(("match",))]
    assert len(patterns) > 60
    flagged = [(sid, loc, p, find_redos(p)) for sid, loc, p in patterns if find_redos(p)]
    assert flagged == []
    assert all(s.unsafe_regex_ok is None for s in pack.signatures)


def test_an_issue_reads_with_its_position_and_shape() -> None:
    (issue,) = find_redos(r"^id=(\d+)*$")
    assert issue == RedosIssue(4, r"(\d+)*", "nested-quantifier", issue.explanation)
    text = str(issue)
    assert text.startswith(r"at position 4: nested quantifier `(\d+)*`:")
    assert "exponentially" in text


def test_a_bounded_repeat_counts_from_three() -> None:
    assert find_redos(r"(.*a){2}") == []
    assert "n^3" in find_redos(r"(.*a){3}")[0].explanation


def test_adjacent_quantifiers_need_a_free_start_or_three_of_them() -> None:
    # anchored: two of them cost n^2, not reported; unanchored search adds one degree
    assert find_redos(r"^\s*\s*$") == []
    assert "n^3" in find_redos(r"\s*\s*$")[0].explanation
    # nothing after them can fail, or a dot can take every character up to the line end
    assert find_redos(r"\s*\s*") == []
    assert find_redos(r".*?\s*$") == []
    assert find_redos(r"x.*\s*\s*x")[0].subpattern == r".*\s*\s*"


def test_inline_flags_change_what_overlaps() -> None:
    assert find_redos(r"(A|a)+$") == []
    assert find_redos(r"(?i:(A|a)+$)")
    assert find_redos(r"(?i)(A|a)+$")
    assert find_redos(r"(A|a)+$(?i)")  # version 0: an inline flag holds for the whole pattern


@pytest.mark.parametrize(
    "pattern",
    [
        r"(\p{L}+)+$",  # \p{..}: read by asking the regex module
        r"([[:alpha:]]+)+$",
        r"(\N{DIGIT ONE}+)+$",
        r"(中+)+$",
    ],
)
def test_regex_module_classes_are_understood(pattern: str) -> None:
    assert find_redos(pattern)[0].shape == "nested-quantifier"


@pytest.mark.parametrize(
    "pattern",
    [
        r"(a)\1",  # backreference
        r"(?P<a>x)(?P=a)+",
        r"(a)?(?(1)(a|a)+|b)$",  # conditional
        r"(?|(a)|(b))+",  # branch reset
        r"(?V1)[[a-z]--[aeiou]]+",  # version-1 set operations
        r"(?:foo){e<=1}",  # fuzzy matching
        r"(?r)(a|a)+$",  # reverse searching
        r"(a(?R)?b)+",  # recursion
        r"\X+",
        r"((a|a)+",  # does not compile
    ],
)
def test_constructs_not_modelled_give_no_issue(pattern: str) -> None:
    assert find_redos(pattern) == []
    assert not analysed_safe(pattern)


def test_odd_but_valid_syntax_never_crashes() -> None:
    odd = [
        r"{", r"x{", r"x{a}", r"a{,3}", r"a{3,}", r"a{1,2}?", r"a{2}+", r"[]a]+", r"[^]a]",
        r"[\]]", r"\0", r"\101", r"\x41+", r"\u4e2d+", r"\U0001F600*", r"a(?#c)b", r"(|)",
        r"()+", r"(?:)*", r"(?x)[ ]+ #c", r"\\", r"\ ", r"\G\Ka", r"\m\M", r"(?<=a+)b",
        r"(?i)(?s).", r"(?L)a", r"(?ai)x", r"(?w)\b", r"(?f)ß+", r"(?<name>x)+",
    ]
    for pattern in odd:
        regex.compile(pattern)
        assert isinstance(find_redos(pattern), list)


# -- at load time --------------------------------------------------------------------

COMPONENT = "id: demo\ntitle: Demo\nnamespaces: [demo-system]\n"

HOSTILE = """\
id: demo.hostile
title: A hostile pattern
component: demo
severity: error
category: demo
explanation: Shows the check.
{waiver}match:
  keywords: ["aaaa"]
  any:
    - message: '^(a|a)+$'
    - fields:
        detail: 'x\\s*\\s*$'
examples:
  match:
    - line: "aaaa"
    - line: "aaaaa"
  no_match:
    - "bbbb"
    - "aaaab"
"""


def _pack(root: Path, waiver: str = "") -> Path:
    (root / "components").mkdir(parents=True)
    (root / "components" / "demo.yaml").write_text(COMPONENT)
    (root / "demo").mkdir()
    (root / "demo" / "demo.hostile.yaml").write_text(HOSTILE.format(waiver=waiver))
    return root


def test_a_catastrophic_pattern_is_refused_with_its_position(tmp_path: Path) -> None:
    with pytest.raises(PackError) as info:
        load_packs(_pack(tmp_path), builtin=False)
    (problem,) = info.value.problems
    assert problem.path.endswith("demo.hostile.yaml")
    assert (problem.line, problem.column) == (10, 7)
    assert problem.field == "match.any.0.message"
    assert problem.item_id == "demo.hostile"
    assert "at position 1: quantified overlapping alternation `(a|a)+`" in problem.message
    assert "unsafe_regex_ok" in problem.message
    assert str(problem).startswith(f"{problem.path}:10:7: [demo.hostile] match.any.0.message:")


def test_every_flagged_pattern_of_a_signature_is_reported(tmp_path: Path) -> None:
    text = HOSTILE.replace("'x\\s*\\s*$'", "'\\s*\\s*$'")
    root = _pack(tmp_path)
    (root / "demo" / "demo.hostile.yaml").write_text(text.format(waiver=""))
    with pytest.raises(PackError) as info:
        load_packs(root, builtin=False)
    fields = [(p.field, p.line, p.column) for p in info.value.problems]
    assert fields == [("match.any.0.message", 10, 7), ("match.any.1.fields.detail", 12, 9)]
    assert "overlapping adjacent quantifiers `\\s*\\s*`" in info.value.problems[1].message


def test_unsafe_regex_ok_accepts_it_with_a_reason(tmp_path: Path) -> None:
    waiver = 'unsafe_regex_ok: "anchored on a short field; the time limit bounds the rest"\n'
    pack = load_packs(_pack(tmp_path, waiver), builtin=False)
    (sig,) = pack.signatures
    assert sig.unsafe_regex_ok is not None
    (flagged,) = sig.unsafe_regexes()  # still listed, so lint can show what was accepted
    loc, pattern, issue = flagged
    assert loc == ("match", "any", 0, "message") and pattern == "^(a|a)+$"
    assert issue.shape == "overlapping-alternation"


@pytest.mark.parametrize("reason", ['""', '"   "', "[]"])
def test_unsafe_regex_ok_needs_a_reason(tmp_path: Path, reason: str) -> None:
    with pytest.raises(PackError) as info:
        load_packs(_pack(tmp_path, f"unsafe_regex_ok: {reason}\n"), builtin=False)
    assert any(p.field.startswith("unsafe_regex_ok") for p in info.value.problems)


@pytest.mark.parametrize(
    ("pattern", "sub"),
    [
        (r"x(?P<e>.*?)\s*$", ".*?)\\s*"),
        (r"^\s*(?P<d>\S.*?)?\s*$", ".*?)?\\s*"),
        (r"a.*?\s+b", ".*?\\s+"),
        (r'[^"]*?\s*"', '[^"]*?\\s*'),
    ],
)
def test_a_lazy_quantifier_before_an_overlapping_one_is_quadratic(pattern: str, sub: str) -> None:
    (issue,) = find_quadratic(pattern)
    assert (issue.shape, issue.subpattern) == ("lazy-overlap", sub)
    assert pattern.index(sub.replace("\\\\", "\\")) == issue.position


@pytest.mark.parametrize(
    "pattern",
    [
        r"x(?P<e>\S(?:.*\S)?)\s*$",  # the fix the warning suggests
        r"(?P<x>.*?)$",  # nothing after the lazy part takes the same characters
        r".*?\s*",  # nothing after them can fail
        r'"?(?P<url>[^"\s]*?)(?:/healthz)?"?: ',  # what follows is bounded
        r"(.*)\s*$",  # greedy: the run is read once
    ],
)
def test_linear_shapes_are_not_called_quadratic(pattern: str) -> None:
    assert find_quadratic(pattern) == []


def test_the_shipped_list_of_verified_builtin_patterns_is_current() -> None:
    from amr_logpatterns.authoring.verify_builtin import render_verified
    from amr_logpatterns.packs.verified import COMMAND, VERIFIED_FILE

    assert VERIFIED_FILE.read_text() == render_verified(), f"regenerate it: {COMMAND}"


def test_a_load_analyses_only_the_patterns_the_suite_has_not(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import amr_logpatterns.packs.schema as schema

    analysed: list[str] = []

    def spy(pattern: str) -> list[RedosIssue]:
        analysed.append(pattern)
        return find_redos(pattern)

    monkeypatch.setattr(schema, "find_redos", spy)
    load_packs()
    builtin_unsafe_ok = [p for p in analysed if find_redos(p)]
    assert analysed == builtin_unsafe_ok, "a verified built-in pattern was analysed again"
    analysed.clear()
    # a user pack's pattern is analysed, and refused when unsafe, even next to the built-ins
    with pytest.raises(PackError):
        load_packs(_pack(tmp_path))
    assert "^(a|a)+$" in analysed


def test_a_cached_user_pack_keeps_its_verdicts_and_a_forged_one_is_analysed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import json

    import amr_logpatterns.packs.schema as schema
    from amr_logpatterns.packs.verified import pattern_digest

    root = _pack(tmp_path / "pack", waiver="")
    hostile = root / "demo" / "demo.hostile.yaml"
    hostile.write_text(HOSTILE.format(waiver="").replace("^(a|a)+$", "^user (\\d+) thing$"))
    cache_dir = tmp_path / "cache"
    first = load_packs(root, builtin=False, cache_dir=cache_dir)
    user_pattern = "^user (\\d+) thing$"
    assert pattern_digest(user_pattern) in first.proven_safe

    analysed: list[str] = []

    def spy(pattern: str) -> list[RedosIssue]:
        analysed.append(pattern)
        return find_redos(pattern)

    monkeypatch.setattr(schema, "find_redos", spy)
    assert load_packs(root, builtin=False, cache_dir=cache_dir) == first
    assert analysed == [], "the cached pack's patterns were analysed again"

    # a cache file whose pattern is not vouched for is analysed, and refused when unsafe
    (cached,) = cache_dir.glob("pack-*.json")
    entry = json.loads(cached.read_text())
    text = json.dumps(entry).replace(json.dumps(user_pattern)[1:-1], "^(a|a)+$")
    forged = json.loads(text)
    forged["value"]["proven_safe"] = []
    cached.write_text(json.dumps(forged))
    reloaded = load_packs(root, builtin=False, cache_dir=cache_dir)
    assert "^(a|a)+$" in analysed, "an unvouched cached pattern skipped the analysis"
    assert reloaded == first  # refused from the cache, so rebuilt from the pack files


def test_signature_regexes_compile_at_their_first_search_and_travel_uncompiled() -> None:
    import pickle

    from amr_logpatterns.analyse.compiling import LazyPattern

    lazy = LazyPattern(r"fail(?P<n>\d+)")
    assert lazy.search.__name__ == "_compile_and_search"
    match = lazy.search("a fail42 here")
    assert match is not None and match["n"] == "42"
    assert lazy.search.__self__.pattern == r"fail(?P<n>\d+)"  # now the compiled search
    again = pickle.loads(pickle.dumps(lazy))
    assert again.pattern == lazy.pattern and again.search("fail7") is not None
    broken = LazyPattern("(")
    with pytest.raises(regex.error):
        broken.search("x")
