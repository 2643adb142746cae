"""The read model behind the network, timeline and relations views: the SPARQL they run and the Python that
shapes the answers (no routes; server.web.pages.network, .timeline and .relations serve them).

Everything is read once per app (the data cannot change while it runs) through the engine, from the
union of the graphs: the asserted facts, what OWL RL inferred (buyers and sellers are participants,
office holders hold offices) and what the build derived (server/build/derived/: who a fact involves,
its sides, its time sort key, an event's Goldstein score). Each fact carries the numbers of the
sentences of the article that support it; the texts are sent once, in `sentences`.

Time. A date keeps the article's precision: an xsd:gYear is the whole year, an xsd:gYearMonth the
month, an xsd:date the day. A month and day without a year (xsd:gMonthDay), and the article's own week
(tskr:period-this-week), go to a lane of their own, "the week of the article": the article gives no
year for them. A period (tsk:during) spans the years its OWL-Time beginning and end give; with a
beginning only, the first year is drawn and the end is left open. A date that a tsk:Inference says was
read from context is marked inferred, with the inference's reason and sentences.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import pyoxigraph as ox

from ...namespaces import DATA, GRAPH_ASSERTED, ONTOLOGY, PREFIXES
from ..engine import get_engine, memo
from .present import BIG, label_of, local_href

TSK = ONTOLOGY
XSD = PREFIXES["xsd"]
ARTICLE_WEEK = DATA + "period-this-week"  # "this week": the week the article was written (no date in the text)
DATE_PROPERTIES = (TSK + "date", TSK + "startDate", TSK + "attestedDate")  # in the order a fact's time is read

# The kinds of fact, most specific class first (a retraction is also a statement and an event).
FACT_KINDS = (
    ("Retraction", "retraction"), ("Statement", "statement"), ("Event", "event"), ("Agreement", "agreement"),
    ("CooperationBody", "cooperation body"), ("Tenure", "office"), ("Membership", "membership"),
    ("Stance", "stance"), ("EconomicStake", "economic stake"), ("Claim", "the author's judgement"),
)
# The kinds of actor the views tell apart, by the class that decides it (most specific first).
ACTOR_KINDS = (
    ("State", "state"), ("Person", "person"), ("PoliticalParty", "party"), ("Company", "company"),
    ("Organisation", "organisation"), ("Group", "group"),
)
ACTOR_KIND_ORDER = [kind for _, kind in ACTOR_KINDS]
PAIRS_OFFERED_FIRST = (("turkey", "serbia"), ("turkey", "kosovo"), ("serbia", "kosovo"))

# --- the queries ---------------------------------------------------------------------------------------

ACTORS = """
SELECT ?agent ?class ?asserted WHERE {
  ?agent a tsk:Agent ; a ?class .
  FILTER(STRSTARTS(STR(?class), STR(tsk:)))
  OPTIONAL { GRAPH <%s> { ?agent a ?asserted } }
}""" % GRAPH_ASSERTED

QUOTES = """
SELECT ?quote ?n ?exact WHERE {
  ?quote a tsk:Quote ; tsk:sentenceNumber ?n ; oa:hasSelector ?selector .
  ?selector oa:exact ?exact .
}"""

FACTS = """
SELECT ?fact ?class ?key WHERE {
  VALUES ?class { tsk:Event tsk:Statement tsk:Retraction tsk:Agreement tsk:CooperationBody tsk:Tenure
                  tsk:Membership tsk:Stance tsk:EconomicStake tsk:Claim }
  ?fact a ?class .
  OPTIONAL { ?fact tsk:sortKey ?key }
}"""

EVIDENCE = "SELECT ?fact ?quote WHERE { ?fact tsk:evidence ?quote }"

DATES = """
SELECT ?fact ?property ?date WHERE {
  VALUES ?property { tsk:date tsk:startDate tsk:endDate tsk:attestedDate }
  ?fact ?property ?date .
}"""

PERIODS = """
SELECT ?fact ?period ?from ?to WHERE {
  ?fact tsk:during ?period .
  OPTIONAL { ?period time:hasBeginning/time:inXSDgYear ?from }
  OPTIONAL { ?period time:hasEnd/time:inXSDgYear ?to }
}"""

INFERENCES = """
SELECT ?node ?property ?reason ?quote WHERE {
  ?node tsk:hasInference ?inference .
  ?inference tsk:inferredProperty ?property .
  OPTIONAL { ?inference tsk:reason ?reason }
  OPTIONAL { ?inference tsk:evidence ?quote }
}"""

# Derived at build time (server/build/derived/).
INVOLVES = "SELECT ?fact ?agent WHERE { ?fact tsk:involves ?agent }"
SIDES = "SELECT ?fact ?state WHERE { ?fact tsk:side ?state }"
SCORES = """
SELECT ?event ?score ?by ?code WHERE {
  ?event tsk:goldsteinScore ?score ; tsk:goldsteinScoredBy ?by .
  OPTIONAL { ?by skos:notation ?code }
}"""

EVENT_TYPES = """
SELECT ?event ?type ?code WHERE {
  ?event tsk:eventType ?type .
  OPTIONAL { ?type skos:notation ?code }
}"""

# Who takes part in a fact in person (not through the event it is about): the ends of its links.
DIRECT = """
SELECT ?fact ?agent ?property WHERE {
  VALUES ?property { tsk:actor tsk:participant tsk:target tsk:about tsk:speaker tsk:place tsk:buyer tsk:seller
                     tsk:recipient tsk:party tsk:stanceHolder tsk:stanceOn tsk:holder tsk:member tsk:organisation
                     tsk:stakeholder tsk:hostState }
  ?fact ?property ?agent .
  ?agent a tsk:Agent .
}"""

OFFICES = """
SELECT ?tenure ?office ?of WHERE { ?tenure a tsk:Tenure ; tsk:office ?office . ?office tsk:officeOf ?of }"""

CAUSES = "SELECT ?cause ?effect WHERE { ?effect tsk:causedBy ?cause }"

# Ties between actors that are properties of the actors themselves (no fact node of their own).
AFFILIATIONS = """
SELECT ?from ?property ?to WHERE {
  VALUES ?property { tsk:nationality tsk:country tsk:partOf tsk:foundedBy tsk:ownedBy }
  GRAPH <%s> { ?from ?property ?to }
  ?from a tsk:Agent . ?to a tsk:Agent .
}""" % GRAPH_ASSERTED

AFFILIATION_WORDS = {
    TSK + "nationality": "nationality", TSK + "country": "country", TSK + "partOf": "part of",
    TSK + "foundedBy": "founded by", TSK + "ownedBy": "owned by",
}


def select(query: str) -> list[dict]:
    return get_engine().select(query, max_rows=BIG)


# --- the model -----------------------------------------------------------------------------------------


@dataclass
class Actor:
    iri: str
    name: str           # local name, as in /page/NAME and ?a=NAME
    label: str
    kind: str           # one of ACTOR_KIND_ORDER
    type_label: str     # the asserted class as a reader names it ("military mission")
    href: str | None

    def as_json(self) -> dict:
        return {"id": self.iri, "name": self.name, "label": self.label, "kind": self.kind, "type": self.type_label,
                "href": self.href}


@dataclass
class Inferred:
    """A value of a fact that a tsk:Inference says was read from context."""
    property: str
    reason: str
    sentences: list[int]


@dataclass
class Time:
    """When a fact was, as the views draw it (see the module docstring)."""
    lane: str                     # "main" (a year is known) or "week" (the week of the article)
    text: str                     # as a reader says it: "2013", "8 October (no year given)", "after 2014"
    precision: str                # gYear, gYearMonth, date, gMonthDay, period, week
    start: str | None = None      # ISO date, main lane
    end: str | None = None        # ISO date, exclusive
    month_day: str | None = None  # "10-08", week lane
    open_end: bool = False        # a period whose end the article does not give
    first_year: int | None = None
    last_year: int | None = None
    inferred: Inferred | None = None

    def as_json(self) -> dict:
        out = {k: v for k, v in vars(self).items() if v is not None and k != "inferred"}
        out["inferred"] = self.inferred is not None
        if self.inferred:
            out["reason"] = self.inferred.reason
            out["reason_sentences"] = self.inferred.sentences
        return out


@dataclass
class Fact:
    iri: str
    label: str
    kind: str
    key: str = "~~"
    quotes: list[tuple[int, str]] = field(default_factory=list)     # (sentence number, exact words)
    dates: dict[str, list[ox.Literal]] = field(default_factory=dict)
    periods: list[tuple[str, int | None, int | None]] = field(default_factory=list)  # (IRI, first, last year)
    involves: set[str] = field(default_factory=set)
    sides: set[str] = field(default_factory=set)
    direct: dict[str, set[str]] = field(default_factory=dict)      # agent -> the properties that link it
    inferred: list[Inferred] = field(default_factory=list)
    event_type: str | None = None
    code: str | None = None
    score: float | None = None
    scored_by: str | None = None
    scored_code: str | None = None
    causes: set[str] = field(default_factory=set)

    @property
    def href(self) -> str | None:
        return local_href(self.iri)

    @property
    def sentence_numbers(self) -> list[int]:
        return sorted({n for n, _ in self.quotes})

    @property
    def first_sentence(self) -> int:
        return min((n for n, _ in self.quotes), default=10**6)

    def marks(self, texts: dict[int, str]) -> list[str]:
        """The quoted words that are only part of their sentence (highlighted in it)."""
        return sorted({exact for n, exact in self.quotes if exact != texts.get(n)})

    def in_role(self, prop: str) -> list[str]:
        """The agents linked to the fact by tsk:`prop` (tsk:office: the state or organisation of the office)."""
        return sorted(a for a, props in self.direct.items() if TSK + prop in props)

    def everyone(self) -> set[str]:
        return self.involves | self.sides

    def inferred_for(self, properties) -> Inferred | None:
        return next((i for i in self.inferred if i.property in properties), None)

    @property
    def time(self) -> Time | None:
        return fact_time(self)

    def order(self) -> tuple:
        return (self.key, self.first_sentence, self.label)

    def as_json(self, texts: dict[int, str]) -> dict:
        out = {"id": self.iri, "label": self.label, "kind": self.kind, "href": self.href, "key": self.key,
               "sentences": self.sentence_numbers, "marks": self.marks(texts)}
        when = self.time
        out["time"] = when.as_json() if when else None
        out["type"] = label_of(self.event_type) if self.event_type else None
        out["code"] = self.code
        out["score"] = self.score
        out["scored_by"] = label_of(self.scored_by) if self.scored_by else None
        out["scored_code"] = self.scored_code
        return out


def local_name(iri: str) -> str:
    return iri[len(DATA):] if iri.startswith(DATA) else iri


def sentence_texts() -> dict[int, str]:
    """Sentence number -> the sentence's text (the longest quote of that sentence: the whole sentence)."""

    def compute():
        texts: dict[int, str] = {}
        for row in select(QUOTES):
            n, exact = int(row["n"].value), row["exact"].value
            if len(exact) > len(texts.get(n, "")):
                texts[n] = exact
        return texts

    return memo("links.sentences", compute)


def actors() -> dict[str, Actor]:
    """Every agent of the graph (states, people, parties, organisations, companies, groups), by IRI."""

    def compute():
        classes: dict[str, set[str]] = defaultdict(set)
        asserted: dict[str, set[str]] = defaultdict(set)
        for row in select(ACTORS):
            iri = row["agent"].value
            classes[iri].add(row["class"].value[len(TSK):])
            if "asserted" in row and row["asserted"].value.startswith(TSK):
                asserted[iri].add(row["asserted"].value)
        out = {}
        for iri, names in classes.items():
            if not iri.startswith(DATA):
                continue
            kind = next((k for cls, k in ACTOR_KINDS if cls in names), "organisation")
            shown = sorted(asserted[iri]) or [TSK + "Agent"]
            out[iri] = Actor(iri=iri, name=local_name(iri), label=label_of(iri), kind=kind,
                             type_label=", ".join(label_of(c) for c in shown), href=local_href(iri))
        return dict(sorted(out.items(), key=lambda kv: (ACTOR_KIND_ORDER.index(kv[1].kind), kv[1].label.lower())))

    return memo("links.actors", compute)


def actor_named(name: str) -> Actor | None:
    return actors().get(DATA + name)


def facts() -> dict[str, Fact]:
    """Every event, statement, agreement, cooperation body, tenure, membership, stance, economic stake
    and claim, with what the views show of it."""

    def compute():
        kinds = dict(FACT_KINDS)
        found: dict[str, set[str]] = defaultdict(set)
        keys: dict[str, str] = {}
        for row in select(FACTS):
            iri = row["fact"].value
            found[iri].add(row["class"].value[len(TSK):])
            if "key" in row:
                keys[iri] = row["key"].value
        out = {}
        for iri, names in found.items():
            kind = next(kinds[cls] for cls, _ in FACT_KINDS if cls in names)
            out[iri] = Fact(iri=iri, label=label_of(iri), kind=kind, key=keys.get(iri, "~~"))
        quotes = {}
        for row in select(QUOTES):
            quotes[row["quote"].value] = (int(row["n"].value), row["exact"].value)
        for row in select(EVIDENCE):
            fact = out.get(row["fact"].value)
            if fact and row["quote"].value in quotes:
                fact.quotes.append(quotes[row["quote"].value])
        for row in select(DATES):
            fact = out.get(row["fact"].value)
            if fact:
                fact.dates.setdefault(row["property"].value, []).append(row["date"])
        for row in select(PERIODS):
            fact = out.get(row["fact"].value)
            if fact:
                first = int(row["from"].value) if "from" in row else None
                last = int(row["to"].value) if "to" in row else None
                fact.periods.append((row["period"].value, first, last))
        by_inference: dict[tuple[str, str], Inferred] = {}
        for row in select(INFERENCES):
            fact = out.get(row["node"].value)
            if not fact:
                continue
            key = (fact.iri, row["property"].value)
            if key not in by_inference:
                by_inference[key] = Inferred(row["property"].value, row["reason"].value if "reason" in row else "", [])
                fact.inferred.append(by_inference[key])
            if "quote" in row and row["quote"].value in quotes:
                n = quotes[row["quote"].value][0]
                if n not in by_inference[key].sentences:
                    by_inference[key].sentences.append(n)
        for row in select(INVOLVES):
            if row["fact"].value in out:
                out[row["fact"].value].involves.add(row["agent"].value)
        for row in select(SIDES):
            if row["fact"].value in out:
                out[row["fact"].value].sides.add(row["state"].value)
        for row in select(DIRECT):
            if row["fact"].value in out:
                out[row["fact"].value].direct.setdefault(row["agent"].value, set()).add(row["property"].value)
        for row in select(OFFICES):
            if row["tenure"].value in out:
                out[row["tenure"].value].direct.setdefault(row["of"].value, set()).add(TSK + "office")
        for row in select(EVENT_TYPES):
            fact = out.get(row["event"].value)
            if fact:
                fact.event_type = row["type"].value
                fact.code = row["code"].value if "code" in row else None
        for row in select(SCORES):
            fact = out.get(row["event"].value)
            if fact:
                fact.score = float(row["score"].value)
                fact.scored_by = row["by"].value
                fact.scored_code = row["code"].value if "code" in row else None
        for row in select(CAUSES):
            if row["effect"].value in out and row["cause"].value in out:
                out[row["effect"].value].causes.add(row["cause"].value)
        for fact in out.values():
            fact.quotes.sort()
            for inference in fact.inferred:
                inference.sentences.sort()
        return dict(sorted(out.items(), key=lambda kv: kv[1].order()))

    return memo("links.facts", compute)


# --- time ----------------------------------------------------------------------------------------------

MONTHS = list(calendar.month_name)


def date_time(literal: ox.Literal) -> Time | None:
    """A tsk:date (startDate, attestedDate) at the precision it is written in; None for another datatype."""
    kind = literal.datatype.value[len(XSD):] if literal.datatype.value.startswith(XSD) else ""
    text = literal.value
    try:
        if kind == "gYear":
            year = int(text[:4])
            return Time("main", str(year), kind, f"{year:04d}-01-01", f"{year + 1:04d}-01-01",
                        first_year=year, last_year=year)
        if kind == "gYearMonth":
            year, month = int(text[:4]), int(text[5:7])
            after = (year + 1, 1) if month == 12 else (year, month + 1)
            return Time("main", f"{MONTHS[month]} {year}", kind, f"{year:04d}-{month:02d}-01",
                        f"{after[0]:04d}-{after[1]:02d}-01", first_year=year, last_year=year)
        if kind == "date":
            day = date.fromisoformat(text[:10])
            return Time("main", f"{day.day} {MONTHS[day.month]} {day.year}", kind, day.isoformat(),
                        (day + timedelta(days=1)).isoformat(), first_year=day.year, last_year=day.year)
        if kind == "gMonthDay":
            month, day = int(text[2:4]), int(text[5:7])
            return Time("week", f"{day} {MONTHS[month]} (no year given)", kind, month_day=f"{month:02d}-{day:02d}")
    except (ValueError, IndexError):
        return None
    return None


def fact_time(fact: Fact) -> Time | None:
    """When a fact was: its date, else its start (to its end), else the date it is attested at, else its
    period; None when the article gives no time for it."""
    for prop in DATE_PROPERTIES:
        for literal in fact.dates.get(prop, []):
            when = date_time(literal)
            if when is None:
                continue
            if prop == TSK + "startDate":
                end = next((date_time(e) for e in fact.dates.get(TSK + "endDate", [])), None)
                if end and end.lane == "main" and when.lane == "main":
                    when = Time("main", f"{when.text} to {end.text}", when.precision, when.start, end.end,
                                first_year=when.first_year, last_year=end.last_year)
                elif when.lane == "main":
                    when.text, when.open_end = f"from {when.text}", True
            elif prop == TSK + "attestedDate":
                when.text = f"held in {when.text} (start and end not given)"
            when.inferred = fact.inferred_for({prop})
            return when
    for period, first, last in fact.periods:
        if period == ARTICLE_WEEK:
            return Time("week", label_of(period), "week")
        if first is not None:
            end = last if last is not None else first
            return Time("main", label_of(period), "period", f"{first:04d}-01-01", f"{end + 1:04d}-01-01",
                        open_end=last is None, first_year=first, last_year=end,
                        inferred=fact.inferred_for({TSK + "during"}))
    return None


# --- the views -----------------------------------------------------------------------------------------

EDGE_KINDS = (
    ("office", "Office held"), ("membership", "Membership"), ("agreement", "Agreement party"),
    ("stance", "Stance"), ("event", "Shared event"), ("statement", "Statement"),
    ("stake", "Economic stake"), ("affiliation", "Nationality, country, part of"),
)
# Links between the agents in two roles of a fact (local names of the tsk: properties), with their words.
ROLE_PAIRS = {"office": ("holder", "office", "holds an office of"), "membership": ("member", "organisation", "member of"),
              "stake": ("stakeholder", "hostState", "economic stake in")}
FACT_EDGE_KIND = {"office": "office", "membership": "membership", "agreement": "agreement",
                  "cooperation body": "agreement", "stance": "stance", "event": "event", "statement": "statement",
                  "retraction": "statement", "economic stake": "stake"}


def network() -> dict:
    """The actors and what links them, for /network.json."""
    return memo("links.network", build_network)


def build_network() -> dict:
    people = actors()
    texts = sentence_texts()
    edges: list[dict] = []
    years: set[int] = set()

    def add(source, target, kind, fact: Fact | None, label, detail="", sentences=None, inferred=None):
        if source == target or source not in people or target not in people:
            return
        if fact and inferred is None:
            # Read from context when the value that ties one of the two ends to the fact was.
            ends = fact.direct.get(source, set()) | fact.direct.get(target, set())
            inferred = next((i for i in fact.inferred if i.property in ends), None)
        when = fact.time if fact else None
        edge = {"id": f"e{len(edges)}", "source": source, "target": target, "kind": kind, "label": label,
                "detail": detail, "fact": fact.iri if fact else None, "href": fact.href if fact else None,
                "sentences": sentences if sentences is not None else (fact.sentence_numbers if fact else []),
                "marks": fact.marks(texts) if fact else [], "time": when.as_json() if when else None}
        reason = inferred or (when.inferred if when else None)
        if reason:
            edge["inferred"] = True
            edge["reason"] = reason.reason
            edge["reason_sentences"] = reason.sentences
        if when and when.first_year is not None:
            years.update(range(when.first_year, (when.last_year or when.first_year) + 1))
        edges.append(edge)

    for fact in facts().values():
        kind = FACT_EDGE_KIND.get(fact.kind)
        if kind is None:
            continue
        direct = [a for a in fact.direct if a in people]
        if kind in ROLE_PAIRS:
            # From the agent in the first role to the agent in the second: holder to office's state, ...
            first, second, words = ROLE_PAIRS[kind]
            for a in fact.in_role(first):
                for b in fact.in_role(second):
                    add(a, b, kind, fact, fact.label, words)
        elif kind == "agreement":
            parties = fact.in_role("party")
            if fact.kind == "cooperation body":
                for p in parties:
                    add(p, fact.iri, kind, fact, fact.label, "party to")
            else:
                for i, p in enumerate(parties):
                    for q in parties[i + 1:]:
                        add(p, q, kind, fact, fact.label, "parties to")
        elif kind == "stance":
            holders = fact.in_role("stanceHolder")
            for h in holders:
                for other in sorted(fact.involves - set(holders)):
                    add(h, other, kind, fact, fact.label, "takes a stance on")
        else:
            # Events and statements: every pair of agents that take part in person, and each of them with
            # the agents of the event it acts on or is about (not those agents with one another).
            others = sorted(fact.involves - set(direct))
            direct.sort()
            for i, a in enumerate(direct):
                for b in direct[i + 1:]:
                    add(a, b, kind, fact, fact.label, "both in")
                for b in others:
                    add(a, b, kind, fact, fact.label, "through what it is about")

    evidence = actor_evidence()
    inferences = actor_inferences()
    for row in select(AFFILIATIONS):
        source, prop, target = row["from"].value, row["property"].value, row["to"].value
        why = inferences.get((source, prop))
        sentences = why.sentences if why else evidence.get(source, [])
        add(source, target, "affiliation", None, f"{label_of(source)}: {AFFILIATION_WORDS[prop]} {label_of(target)}",
            AFFILIATION_WORDS[prop], sentences=sentences, inferred=why)

    used = {n for e in edges for n in e["sentences"] + e.get("reason_sentences", [])}
    return {
        "actors": [a.as_json() for a in people.values()],
        "links": edges,
        "kinds": [{"id": k, "label": v} for k, v in EDGE_KINDS if any(e["kind"] == k for e in edges)],
        "actor_kinds": [k for k in ACTOR_KIND_ORDER if any(a.kind == k for a in people.values())],
        "years": sorted(years),
        "sentences": {str(n): texts[n] for n in sorted(used) if n in texts},
    }


def actor_evidence() -> dict[str, list[int]]:
    """Agent -> the numbers of the sentences that introduce it (its own tsk:evidence)."""
    quotes = {row["quote"].value: int(row["n"].value) for row in select(QUOTES)}
    out: dict[str, set[int]] = defaultdict(set)
    for row in select("SELECT ?fact ?quote WHERE { ?fact a tsk:Agent ; tsk:evidence ?quote }"):
        if row["quote"].value in quotes:
            out[row["fact"].value].add(quotes[row["quote"].value])
    return {k: sorted(v) for k, v in out.items()}


def actor_inferences() -> dict[tuple[str, str], Inferred]:
    quotes = {row["quote"].value: int(row["n"].value) for row in select(QUOTES)}
    out: dict[tuple[str, str], Inferred] = {}
    for row in select(INFERENCES):
        key = (row["node"].value, row["property"].value)
        item = out.setdefault(key, Inferred(key[1], row["reason"].value if "reason" in row else "", []))
        n = quotes.get(row["quote"].value) if "quote" in row else None
        if n is not None and n not in item.sentences:
            item.sentences.append(n)
    return out


TIMELINE_KINDS = ("event", "statement", "retraction", "agreement", "office", "membership", "stance", "economic stake")
LANES = (("event", "Events"), ("statement", "Statements"), ("agreement", "Agreements"), ("office", "Offices held"),
         ("membership", "Memberships"), ("stance", "Stances"), ("economic stake", "Economic stakes"))


def timeline() -> dict:
    """Every fact the article dates, for /timeline.json."""
    return memo("links.timeline", build_timeline)


def build_timeline() -> dict:
    texts = sentence_texts()
    people = actors()
    items = []
    for fact in facts().values():
        if fact.kind not in TIMELINE_KINDS or fact.time is None:
            continue
        item = fact.as_json(texts)
        item["lane"] = "statement" if fact.kind == "retraction" else fact.kind
        item["actors"] = sorted(a for a in fact.everyone() if a in people)
        items.append(item)
    used = {n for i in items for n in i["sentences"] + (i["time"].get("reason_sentences") or [])}
    involved = {a for i in items for a in i["actors"]}
    years = sorted({y for i in items if i["time"]["lane"] == "main" for y in (i["time"]["first_year"], i["time"]["last_year"])})
    return {
        "items": items,
        "years": [years[0], years[-1]] if years else [],
        "lanes": [{"id": k, "label": v} for k, v in LANES if any(i["lane"] == k for i in items)],
        "actors": [a.as_json() for a in people.values() if a.iri in involved],
        "sentences": {str(n): texts[n] for n in sorted(used) if n in texts},
    }


def relations(a: Actor, b: Actor) -> dict:
    """Everything that connects two actors, in time order, and the Goldstein scores of the events among
    it: a fact connects them when both are among the agents and sides it involves; the events the article
    gives as causes of those facts come with them (role "cause")."""
    texts = sentence_texts()
    every = facts()
    connecting = [f for f in every.values() if {a.iri, b.iri} <= f.everyone()]
    chosen = {f.iri for f in connecting}
    causes = {c for f in connecting for c in f.causes if c not in chosen}
    items = []
    for fact in sorted(connecting + [every[c] for c in causes], key=Fact.order):
        item = fact.as_json(texts)
        item["role"] = "cause" if fact.iri in causes else "relations"
        if item["role"] == "cause":
            item["cause_of"] = sorted(every[e].label for e in chosen if fact.iri in every[e].causes)
        items.append(item)
    used = {n for i in items for n in i["sentences"] + ((i["time"] or {}).get("reason_sentences") or [])}
    return {
        "a": a.as_json(), "b": b.as_json(),
        "items": items,
        "sentences": {str(n): texts[n] for n in sorted(used) if n in texts},
    }


def offered_pairs() -> list[tuple[Actor, Actor]]:
    """The pairs the relations view offers first (those the graph has), then nothing else: any two may be picked."""
    out = []
    for x, y in PAIRS_OFFERED_FIRST:
        a, b = actor_named(x), actor_named(y)
        if a and b:
            out.append((a, b))
    return out
