"""Job lists (CSV, JSON Lines) and directory plans: what becomes a job, and what is refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from msp_docs._messages import render_reason
from msp_docs.batch import (
    Job,
    JobListError,
    clean_output,
    jobs_from_directory,
    parse_job_list,
    plan_directory,
    read_job_list,
)
from msp_docs.batch._jobs import UnsafeOutput
from msp_docs.errors import CannotReadInput


def csv_jobs(text: str, base: str = "base") -> list[Job]:
    return parse_job_list(text.splitlines(True), format="csv", source="j.csv", base=base)


def jsonl_jobs(text: str, base: str = "base") -> list[Job]:
    return parse_job_list(text.splitlines(True), format="jsonl", source="j.jsonl", base=base)


# --- CSV ----------------------------------------------------------------------------------------
def test_csv_rows_become_jobs_with_inputs_in_column_order() -> None:
    jobs = csv_jobs(
        "output,title,input2,input1,input3\n"
        "dossier-1,Justificatifs,b.png,a.jpg,\n"
        'sub/d2.pdf,,"with, comma.pdf",/abs/x.gif,c.gif\n'
        "\n"
    )
    assert jobs == [
        Job("dossier-1.pdf", (os.path.join("base", "a.jpg"), os.path.join("base", "b.png")),
            "Justificatifs"),
        Job("sub/d2.pdf", ("/abs/x.gif", os.path.join("base", "with, comma.pdf"),
                           os.path.join("base", "c.gif"))),
    ]  # fmt: skip


def test_csv_single_input_column_and_bom(tmp_path: Path) -> None:
    listing = tmp_path / "jobs.csv"
    listing.write_bytes("\ufeffOutput,Input\nx.pdf,scan.png\n".encode())
    assert read_job_list(listing) == [Job("x.pdf", (str(tmp_path / "scan.png"),))]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("input1,title\na.jpg,t\n", 1, "no 'output' column"),
        ("output,input1,colour\na,b,c\n", 1, "unknown column 'colour'"),
        ("output,input,input0\na,b,c\n", 1, "same number"),
        ("output,input1\na.pdf,x.jpg\nb.pdf,\n", 3, "no input"),
        ("output,input1\na.pdf,x.jpg,extra\n", 2, "3 cells"),
        ("output,input1\na.pdf,x.jpg\nA/../b.pdf,y.jpg\n", 3, "inside the output directory"),
        ("output,input1\n/etc/a.pdf,x.jpg\n", 2, "relative"),
        ("output,input1\na.pdf,x.jpg\nb.pdf,y.jpg\na,z.jpg\n", 4, "already the output of line 2"),
        ('output,input1\n"a.pdf,x.jpg\n', 2, "not valid CSV"),
    ],
)
def test_csv_errors_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(JobListError) as caught:
        csv_jobs(text)
    assert caught.value.line == line
    assert words in caught.value.message()
    assert str(caught.value).startswith(f"j.csv:{line}: ")


# --- JSON Lines ---------------------------------------------------------------------------------
def test_jsonl_lines_become_jobs() -> None:
    jobs = jsonl_jobs(
        '{"output": "a", "inputs": ["x.jpg", "y.pdf"], "title": "Titre é"}\n'
        "\n"
        '{"output": "b/c.PDF", "input": "z.png"}\n'
    )
    assert jobs == [
        Job("a.pdf", (os.path.join("base", "x.jpg"), os.path.join("base", "y.pdf")), "Titre é"),
        Job("b/c.PDF", (os.path.join("base", "z.png"),)),
    ]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[1, 2]", "JSON object"),
        ("{not json", "not valid JSON"),
        ('{"output": "a", "inputs": []}', "no input"),
        ('{"output": "a", "inputs": "x.jpg"}', "list of file paths"),
        ('{"output": "a", "inputs": ["x"], "input": "y"}', "not both"),
        ('{"output": 3, "inputs": ["x"]}', "'output' must be a string"),
        ('{"output": "a", "inputs": ["x"], "title": 5}', "'title' must be a string"),
        ('{"output": "a", "inputs": ["x"], "tittle": "t"}', "unknown key"),
    ],
)
def test_jsonl_errors_name_the_line(text: str, words: str) -> None:
    with pytest.raises(JobListError) as caught:
        jsonl_jobs('{"output": "ok", "inputs": ["ok.jpg"]}\n' + text + "\n")
    assert caught.value.line == 2
    assert words in caught.value.message()


def test_the_format_comes_from_the_name_or_is_given(tmp_path: Path) -> None:
    listing = tmp_path / "jobs.txt"
    listing.write_text('{"output": "a", "inputs": ["x.jpg"]}\n')
    with pytest.raises(JobListError, match="format"):
        read_job_list(listing)
    assert read_job_list(listing, format="jsonl", base="/data") == [Job("a.pdf", ("/data/x.jpg",))]


def test_an_unreadable_job_list_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(CannotReadInput):
        read_job_list(tmp_path / "missing.csv")
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(b"output,input\n\xe9t\xe9.pdf,a.jpg\n")
    with pytest.raises(JobListError, match="UTF-8"):
        read_job_list(bad)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("a", "a.pdf"), (" x/y.pdf ", "x/y.pdf"), ("r.Pdf", "r.Pdf"), ("n.jpg", "n.jpg.pdf")],
)
def test_clean_output(raw: str, clean: str) -> None:
    assert clean_output(raw) == clean


@pytest.mark.parametrize("raw", ["", "  ", "../a.pdf", "a/./b", "a//b", "/a", "a\\b", "a\nb"])
def test_unsafe_outputs_are_refused(raw: str) -> None:
    with pytest.raises(ValueError) as caught:
        clean_output(raw)
    assert isinstance(caught.value, UnsafeOutput)
    assert "output name" in render_reason(caught.value.reason, caught.value.value)


# --- directories --------------------------------------------------------------------------------
def test_plan_replaces_the_extension_and_keeps_the_tree() -> None:
    assert plan_directory(["a.jpg", "s/b.png", "s/t/c", ".hidden", "d.tar.gz", "e.pdf"]) == [
        ("a.jpg", "a.pdf"),
        ("s/b.png", "s/b.pdf"),
        ("s/t/c", "s/t/c.pdf"),
        (".hidden", ".hidden.pdf"),
        ("d.tar.gz", "d.tar.pdf"),
        ("e.pdf", "e.pdf"),
    ]


def test_plan_gives_clashing_files_their_whole_name_until_nothing_clashes() -> None:
    plan = dict(
        plan_directory(
            ["a.jpg", "a.png", "a.jpg.png", "b.PDF", "b.jpg", "s/a.jpg", "C.gif", "c.png"]
        )
    )
    assert plan == {
        "a.jpg": "a.jpg.pdf",
        "a.png": "a.png.pdf",
        "a.jpg.png": "a.jpg.png.pdf",  # would clash with a.jpg's second choice
        "b.PDF": "b.PDF.pdf",
        "b.jpg": "b.jpg.pdf",
        "s/a.jpg": "s/a.pdf",  # another directory: no clash
        "C.gif": "C.gif.pdf",  # clashes only on a case-insensitive disk: still avoided
        "c.png": "c.png.pdf",
    }
    assert len({o.casefold() for o in plan.values()}) == len(plan)


def test_directory_jobs_cover_every_entry_sorted(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "b" / "deep").mkdir(parents=True)
    (root / "a.jpg").write_bytes(b"x")
    (root / ".DS_Store").write_bytes(b"x")
    (root / "b" / "deep" / "z.png").write_bytes(b"x")
    (root / "b" / "y.gif").write_bytes(b"x")
    (root / "empty-dir").mkdir()
    os.mkfifo(root / "pipe")
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "link.jpg").symlink_to(root / "a.jpg")
    jobs = jobs_from_directory(root)
    assert [(j.output, j.inputs) for j in jobs] == [
        (".DS_Store.pdf", (str(root / ".DS_Store"),)),
        ("a.pdf", (str(root / "a.jpg"),)),
        ("b/deep/z.pdf", (str(root / "b" / "deep" / "z.png"),)),
        ("b/y.pdf", (str(root / "b" / "y.gif"),)),
        ("link.pdf", (str(root / "link.jpg"),)),
        ("loop.pdf", (str(root / "loop"),)),  # not followed: it fails as a job, visibly
        ("pipe.pdf", (str(root / "pipe"),)),
    ]


def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(JobListError, match="not a directory"):
        jobs_from_directory(tmp_path / "nope")
