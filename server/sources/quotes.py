"""Sentences of a source article with their offsets, and the Turtle of its quotes.

Offsets are Unicode code point offsets into the article's full text (Python string
indices), end exclusive, as the Web Annotation TextPositionSelector wants them.
The first line of the file is the title (sentence 0); the body's sentences are 1..N.

    python -m server.sources.quotes [ARTICLE.txt] [--phrase s05-kosovo-is-turkey "Kosovo is Turkey, Turkey is Kosovo"]

prints, for graph/source.ttl, one tsk:Quote per sentence (tskr:quote-s00 ... sNN) and one
per --phrase (tskr:quote-<id>; the phrase must occur exactly once in the article).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from ..project import DEFAULT_ROOT

DEFAULT_ARTICLE = DEFAULT_ROOT.parent / "shared" / "sources" / "turkey-drone-sales-to-kosovo.txt"

# A sentence ends at . ? or ! (optionally followed by closing quotes) before white space.
# The article's few abbreviations ("UN", "KFOR") carry no full stop, so no exception list is needed.
_SENTENCE_END = re.compile(r"[.?!][\u201d\u2019\"')]*(?=\s)|[.?!][\u201d\u2019\"')]*$")


@dataclass(frozen=True)
class Sentence:
    number: int   # 0 = the title line
    start: int    # code point offset, inclusive
    end: int      # code point offset, exclusive
    text: str


def sentences(text: str) -> list[Sentence]:
    """The title line (number 0) and every sentence of the body, with their offsets."""
    found: list[Sentence] = []
    title_end = text.find("\n")
    if title_end < 0:
        title_end = len(text)
    found.append(Sentence(0, 0, title_end, text[:title_end]))

    for paragraph in re.finditer(r"[^\n]+", text[title_end:]):
        start = title_end + paragraph.start()
        end = title_end + paragraph.end()
        position = start
        for match in _SENTENCE_END.finditer(text, start, end):
            found.append(_trimmed(text, position, match.end(), len(found)))
            position = match.end()
        if text[position:end].strip():  # a last sentence without a full stop
            found.append(_trimmed(text, position, end, len(found)))
    return found


def _trimmed(text: str, start: int, end: int, number: int) -> Sentence:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Sentence(number, start, end, text[start:end])


def locate(text: str, phrase: str) -> tuple[int, int]:
    """(start, end) of `phrase` in `text`; ValueError unless it occurs exactly once."""
    start = text.find(phrase)
    if start < 0:
        raise ValueError(f"phrase not found in the article: {phrase!r}")
    if text.find(phrase, start + 1) >= 0:
        raise ValueError(f"phrase occurs more than once in the article: {phrase!r}")
    return start, start + len(phrase)


def sentence_at(text: str, offset: int) -> Sentence:
    """The sentence containing code point `offset`."""
    for sentence in sentences(text):
        if sentence.start <= offset < sentence.end:
            return sentence
    raise ValueError(f"offset {offset} is not inside a sentence")


def turtle_string(value: str) -> str:
    """A short Turtle string literal ("...") for `value`."""
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def turtle_long_string(value: str) -> str:
    """A long Turtle string literal (\"\"\"...\"\"\") that keeps the line breaks of `value` as they are."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r")
    return f'"""{escaped}"""'


def quote_turtle(
    local_name: str, number: int, start: int, end: int, exact: str, label: str, article: str = "tskr:article"
) -> str:
    return (
        f"tskr:{local_name} a tsk:Quote, oa:SpecificResource ;\n"
        f"    rdfs:label {turtle_string(label)}@en ;\n"
        f"    oa:hasSource {article} ;\n"
        f"    tsk:sentenceNumber {number} ;\n"
        f"    oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact {turtle_string(exact)} ] ,\n"
        f'        [ a oa:TextPositionSelector ; oa:start "{start}"^^xsd:nonNegativeInteger ;'
        f' oa:end "{end}"^^xsd:nonNegativeInteger ] .\n'
    )


PREFIXES = """@prefix tsk: <https://w3id.org/tskg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix tskr: <https://w3id.org/tskg/id/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def quotes_turtle(text: str, phrases: list[tuple[str, str]] = ()) -> str:
    """Turtle for one quote per sentence and one per (id, phrase)."""
    parts = [PREFIXES]
    for s in sentences(text):
        label = "Title of the article" if s.number == 0 else f"Sentence {s.number} of the article"
        parts.append(quote_turtle(f"quote-s{s.number:02d}", s.number, s.start, s.end, s.text, label))
    for ident, phrase in phrases:
        start, end = locate(text, phrase)
        number = sentence_at(text, start).number
        label = f"Words \u201c{phrase}\u201d in sentence {number} of the article"
        parts.append(quote_turtle(f"quote-{ident}", number, start, end, phrase, label))
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.sources.quotes", description=__doc__.split("\n\n")[0])
    parser.add_argument("article", nargs="?", default=str(DEFAULT_ARTICLE), help="the article as UTF-8 text")
    parser.add_argument(
        "--phrase", nargs=2, action="append", default=[], metavar=("ID", "TEXT"),
        help="also a quote tskr:quote-ID of TEXT (part of a sentence)",
    )
    args = parser.parse_args(argv)
    try:
        text = Path(args.article).read_text(encoding="utf-8")
        sys.stdout.write(quotes_turtle(text, [tuple(p) for p in args.phrase]))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        print(f"python -m server.sources.quotes: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
