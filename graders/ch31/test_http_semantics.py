"""Grader for ch31/http_semantics: methods, status codes, retries and dig lines as data."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from graders.acts import attempt
from graders.differential import agree
from graders.harness import GradeFailure, Learner, Outcome

EXERCISE = "ch31/http_semantics"

SAFE = {
    "GET": True,
    "HEAD": True,
    "OPTIONS": True,
    "POST": False,
    "PUT": False,
    "PATCH": False,
    "DELETE": False,
}
IDEMPOTENT = {
    "GET": True,
    "HEAD": True,
    "OPTIONS": True,
    "POST": False,
    "PUT": True,
    "PATCH": False,
    "DELETE": True,
}
BODY = {
    "GET": False,
    "HEAD": False,
    "OPTIONS": False,
    "POST": True,
    "PUT": True,
    "PATCH": True,
    "DELETE": False,
}
METHOD_FUNCTIONS = ["is_safe", "is_idempotent", "has_request_body"]
BAD_METHODS = ["FETCH", "", "GETS", "CONNECTX"]

CODES = [
    100,
    101,
    199,
    200,
    201,
    204,
    299,
    300,
    301,
    304,
    399,
    400,
    401,
    403,
    404,
    409,
    429,
    499,
    500,
    501,
    502,
    503,
    504,
    599,
]
BAD_CODES = [0, 99, 600, 1000, -200]
CLASS_OF = {1: "informational", 2: "success", 3: "redirect", 4: "client_error", 5: "server_error"}


def expected_retry(code: int, method: str) -> bool:
    """The documented rule, written independently of any solution."""
    if code == 429:
        return True
    return code in (502, 503, 504) and IDEMPOTENT[method.upper()]


def act_calls(module, func, cases):
    """Inside the sandbox: call func on every case and record each result or exception."""
    target = getattr(module, func, None)
    if target is None:
        return None
    return [attempt(target, *args) for args in cases]


def outcomes(learner: Learner, func: str, cases: list[tuple]) -> list[Outcome]:
    """One Outcome per case, from a single trip to the sandbox."""
    shown = [f"{func}({', '.join(repr(a) for a in args)})" for args in cases]
    records = learner.run(act_calls, func, cases, call=f"{func}(...) on {len(cases)} inputs")
    records = records.value(f"the function {func} to be called")
    if records is None:
        raise GradeFailure(
            f"Problem:  your module has no function named '{func}' (did you rename it?)"
        )
    return [Outcome.from_attempt(text, record) for text, record in zip(shown, records, strict=True)]


def expect_table(learner: Learner, func: str, cases: list[tuple], expected: list, note: str = ""):
    """Call func on every case; report the first wrong answer with its call."""
    for outcome, want in zip(outcomes(learner, func, cases), expected, strict=True):
        outcome.expect(want, note=note)


def expect_all_raise(learner: Learner, func: str, cases: list[tuple], note: str = ""):
    for outcome in outcomes(learner, func, cases):
        outcome.expect_raises(ValueError, note=note)


# -- task 1: method properties ---------------------------------------------------------
@pytest.mark.task(1)
def test_safe_methods(learner):
    """is_safe: GET, HEAD and OPTIONS only read; the others change the server"""
    expect_table(learner, "is_safe", [(m,) for m in SAFE], list(SAFE.values()))


@pytest.mark.task(1)
def test_idempotent_methods(learner):
    """is_idempotent: GET, HEAD, OPTIONS, PUT and DELETE yes"""
    expect_table(learner, "is_idempotent", [(m,) for m in IDEMPOTENT], list(IDEMPOTENT.values()))


@pytest.mark.task(1)
def test_post_is_not_idempotent(learner):
    """is_idempotent('POST') is False: two POSTs create two resources"""
    learner.call("is_idempotent", "POST").expect(
        False, note="sending the same POST twice creates two tasks"
    )


@pytest.mark.task(1)
def test_patch_is_not_idempotent(learner):
    """is_idempotent('PATCH') is False: a PATCH is not necessarily idempotent"""
    learner.call("is_idempotent", "PATCH").expect(
        False, note="a PATCH like 'add 1 to the counter' changes more each time it is sent"
    )


@pytest.mark.task(1)
def test_methods_with_a_body(learner):
    """has_request_body: POST, PUT and PATCH usually carry one; GET, HEAD, DELETE, OPTIONS not"""
    expect_table(learner, "has_request_body", [(m,) for m in BODY], list(BODY.values()))


@pytest.mark.task(1)
@pytest.mark.parametrize("spelling", ["lower", "title"])
def test_method_names_in_any_case(learner, spelling):
    """method names are accepted in any letter case"""
    tables = {"is_safe": SAFE, "is_idempotent": IDEMPOTENT, "has_request_body": BODY}
    for func, table in tables.items():
        names = [(m.lower() if spelling == "lower" else m.title(),) for m in table]
        expect_table(
            learner,
            func,
            names,
            list(table.values()),
            note="HTTP method names are matched case-insensitively here: 'get' is GET",
        )


@pytest.mark.task(1)
@pytest.mark.parametrize("func", METHOD_FUNCTIONS)
def test_unknown_methods_raise(learner, func):
    """an unknown method name raises ValueError"""
    expect_all_raise(learner, func, [(bad,) for bad in BAD_METHODS])


# -- task 2: status codes ----------------------------------------------------------------
@pytest.mark.task(2)
def test_classify_common_codes(learner):
    """classify_status names the class of 200, 201, 204, 301, 304, 400, 401, 403, 404, 429, 5xx"""
    codes = [200, 201, 204, 301, 304, 400, 401, 403, 404, 429, 500, 502, 503]
    expect_table(
        learner, "classify_status", [(c,) for c in codes], [CLASS_OF[c // 100] for c in codes]
    )


@pytest.mark.task(2)
def test_classify_range_edges(learner):
    """the first and last code of every class (100, 199, 200, 299, ..., 500, 599)"""
    codes = [100, 199, 200, 299, 300, 399, 400, 499, 500, 599, 101, 418, 451, 511]
    expect_table(
        learner,
        "classify_status",
        [(c,) for c in codes],
        [CLASS_OF[c // 100] for c in codes],
        note="the class is the first digit: 4xx means 400 to 499, 5xx 500 to 599",
    )


@pytest.mark.task(2)
def test_classify_rejects_non_codes(learner):
    """codes outside 100-599 raise ValueError"""
    expect_all_raise(
        learner,
        "classify_status",
        [(bad,) for bad in BAD_CODES],
        note="HTTP status codes are 100 to 599",
    )


@pytest.mark.task(2)
def test_not_logged_in_is_401(learner):
    """access_status: a request without valid credentials gets 401"""
    learner.call("access_status", False, False).expect(
        401, note="401 Unauthorized means: we do not know who you are; log in first"
    )
    learner.call("access_status", False, True).expect(
        401, note="without credentials the server cannot know who asks: log in first (401)"
    )


@pytest.mark.task(2)
def test_logged_in_but_not_allowed_is_403(learner):
    """access_status: a known user who may not do this gets 403"""
    learner.call("access_status", True, False).expect(
        403, note="403 Forbidden: we know who you are, and you may not do this"
    )


@pytest.mark.task(2)
def test_logged_in_and_allowed_is_200(learner):
    """access_status: a known user who may do this gets 200"""
    learner.call("access_status", True, True).expect(200)


# -- task 3: retries -------------------------------------------------------------------
@pytest.mark.task(3)
def test_429_is_retryable_for_every_method(learner):
    """429 Too Many Requests may be retried for every method, POST included"""
    expect_table(
        learner,
        "is_retryable",
        [(429, m) for m in IDEMPOTENT],
        [True] * 7,
        note="429 means the server refused without acting: wait, then try again",
    )


@pytest.mark.task(3)
@pytest.mark.parametrize("code", [502, 503, 504])
def test_gateway_errors_retry_only_idempotent_methods(learner, code):
    """502/503/504 are retryable for idempotent methods only"""
    answers = outcomes(learner, "is_retryable", [(code, m) for m in IDEMPOTENT])
    for outcome, (method, idempotent) in zip(answers, IDEMPOTENT.items(), strict=True):
        note = (
            "the method is idempotent: repeating it is harmless"
            if idempotent
            else f"a {method} may already have been carried out; repeating it could do it twice"
        )
        outcome.expect(idempotent, note=note)


@pytest.mark.task(3)
def test_client_errors_are_not_retryable(learner):
    """other 4xx codes are never retryable: the same request fails the same way"""
    cases = [(c, m) for c in (400, 401, 403, 404, 409, 422) for m in ("GET", "PUT", "POST")]
    expect_table(
        learner,
        "is_retryable",
        cases,
        [False] * len(cases),
        note="fix the request instead of repeating it",
    )


@pytest.mark.task(3)
def test_successes_and_500_are_not_retryable(learner):
    """2xx, 3xx, 500 and 501 are not retryable"""
    cases = [(c, m) for c in (200, 201, 204, 301, 304, 500, 501) for m in ("GET", "DELETE", "POST")]
    expect_table(learner, "is_retryable", cases, [False] * len(cases))


@pytest.mark.task(3)
def test_retry_table(learner):
    """the full table: every code and every method, any letter case"""
    cases = [(c, name) for c in CODES for m in IDEMPOTENT for name in (m, m.lower())]
    expect_table(learner, "is_retryable", cases, [expected_retry(c, m) for c, m in cases])


@pytest.mark.task(3)
def test_retry_rejects_bad_input(learner):
    """an unknown method or a code outside 100-599 raises ValueError"""
    expect_all_raise(
        learner, "is_retryable", [(503, "FETCH"), (200, "BREW"), (600, "GET"), (42, "POST")]
    )


# -- task 4: dig -----------------------------------------------------------------------------
@pytest.mark.task(4)
def test_dig_a_record_with_tabs(learner):
    """an A record with tab-separated fields"""
    learner.call("parse_dig_line", "example.com.\t\t300\tIN\tA\t93.184.216.34").expect(
        ("example.com.", 300, "A", "93.184.216.34")
    )


@pytest.mark.task(4)
def test_dig_lines_with_spaces(learner):
    """AAAA and CNAME records separated by runs of spaces, with a trailing newline"""
    learner.call(
        "parse_dig_line", "taskforge.dev.   60   IN   AAAA   2606:4700::6810:85e5\n"
    ).expect(("taskforge.dev.", 60, "AAAA", "2606:4700::6810:85e5"))
    learner.call("parse_dig_line", "  www.taskforge.dev. 86400 IN CNAME taskforge.dev.  ").expect(
        ("www.taskforge.dev.", 86400, "CNAME", "taskforge.dev.")
    )


@pytest.mark.task(4)
def test_dig_ttl_is_an_int(learner):
    """the TTL comes back as an int (a zero TTL too)"""
    outcome = learner.call("parse_dig_line", "api.test.\t0\tIN\tA\t10.0.0.7")
    outcome.expect(("api.test.", 0, "A", "10.0.0.7"), note="the TTL is a number of seconds")


@pytest.mark.task(4)
@pytest.mark.parametrize(
    "line",
    [
        pytest.param(";; ANSWER SECTION:", id="section_comment"),
        pytest.param(";example.com.\t\t\tIN\tA", id="question_line"),
        pytest.param("", id="empty"),
        pytest.param("   \n", id="blank"),
        pytest.param("example.com. 300 IN A", id="four_fields"),
        pytest.param("example.com. ten IN A 93.184.216.34", id="ttl_not_a_number"),
        pytest.param("example.com. 300 IN A 93.184.216.34 extra", id="six_fields"),
    ],
)
def test_dig_non_answer_lines_raise(learner, line):
    """lines that are not answer records raise ValueError"""
    learner.call("parse_dig_line", line).expect_raises(
        ValueError, note="only 5-field answer lines with a whole-number TTL are records"
    )


# -- generated inputs, judged against the stub's own rules ------------------------------
def retry_rule(code, method):
    """is_retryable as the stub states it, for any int code and method name."""
    name = method.upper()
    if name not in IDEMPOTENT or not 100 <= code <= 599:
        raise ValueError("unknown method or code")
    return expected_retry(code, name)


def dig_line_rule(line):
    """parse_dig_line as the stub states it (TTL: ASCII digits, the only whole numbers made)."""
    text = line.strip()
    if not text or text.startswith(";"):
        raise ValueError("not an answer")
    fields = text.split()
    if len(fields) != 5 or not (fields[1].isascii() and fields[1].isdigit()):
        raise ValueError("not an answer")
    name, ttl, _class, record_type, data = fields
    return (name, int(ttl), record_type, data)


METHOD_NAMES = st.one_of(
    st.sampled_from(list(IDEMPOTENT)).flatmap(
        lambda m: st.sampled_from([m, m.lower(), m.capitalize()])
    ),
    st.sampled_from(BAD_METHODS + ["BREW", "get "]),
)
GAP = st.text(alphabet=" \t", min_size=1, max_size=3)
EDGE = st.sampled_from(["", " ", "\t", "  \n", "\n"])
DIG_FIELDS = [
    st.sampled_from(["example.com.", "www.Example.com.", "localhost", "a-b.test."]),
    st.one_of(st.integers(0, 10**7).map(str), st.sampled_from(["ten", "3.5", "5s", "1e3"])),
    st.sampled_from(["IN", "CH"]),
    st.sampled_from(["A", "AAAA", "CNAME", "MX", "txt"]),
    st.sampled_from(["93.184.216.34", "::1", "example.com.", "mail.example.com", "v=spf1"]),
]


@st.composite
def dig_lines(draw, fields=DIG_FIELDS):
    """Answer lines with any spacing, and near misses: a field short or over, a comment."""
    values = [draw(field) for field in fields]
    shape = draw(st.sampled_from(["answer"] * 5 + ["short", "long", "comment"]))
    if shape == "short":
        del values[draw(st.integers(0, len(values) - 1))]
    elif shape == "long":
        values.append(draw(fields[0]))
    line = values[0]
    for value in values[1:]:
        line += draw(GAP) + value
    if shape == "comment":
        line = ";" + draw(st.sampled_from(["", " ", ";"])) + line
    return draw(EDGE) + line + draw(EDGE)


@pytest.mark.task(3)
def test_retry_rule_for_generated_inputs(learner):
    """is_retryable agrees with the stated rule for generated codes and method names"""
    agree(
        learner,
        "is_retryable",
        retry_rule,
        st.tuples(st.integers(0, 700), METHOD_NAMES),
        max_examples=80,
    )


@pytest.mark.task(4)
def test_dig_lines_for_generated_inputs(learner):
    """parse_dig_line agrees with the stated rules for generated lines and near misses"""
    agree(learner, "parse_dig_line", dig_line_rule, st.tuples(dig_lines()), max_examples=80)


@pytest.mark.task(2)
@pytest.mark.parametrize(
    "code",
    [
        pytest.param(200.0, id="float"),
        pytest.param("200", id="text"),
        pytest.param(True, id="bool"),
        pytest.param(None, id="none"),
    ],
)
def test_codes_that_are_not_ints_raise(learner, code):
    """a status code that is not an int (a float, text, a bool) raises ValueError"""
    note = "status codes are ints from 100 to 599; anything else raises ValueError"
    learner.call("classify_status", code).expect_raises(ValueError, note=note)
    learner.call("is_retryable", code, "GET").expect_raises(ValueError, note=note)
