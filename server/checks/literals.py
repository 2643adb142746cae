"""Well-formed literals: is a typed literal's lexical form in the lexical space of its XSD datatype?

RDF 1.1 calls a literal whose lexical form is not in its datatype's lexical space ill-typed, and SHACL's
sh:datatype fails on one; neither rdflib nor pySHACL notices for every datatype ("20x3"^^xsd:gYear
passes both, see the README), and Oxigraph's store would quietly normalise or keep it. So every literal
typed with an XSD datatype is checked here, against the lexical spaces of XML Schema 1.1 Part 2
(section 3.3 for the primitive types, 3.4 for the built-in derived ones), and an IRI in the XSD namespace
that is no datatype RDF may use (a typo such as xsd:gyear, or xsd:QName) is reported too.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from typing import Callable, Iterable

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"

_TZ = r"(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))?"
_YEAR = r"-?(?:[1-9]\d{3,}|0\d{3})"
_MONTH = r"(?:0[1-9]|1[0-2])"
_DAY = r"(?:0[1-9]|[12]\d|3[01])"
_TIME = r"(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?|24:00:00(?:\.0+)?)"
_DECIMAL = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_DURATION_TIME = r"T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?"
# XML 1.0 names, in the ASCII and Latin ranges that cover real use; other letters are accepted as is.
_NAME_START = r"A-Za-z_:\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF"
_NAME_CHAR = _NAME_START + r"\-.0-9\u00B7\u0300-\u036F\u203F-\u2040"


@dataclass(frozen=True)
class Datatype:
    pattern: str                       # the lexical space, as a regular expression
    example: str                       # a well-formed lexical form, for the message
    check: Callable[[str], bool] | None = None  # what the pattern cannot say (ranges, days of a month)


def _within(low: int | None, high: int | None) -> Callable[[str], bool]:
    return lambda text: (low is None or int(text) >= low) and (high is None or int(text) <= high)


def _day_fits(text: str) -> bool:
    """The day exists in that month (and year: 29 February only in a leap year; XSD 1.1 year 0 is one)."""
    match = re.match(r"(-?\d+)-(\d\d)-(\d\d)", text)
    if match:
        year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
        leap = calendar.isleap(year) if year != 0 else True
        return day <= (29 if month == 2 and leap else calendar.monthrange(2001, month)[1])
    match = re.match(r"--(\d\d)-(\d\d)", text)
    if match:
        month, day = int(match.group(1)), int(match.group(2))
        return day <= (29 if month == 2 else calendar.monthrange(2001, month)[1])
    return True


def _token(text: str) -> bool:
    return not (text.startswith(" ") or text.endswith(" ") or "  " in text)


_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=|[A-Za-z0-9+/][AQgw]==)?")


def _base64(text: str) -> bool:
    """XSD's base64Binary: groups of four characters, single spaces allowed between them."""
    return bool(_BASE64.fullmatch(text.replace(" ", ""))) and "  " not in text and not text.startswith(" ")


_INTEGER = r"[+-]?\d+"
DATATYPES: dict[str, Datatype] = {
    "string": Datatype(r"(?s).*", "text"),
    "normalizedString": Datatype(r"[^\r\n\t]*", "text without line breaks or tabs"),
    "token": Datatype(r"[^\r\n\t]*", "words separated by single spaces", _token),
    "language": Datatype(r"[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*", "en-GB"),
    "Name": Datatype(f"[{_NAME_START}][{_NAME_CHAR}]*", "a-name"),
    "NCName": Datatype(f"[{_NAME_START.replace(':', '')}][{_NAME_CHAR.replace(':', '')}]*", "a-name"),
    "NMTOKEN": Datatype(f"[{_NAME_CHAR}]+", "a-token"),
    "anyURI": Datatype(r"(?s).*", "https://example.org/"),
    "boolean": Datatype(r"true|false|1|0", "true"),
    "decimal": Datatype(_DECIMAL, "1.5"),
    "integer": Datatype(_INTEGER, "42"),
    "nonPositiveInteger": Datatype(_INTEGER, "0", _within(None, 0)),
    "negativeInteger": Datatype(_INTEGER, "-1", _within(None, -1)),
    "nonNegativeInteger": Datatype(_INTEGER, "0", _within(0, None)),
    "positiveInteger": Datatype(_INTEGER, "1", _within(1, None)),
    "long": Datatype(_INTEGER, "42", _within(-2**63, 2**63 - 1)),
    "int": Datatype(_INTEGER, "42", _within(-2**31, 2**31 - 1)),
    "short": Datatype(_INTEGER, "42", _within(-2**15, 2**15 - 1)),
    "byte": Datatype(_INTEGER, "42", _within(-128, 127)),
    "unsignedLong": Datatype(_INTEGER, "42", _within(0, 2**64 - 1)),
    "unsignedInt": Datatype(_INTEGER, "42", _within(0, 2**32 - 1)),
    "unsignedShort": Datatype(_INTEGER, "42", _within(0, 2**16 - 1)),
    "unsignedByte": Datatype(_INTEGER, "42", _within(0, 255)),
    "double": Datatype(rf"(?:{_DECIMAL}(?:[eE][+-]?\d+)?|[+-]?INF|NaN)", "1.5E3"),
    "float": Datatype(rf"(?:{_DECIMAL}(?:[eE][+-]?\d+)?|[+-]?INF|NaN)", "1.5E3"),
    "date": Datatype(rf"{_YEAR}-{_MONTH}-{_DAY}{_TZ}", "2019-10-08", _day_fits),
    "dateTime": Datatype(rf"{_YEAR}-{_MONTH}-{_DAY}T{_TIME}{_TZ}", "2019-10-08T12:00:00Z", _day_fits),
    "dateTimeStamp": Datatype(rf"{_YEAR}-{_MONTH}-{_DAY}T{_TIME}(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))",
                              "2019-10-08T12:00:00Z", _day_fits),
    "time": Datatype(rf"{_TIME}{_TZ}", "12:00:00"),
    "gYear": Datatype(rf"{_YEAR}{_TZ}", "2019"),
    "gYearMonth": Datatype(rf"{_YEAR}-{_MONTH}{_TZ}", "2019-10"),
    "gMonth": Datatype(rf"--{_MONTH}{_TZ}", "--10"),
    "gMonthDay": Datatype(rf"--{_MONTH}-{_DAY}{_TZ}", "--10-08", _day_fits),
    "gDay": Datatype(rf"---{_DAY}{_TZ}", "---08"),
    "duration": Datatype(rf"-?P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:{_DURATION_TIME})?", "P1Y2M"),
    "yearMonthDuration": Datatype(r"-?P(?:\d+Y(?:\d+M)?|\d+M)", "P1Y2M"),
    "dayTimeDuration": Datatype(rf"-?P(?=\d|T\d)(?:\d+D)?(?:{_DURATION_TIME})?", "P1DT2H"),
    "hexBinary": Datatype(r"(?:[0-9a-fA-F]{2})*", "0FB7"),
    "base64Binary": Datatype(r"[A-Za-z0-9+/= ]*", "aGVsbG8=", _base64),
}
_COMPILED = {name: re.compile(d.pattern) for name, d in DATATYPES.items()}

# XSD datatypes that RDF 1.1 (section 5.1) says are not suitable for use in RDF.
NOT_FOR_RDF = {"QName", "ENTITY", "ID", "IDREF", "NOTATION", "IDREFS", "ENTITIES", "NMTOKENS"}


@dataclass(frozen=True)
class IllTyped:
    triple: ox.Triple
    message: str


def problem(literal: ox.Literal) -> str | None:
    """Why `literal` is ill-typed, or None when it is well-formed (or not typed with an XSD datatype)."""
    datatype = literal.datatype.value
    if not datatype.startswith(XSD):
        return None
    name = datatype[len(XSD):]
    if name in NOT_FOR_RDF:
        return f"xsd:{name} is not a datatype RDF may use (RDF 1.1 Concepts, section 5.1)"
    if name not in DATATYPES:
        return f"xsd:{name} is not an XML Schema datatype (check the spelling, e.g. xsd:gYear, xsd:date)"
    text = literal.value
    spec = DATATYPES[name]
    if _COMPILED[name].fullmatch(text) and (spec.check is None or spec.check(text)):
        return None
    return f'"{_shown(text)}" is not a valid xsd:{name}: write it like "{spec.example}"^^xsd:{name}'


def ill_typed(triples: Iterable[ox.Triple]) -> list[IllTyped]:
    """The triples whose object is an ill-typed literal, each with what is wrong. Each distinct literal
    is checked once."""
    verdicts: dict[ox.Literal, str | None] = {}
    out = []
    for t in triples:
        o = t.object
        if isinstance(o, ox.Literal) and o.language is None:
            if o not in verdicts:
                verdicts[o] = problem(o)
            if verdicts[o] is not None:
                out.append(IllTyped(t, verdicts[o]))
    return out


def _shown(text: str, limit: int = 60) -> str:
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"
