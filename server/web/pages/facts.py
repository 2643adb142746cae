"""The read model of a resource page's first part: the facts about a thing, as a person reads them.

A fact is a node of the asserted data that points at the thing (a tenure's holder, a statement's speaker,
an agreement's party, an event's actor, a claim's subject …); on a state's page also the tenures of the
offices of that state. Facts are grouped by their class into sections, in this order: offices (tsk:Tenure),
memberships, statements (retractions included), stances, agreements, events, economic stakes, the author's
claims, then whatever else points at the thing ("Also connected"); on a quote's page, the facts that cite
it. Within a section, facts go in time order: a date at the precision the data gives (xsd:gYear 2016 is
"2016", xsd:gYearMonth "October 2024", xsd:gMonthDay "8 October", year not given, after every dated fact),
else the start, attested date or period of a tenure or stance, then undated facts in the order of the
article's sentences.

Each fact carries its role (the property that points at the thing: "speaker", "target", "stance holder"),
the labels of its kind (event type, stance position, agreement status, claim kind, membership role), what it
retracts or what retracts it, whether a date was read from context (tsk:hasInference), and its sentences:
one citation per sentence number, with the sentence's text (the longest quote of that number) and, where
the fact cites a phrase of it, that phrase marked.

`summary` gives the thing's own readable properties (a date, an actor, a place…) for the "In short" list,
and `lead_text` its description. Everything comes from the engine (one query for the facts, and per-app tables
of quotes, inferences, retractions, period starts and superclasses), so remote mode shows the same.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ...namespaces import COMPUTED_GRAPHS, GRAPH_ASSERTED, ONTOLOGY, PREFIXES
from ..engine import get_engine, memo
from .present import BIG, EVIDENCE, HEADER_PROPERTIES, OA, RDF_TYPE, XSD, label_of, local_href, natural, view

TSK = ONTOLOGY
TIME = PREFIXES["time"]

# (section id, title, the class a fact of it has); a fact goes in the first section whose class it has.
SECTIONS = (
    ("offices", "Offices", TSK + "Tenure"),
    ("memberships", "Memberships", TSK + "Membership"),
    ("statements", "Statements", TSK + "Statement"),
    ("stances", "Stances", TSK + "Stance"),
    ("agreements", "Agreements", TSK + "Agreement"),
    ("events", "Events", TSK + "Event"),
    ("stakes", "Economic stakes", TSK + "EconomicStake"),
    ("claims", "The author's claims", TSK + "Claim"),
)
CONNECTED = ("connected", "Also connected")
CITED_BY = ("cited-by", "Facts resting on this quote")

# The values that say what kind of fact it is, shown as tags.
KIND_PROPERTIES = (TSK + "eventType", TSK + "position", TSK + "status", TSK + "claimKind", TSK + "role",
                   TSK + "field", TSK + "sector")
DATE_PROPERTIES = (TSK + "date", TSK + "startDate", TSK + "endDate", TSK + "attestedDate")
# Prose about the thing: the page's lead paragraph, not a row of the "In short" list.
TEXT_PROPERTIES = (TSK + "description", TSK + "summary", PREFIXES["rdfs"] + "comment",
                   PREFIXES["skos"] + "definition", PREFIXES["skos"] + "scopeNote")
# The "In short" list reads: when, what kind, who, to whom, where; then the rest by label.
SUMMARY_ORDER = DATE_PROPERTIES + (TSK + "during",) + KIND_PROPERTIES + tuple(TSK + n for n in (
    "office", "officeOf", "holder", "member", "organisation", "speaker", "actor", "seller", "buyer", "recipient",
    "participant", "party", "stanceHolder", "stanceOn", "stakeholder", "hostState", "target", "about", "item",
    "quotedText", "place", "nationality"))
NOT_IN_SUMMARY = HEADER_PROPERTIES | set(TEXT_PROPERTIES) | {EVIDENCE, TSK + "hasInference", OA + "hasSelector"}

# (Each branch joins the fact's own triples itself: a UNION joined afterwards is a hundred times slower in
# pyoxigraph on a large graph.)
FACTS = f"""
SELECT ?s ?fact ?role ?p ?o WHERE {{
  {{ GRAPH <{GRAPH_ASSERTED}> {{ ?fact ?role ?s . ?fact ?p ?o }} FILTER(isIRI(?fact) && ?fact != ?s) }}
  UNION
  {{ GRAPH <{GRAPH_ASSERTED}> {{ ?office <{TSK}officeOf> ?s . ?fact <{TSK}office> ?office . ?fact ?p ?o }} }}
}}"""

SUPERCLASSES = f"SELECT ?class ?super WHERE {{ ?class <{PREFIXES['rdfs']}subClassOf> ?super }}"

QUOTES = f"""
SELECT ?quote ?n ?exact ?start ?end WHERE {{
  ?quote <{TSK}sentenceNumber> ?n .
  OPTIONAL {{ ?quote <{OA}hasSelector> ?a . ?a <{OA}exact> ?exact }}
  OPTIONAL {{ ?quote <{OA}hasSelector> ?b . ?b <{OA}start> ?start ; <{OA}end> ?end }}
}}"""

INFERENCES = f"""
SELECT ?inference ?property ?reason WHERE {{
  ?inference <{TSK}inferredProperty> ?property .
  OPTIONAL {{ ?inference <{TSK}reason> ?reason }}
}}"""

RETRACTIONS = f"SELECT ?retraction ?statement WHERE {{ ?retraction <{TSK}retracts> ?statement }}"

PERIOD_STARTS = f"""
SELECT ?period ?year WHERE {{ ?period <{TIME}hasBeginning>/<{TIME}inXSDgYear> ?year }}"""


# --- dates at their precision -----------------------------------------------------------------------------


def show_date(term) -> str:
    """A date literal as a person writes it, at the precision it has."""
    value, datatype = term.value, term.datatype.value
    dt = datatype[len(XSD):] if datatype.startswith(XSD) else ""
    m = re.fullmatch(r"(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?(?:T.*)?", value)
    if dt in ("gYear", "gYearMonth", "date", "dateTime") and m:
        year, month, day = str(int(m.group(1))), m.group(2), m.group(3)
        parts = [str(int(day))] if day else []
        parts += [calendar.month_name[int(month)]] if month and 1 <= int(month) <= 12 else []
        return " ".join(parts + [year])
    m = re.fullmatch(r"--(\d{2})-(\d{2})", value)
    if dt == "gMonthDay" and m and 1 <= int(m.group(1)) <= 12:
        return f"{int(m.group(2))} {calendar.month_name[int(m.group(1))]}"
    return value


def date_key(term) -> tuple:
    """Sort key: dated (year, month, day) first, then month-day dates without a year, then nothing."""
    if term is None:
        return (2,)
    m = re.fullmatch(r"(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?", term.value[:10] if "T" in term.value else term.value)
    if m:
        return (0, int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0))
    m = re.fullmatch(r"--(\d{2})-(\d{2})", term.value)
    if m:
        return (1, 0, int(m.group(1)), int(m.group(2)))
    return (2,)


# --- per-app tables -----------------------------------------------------------------------------------------


@dataclass
class QuoteText:
    iri: str
    number: int | None
    exact: str | None
    start: int | None
    end: int | None


def quote_table() -> dict:
    """{"quotes": quote IRI → QuoteText, "sentences": sentence number → the quote of the whole sentence
    (the longest quote with that number)}."""

    def compute():
        quotes: dict[str, QuoteText] = {}
        for r in get_engine().select(QUOTES, max_rows=BIG):
            q = quotes.setdefault(r["quote"].value, QuoteText(r["quote"].value, _int(r.get("n")), None, None, None))
            if "exact" in r:
                q.exact = r["exact"].value
            if "start" in r:
                q.start, q.end = _int(r["start"]), _int(r["end"])
        sentences: dict[int, QuoteText] = {}
        for q in quotes.values():
            best = sentences.get(q.number)
            if q.number is not None and q.exact and (best is None or len(q.exact) > len(best.exact or "")):
                sentences[q.number] = q
        return {"quotes": quotes, "sentences": sentences}

    return memo("facts:quotes", compute)


def inference_table() -> dict[str, tuple[str, str | None]]:
    """Inference IRI → (the property whose value it infers, its reason)."""

    def compute():
        return {r["inference"].value: (r["property"].value, r["reason"].value if "reason" in r else None)
                for r in get_engine().select(INFERENCES, max_rows=BIG)}

    return memo("facts:inferences", compute)


def superclasses() -> dict[str, set[str]]:
    """Class IRI → its superclasses (the OWL RL closure holds every rdfs:subClassOf step), itself included."""

    def compute():
        out: dict[str, set[str]] = defaultdict(set)
        for r in get_engine().select(SUPERCLASSES, max_rows=BIG):
            out[r["class"].value].add(r["super"].value)
        return dict(out)

    return memo("facts:superclasses", compute)


def retraction_table() -> dict[str, list[str]]:
    """Statement IRI → the retractions that retract it."""

    def compute():
        out: dict[str, list[str]] = defaultdict(list)
        for r in get_engine().select(RETRACTIONS, max_rows=BIG):
            out[r["statement"].value].append(r["retraction"].value)
        return dict(out)

    return memo("facts:retractions", compute)


def period_starts() -> dict[str, int]:
    """Period (time:ProperInterval) IRI → the year it begins, where the data gives one."""

    def compute():
        out = {}
        for r in get_engine().select(PERIOD_STARTS, max_rows=BIG):
            year = _int(r["year"])
            if year is not None:
                out[r["period"].value] = year
        return out

    return memo("facts:period_starts", compute)


def _int(term) -> int | None:
    try:
        return int(term.value) if term is not None else None
    except ValueError:
        return None


# --- citations ----------------------------------------------------------------------------------------------


@dataclass
class Cite:
    number: int | None
    href: str | None
    parts: list[tuple[str, bool]]  # the sentence's text in pieces; True: a phrase the fact cites


def cites(quote_iris: list[str]) -> list[Cite]:
    """One citation per sentence of `quote_iris`, in sentence order, with the phrases cited marked."""
    table = quote_table()
    by_number: dict[int | None, list[QuoteText]] = defaultdict(list)
    for iri in quote_iris:
        q = table["quotes"].get(iri) or QuoteText(iri, None, None, None, None)
        by_number[q.number].append(q)
    out = []
    for number in sorted(by_number, key=lambda n: (n is None, n or 0)):
        quoted = by_number[number]
        sentence = table["sentences"].get(number) if number is not None else None
        if sentence is None:
            for q in quoted:
                out.append(Cite(q.number, local_href(q.iri), [(q.exact or "(no text recorded)", False)]))
            continue
        phrases = sorted(
            (q.start - sentence.start, q.end - sentence.start) for q in quoted
            if q.iri != sentence.iri and None not in (q.start, q.end, sentence.start)
            and sentence.start <= q.start < q.end <= sentence.end
        )
        text, parts, at = sentence.exact, [], 0
        for start, end in phrases:
            if start >= at:
                parts += [(text[at:start], False), (text[start:end], True)]
                at = end
        parts.append((text[at:], False))
        out.append(Cite(number, local_href(sentence.iri), [p for p in parts if p[0]]))
    return out


# --- facts --------------------------------------------------------------------------------------------------


@dataclass
class Fact:
    iri: str
    href: str | None
    label: str
    roles: list[str]                        # how it points at the thing ("speaker", "target")
    kinds: list[str]                        # labels of its event type, position, status, …
    when: str | None = None
    when_note: str | None = None            # "attested", "year not given", …
    inferred_date: str | None = None        # the reason, when a date was read from context
    notes: list[tuple[str, dict]] = field(default_factory=list)  # ("retracted by", view of the retraction)
    cites: list[Cite] = field(default_factory=list)
    sort: tuple = ()


@dataclass
class Section:
    id: str
    title: str
    facts: list[Fact]


def _when(values: dict[str, list], periods: dict[str, int]) -> tuple[str | None, str | None, tuple]:
    """What to show as the fact's time, a note on it, and its sort key."""

    def first(p):
        found = [o for o in values.get(p, []) if isinstance(o, ox.Literal)]
        return min(found, key=date_key) if found else None

    date, start, end, attested = (first(TSK + n) for n in ("date", "startDate", "endDate", "attestedDate"))
    note = None
    if date is not None:
        shown, key = show_date(date), date_key(date)
    elif start is not None or end is not None:
        shown = (f"{show_date(start)} – {show_date(end)}" if start is not None and end is not None
                 else f"from {show_date(start)}" if start is not None else f"until {show_date(end)}")
        key = date_key(start if start is not None else end)
    elif attested is not None:
        shown, key, note = show_date(attested), date_key(attested), "attested then"
    else:
        during = [o.value for o in values.get(TSK + "during", []) if isinstance(o, ox.NamedNode)]
        if not during:
            return None, None, (2,)
        shown = label_of(during[0])
        key = (0, periods[during[0]], 0, 0) if during[0] in periods else (2,)
    if key[0] == 1:
        note = "year not given"
    return shown, note, key


def facts_model(iri: str) -> list[Section]:
    """The sections of facts about `iri`, each in time order (module docstring); empty ones left out."""
    node = ox.NamedNode(iri)
    engine = get_engine()
    own: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    roles: dict[str, set[str]] = defaultdict(set)
    for r in engine.select(FACTS, bindings={"s": node}, max_rows=BIG):
        fact = r["fact"].value
        if "role" in r:
            roles[fact].add(r["role"].value)
        if r["o"] not in own[fact][r["p"].value]:
            own[fact][r["p"].value].append(r["o"])
    inferences, retractions, periods, supers = inference_table(), retraction_table(), period_starts(), superclasses()
    quotes = quote_table()["quotes"]
    sections: dict[tuple[str, str], list[Fact]] = defaultdict(list)
    for fact_iri, values in own.items():
        if fact_iri in quotes:
            continue  # a quote of a source pointing at it (oa:hasSource): the text, not a fact about it
        fact_roles = roles.get(fact_iri, set())
        if fact_roles == {EVIDENCE}:
            where = CITED_BY
        else:
            classes = {c for t in values.get(RDF_TYPE, []) for c in supers.get(t.value, set()) | {t.value}}
            where = next(((sid, title) for sid, title, cls in SECTIONS if cls in classes), CONNECTED)
        shown, note, key = _when(values, periods)
        inferred_date = next(
            (reason or "read from context" for inf in values.get(TSK + "hasInference", [])
             for prop, reason in [inferences.get(inf.value, ("", None))] if prop in DATE_PROPERTIES),
            None,
        )
        evidence = [o.value for o in values.get(EVIDENCE, []) if isinstance(o, ox.NamedNode)]
        fact = Fact(
            iri=fact_iri,
            href=local_href(fact_iri),
            label=label_of(fact_iri),
            roles=sorted(label_of(p) for p in fact_roles - {EVIDENCE}) if where != CITED_BY else [],
            kinds=[label_of(o.value) for p in KIND_PROPERTIES for o in values.get(p, []) if isinstance(o, ox.NamedNode)],
            when=shown, when_note=note, inferred_date=inferred_date, cites=cites(evidence),
        )
        if values.get(TSK + "alleged") and values[TSK + "alleged"][0].value in ("true", "1"):
            fact.kinds.append("alleged")
        fact.notes += [("retracts", view(o)) for o in values.get(TSK + "retracts", []) if isinstance(o, ox.NamedNode)]
        fact.notes += [("retracted by", view(ox.NamedNode(r))) for r in retractions.get(fact_iri, [])]
        first_sentence = min((c.number for c in fact.cites if c.number is not None), default=10**6)
        fact.sort = (key, first_sentence, natural(fact.label))
        sections[where].append(fact)

    order = [(sid, title) for sid, title, _ in SECTIONS] + [CONNECTED, CITED_BY]
    return [Section(sid, title, sorted(sections[(sid, title)], key=lambda f: f.sort))
            for sid, title in order if sections.get((sid, title))]


# --- the thing's own properties -------------------------------------------------------------------------------


def lead_text(own_rows: list[tuple]) -> list[str]:
    """The thing's descriptions (tsk:description, tsk:summary, rdfs:comment, skos:definition, …), English
    or untagged, asserted."""
    return [o.value for p, o, g in own_rows
            if p.value in TEXT_PROPERTIES and g not in COMPUTED_GRAPHS and isinstance(o, ox.Literal)
            and (o.language or "en").startswith("en")]


def summary(own_rows: list[tuple], names: dict[str, str]) -> list[dict]:
    """The thing's asserted properties a reader wants first, by property label, values as the page shows
    terms; dates at their precision ("when" on the value)."""
    grouped: dict[str, list] = defaultdict(list)
    for p, o, g in own_rows:
        if g in COMPUTED_GRAPHS or p.value in NOT_IN_SUMMARY or isinstance(o, ox.BlankNode) or p.value == RDF_TYPE:
            continue
        if o not in grouped[p.value]:
            grouped[p.value].append(o)
    rows = []
    rank = {p: i for i, p in enumerate(SUMMARY_ORDER)}
    for p in sorted(grouped, key=lambda iri: (rank.get(iri, len(rank)), label_of(iri).lower())):
        values = []
        for o in sorted(grouped[p], key=lambda t: (label_of(t.value) if isinstance(t, ox.NamedNode) else t.value).lower()):
            v = view(o, names)
            if isinstance(o, ox.Literal) and p in DATE_PROPERTIES:
                v["when"] = show_date(o)
            values.append(v)
        rows.append({"predicate": view(ox.NamedNode(p), names), "objects": values})
    return rows
