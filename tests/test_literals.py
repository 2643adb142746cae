"""server.checks.literals: the lexical spaces of XML Schema 1.1 Part 2, checked on the forms the specification itself
gives as valid and invalid (examples of sections 3.3 and 3.4), and on the mistakes contributors make."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from server.checks.literals import DATATYPES, ill_typed, problem

X = "http://www.w3.org/2001/XMLSchema#"

VALID = [
    ("2019", "gYear"), ("-0044", "gYear"), ("0000", "gYear"), ("12019", "gYear"), ("2019Z", "gYear"),
    ("2019+14:00", "gYear"), ("2019-10", "gYearMonth"), ("--10-08", "gMonthDay"), ("--02-29", "gMonthDay"),
    ("---08", "gDay"), ("--10", "gMonth"), ("2019-10-08", "date"), ("2020-02-29", "date"), ("2000-02-29", "date"),
    ("2019-10-08T12:00:00", "dateTime"), ("2019-10-08T24:00:00", "dateTime"), ("2019-10-08T12:00:00.5-05:00", "dateTime"),
    ("2019-10-08T12:00:00Z", "dateTimeStamp"), ("12:00:00", "time"),
    ("42", "integer"), ("+42", "integer"), ("-0", "integer"), ("007", "integer"), ("127", "byte"), ("-128", "byte"),
    ("0", "nonNegativeInteger"), ("1", "positiveInteger"), ("255", "unsignedByte"), ("18446744073709551615", "unsignedLong"),
    ("1.5", "decimal"), ("1.", "decimal"), (".5", "decimal"), ("-1.5E3", "double"), ("INF", "double"), ("-INF", "float"),
    ("NaN", "float"), ("1e5", "float"), ("true", "boolean"), ("0", "boolean"),
    ("P1Y2M3DT10H30M", "duration"), ("-P120D", "duration"), ("PT0.5S", "duration"), ("P1Y", "yearMonthDuration"),
    ("P1DT2H", "dayTimeDuration"), ("0FB7", "hexBinary"), ("", "hexBinary"), ("aGVsbG8=", "base64Binary"),
    ("en-GB", "language"), ("a b", "token"), ("anything at all\n", "string"), ("a-name", "NCName"),
]
INVALID = [
    ("20x3", "gYear"), ("99", "gYear"), ("2019-13", "gYearMonth"), ("2019-10-08", "gYear"), ("--02-30", "gMonthDay"),
    ("2019-02-29", "date"), ("1900-02-29", "date"), ("2019-10-8", "date"), ("2019-10-08T24:00:01", "dateTime"),
    ("2019-10-08T12:00:00", "dateTimeStamp"), ("2019+15:00", "gYear"), ("12:60:00", "time"),
    ("abc", "integer"), (" 5", "integer"), ("5.0", "integer"), ("128", "byte"), ("300", "byte"), ("-1", "nonNegativeInteger"),
    ("0", "positiveInteger"), ("256", "unsignedByte"), ("1,5", "decimal"), ("1.5E", "double"), ("inf", "double"),
    ("yes", "boolean"), ("TRUE", "boolean"), ("P", "duration"), ("PT", "duration"), ("P1YT", "duration"),
    ("P1D", "yearMonthDuration"), ("P1Y", "dayTimeDuration"), ("0FB", "hexBinary"), ("aGVsbG8", "base64Binary"),
    ("en_GB", "language"), ("a  b", "token"), (" a", "token"), ("1a", "NCName"),
]


@pytest.mark.parametrize("lexical, name", VALID)
def test_well_formed(lexical, name):
    assert problem(ox.Literal(lexical, datatype=ox.NamedNode(X + name))) is None


@pytest.mark.parametrize("lexical, name", INVALID)
def test_ill_typed(lexical, name):
    message = problem(ox.Literal(lexical, datatype=ox.NamedNode(X + name)))
    assert message is not None and message.startswith(f'"{lexical}" is not a valid xsd:{name}: write it like ')


def test_every_example_in_the_messages_is_well_formed():
    for name, datatype in DATATYPES.items():
        assert problem(ox.Literal(datatype.example, datatype=ox.NamedNode(X + name))) is None, name


def test_unknown_and_unsuitable_xsd_names_are_reported_and_other_datatypes_left_alone():
    assert "not an XML Schema datatype" in problem(ox.Literal("2019", datatype=ox.NamedNode(X + "gyear")))
    assert "not a datatype RDF may use" in problem(ox.Literal("a:b", datatype=ox.NamedNode(X + "QName")))
    assert problem(ox.Literal("x", datatype=ox.NamedNode("https://w3id.org/tskg/ontology#CAMEOCode"))) is None
    assert problem(ox.Literal("x", language="en")) is None


def test_ill_typed_names_each_triple():
    s, p = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p")
    bad = ox.Literal("20x3", datatype=ox.NamedNode(X + "gYear"))
    triples = [ox.Triple(s, p, bad), ox.Triple(p, p, bad), ox.Triple(s, p, ox.Literal("2019", datatype=ox.NamedNode(X + "gYear")))]
    assert [t.triple for t in ill_typed(triples)] == triples[:2]
