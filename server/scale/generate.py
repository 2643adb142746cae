"""Synthetic data shaped like the curated graph, for measuring the tool at scale.

    tskg generate --triples 100k --seed 1 --output /tmp/tskg-100k

writes a project-shaped directory: ontology/ and queries/ copied from this project; graph/ holds the
project's own graph/ files unchanged and, beside them, the generated ones (graph/synthetic-*.ttl).
`server.build.build(Project.locate(DIR))` builds it like the real one. Keeping the curated graph in means
that the saved queries' defaults (Thaci's offices, the Turkey–Serbia timeline, the year 2016, ...) have
answers at every size, as users will ask them.

The world is made of synthetic news articles. Each article has a title and sentences; every fact the
generator writes (a tenure, a membership, an agreement, an event, a statement, a retraction, a stance,
a claim, an economic stake, an inference) gets one sentence of its article, and `tsk:evidence` points at
that sentence's tsk:Quote, whose oa:TextPositionSelector gives its code point offsets in the article's
schema:text (as server.sources.quotes computes them). States, people, parties, companies, cities and offices are
introduced by a sentence of the first article that needs them and reused by later articles; Turkey,
Serbia and Kosovo, their capitals and offices and the people holding them come from the curated graph,
and one article in seven is about one of their three pairs. Events are dated at every precision the
curated graph uses (a full date, a month, a year, a month and day without a year for the week of the
article, or no date but a period); tenures have start and end years, an attested year or a period.
Concepts (event types, positions, statuses, ...) are read from the project's ontology/concepts.ttl.

Everything is drawn from random.Random(seed), so the same seed and size give the same files.
Generation stops after the article that reaches the requested number of triples.
"""

from __future__ import annotations

import datetime
import json
import random
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..namespaces import CONCEPT
from ..project import Project
from ..sources.quotes import sentences as split_sentences
from ..sources.quotes import turtle_long_string, turtle_string

MARKER = "GENERATED.json"  # written into the output directory; only such a directory is overwritten

PREFIXES = """@prefix tsk: <https://w3id.org/tskg/ontology#> .
@prefix tskc: <https://w3id.org/tskg/concept/> .
@prefix tskr: <https://w3id.org/tskg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@prefix time: <http://www.w3.org/2006/time#> .

"""

FILES = ["source", "actors", "places", "offices", "memberships", "agreements", "events", "statements",
         "claims", "economy", "periods"]
GENERATED_PREFIX = "synthetic-"  # graph/synthetic-events.ttl ...; the curated files keep their names
CURATED_PAIRS = [("turkey", "serbia"), ("turkey", "kosovo"), ("serbia", "kosovo")]
PAIR_SHARE = 1 / 7  # articles about one of the curated pairs

SKOS_IN_SCHEME = "http://www.w3.org/2004/02/skos/core#inScheme"
SCHEMES = ["event-types", "stance-positions", "agreement-statuses", "claim-kinds", "sectors", "membership-roles"]

_SYLLABLES = ["ka", "ra", "mi", "lo", "ve", "da", "sa", "ni", "to", "be", "li", "mar", "dra", "zan", "vo", "ke",
              "ti", "na", "go", "ri", "sel", "han", "ar", "do", "ja", "ne", "mo", "la", "bor", "ste"]
_ACCENTS = str.maketrans({"c": "č", "s": "š", "z": "ž", "a": "ă", "e": "ë", "o": "ö"})
_LANGUAGES = ["sr-Latn", "tr", "sq", "bs", "hr", "mk", "el", "bg", "ro", "hu"]
_MAGNITUDES = ["major", "modest", "a significant share", "limited", "growing"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]


def parse_size(text: str) -> int:
    """'10k' → 10000, '1M' → 1000000, '2500' → 2500; ValueError otherwise."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if not match:
        raise ValueError(f"not a size: {text!r} (write e.g. 10000, 10k or 1M)")
    number = float(match.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    if number < 1:
        raise ValueError(f"size must be at least 1: {text!r}")
    return int(number)


@dataclass
class Entity:
    local: str                 # local name in tskr:
    label: str
    kind: str                  # "state", "person", ...
    introduced: bool = False
    extra: dict = field(default_factory=dict)


@dataclass
class GenerateResult:
    directory: Path
    triples: int
    articles: int
    files: dict[str, int]      # graph file name → triples


class _Turtle:
    """One graph/*.ttl file being written, counting its triples."""

    def __init__(self, path: Path, comment: str):
        self.file = path.open("w", encoding="utf-8")
        self.file.write(f"# {comment}\n# Synthetic data written by `tskg generate`; see server/scale/generate.py.\n\n")
        self.file.write(PREFIXES)
        self.triples = 0

    def node(self, subject: str, pairs: list[tuple[str, str]]) -> None:
        """Write `subject` with (predicate, object) pairs; objects are Turtle terms. Consecutive pairs with
        the same predicate share it."""
        lines = []
        previous = None
        for predicate, obj in pairs:
            if predicate == previous:
                lines[-1] += f", {obj}"
            else:
                lines.append(f"    {predicate} {obj}")
            previous = predicate
        self.file.write(f"{subject}\n" + " ;\n".join(lines) + " .\n\n")
        self.triples += len(pairs)

    def raw(self, text: str, triples: int) -> None:
        self.file.write(text)
        self.triples += triples

    def close(self) -> None:
        self.file.close()


def _en(text: str) -> str:
    return turtle_string(text) + "@en"


def _typed(value: str, datatype: str) -> str:
    return f'"{value}"^^xsd:{datatype}'


class _Article:
    """The sentences of one article being written, each with its quote. A sentence carries one to four
    facts (clauses joined by semicolons), about three on average as in the curated graph, where a quote
    is the evidence of several facts."""

    def __init__(self, number: int, title: str, rng: random.Random):
        self.number = number
        self.local = f"article-{number:05d}"
        self.title = title
        self.rng = rng
        self.sentences: list[str] = []
        self.clauses: list[str] = []   # of the sentence being written
        self.room = 0

    def cite(self, clause: str) -> str:
        """Add a clause (ending with a full stop) to the text; the Turtle name of its sentence's quote."""
        assert clause.endswith(".") and not re.search(r"[.?!;]\s", clause), clause
        if len(self.clauses) >= self.room:
            self.close()
            self.room = self.rng.choice([1, 2, 3, 3, 4, 4])
        self.clauses.append(clause[:-1])
        return self.quote(len(self.sentences) + 1)

    def close(self) -> None:
        if self.clauses:
            self.sentences.append("; ".join(self.clauses) + ".")
            self.clauses = []

    def quote(self, number: int) -> str:
        return f"tskr:quote-a{self.number:05d}-s{number:02d}"

    def text(self) -> str:
        self.close()
        return self.title + "\n" + " ".join(self.sentences) + "\n"


class Generator:
    def __init__(self, target: int, seed: int, concepts: dict[str, list[str]], out: dict[str, _Turtle],
                 curated: "Curated | None" = None):
        self.target = target
        self.rng = random.Random(seed)
        self.concepts = concepts
        self.out = out
        self.curated = curated or Curated()
        self.names: set[str] = set(self.curated.labels)
        # Pools sized to the target so that big graphs have many states and people, not only more events.
        self.n_states = max(12, min(400, target // 4000))
        self.states: list[Entity] = list(self.curated.states.values())
        self.people: list[Entity] = list(self.curated.people)
        self.parties: list[Entity] = []
        self.companies: list[Entity] = []
        self.weapons: list[Entity] = []
        self.publishers: list[Entity] = []
        self.periods: dict[int, str] = {}  # decade → the period's local name
        self.statements: list[str] = []
        self.events: list[str] = []
        self.dated: set[str] = set()  # events and statements with a tsk:date (an inference may be about it)
        self.counter = 0

    @property
    def triples(self) -> int:
        return sum(t.triples for t in self.out.values())

    # -- names -----------------------------------------------------------------------------------

    def _word(self, syllables: int) -> str:
        return "".join(self.rng.choice(_SYLLABLES) for _ in range(syllables))

    def _unique(self, label: str) -> tuple[str, str]:
        """A label not used before and its slug."""
        base = label
        n = 2
        while label in self.names:
            label = f"{base} {self._roman(n)}"
            n += 1
        self.names.add(label)
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        return label, slug

    @staticmethod
    def _roman(n: int) -> str:
        out = ""
        for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                               (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
            while n >= value:
                out += letters
                n -= value
        return out

    def _native(self, label: str) -> str:
        return label.translate(_ACCENTS)

    def _year(self) -> int:
        return self.rng.randint(1995, 2025)

    def _date(self) -> tuple[str, str]:
        """(xsd:date literal, the words for it): the article's clock, moved on by a few days, so that
        an event that tsk:follows another is also dated after it."""
        self.clock += datetime.timedelta(days=self.rng.randint(1, 40))
        d = self.clock
        return _typed(d.isoformat(), "date"), f"on {d.day} {_MONTHS[d.month - 1]} {d.year}"

    def _when(self, article: _Article) -> tuple[list[tuple[str, str]], str]:
        """The time of an event at one of the precisions of the curated graph, as (predicate, object)
        pairs and words: mostly a full date, else a month, a year, or no date but a period (the
        decade). Each is read off the article's clock, which only moves on, so the order of the events
        that follow one another holds at every precision."""
        date, words = self._date()
        d = self.clock
        precision = self.rng.random()
        if precision < 0.75:
            return [("tsk:date", date)], words
        if precision < 0.85:
            return [("tsk:date", _typed(f"{d.year}-{d.month:02d}", "gYearMonth"))], f"in {_MONTHS[d.month - 1]} {d.year}"
        if precision < 0.93:
            return [("tsk:date", _typed(str(d.year), "gYear"))], f"in {d.year}"
        decade = d.year - d.year % 10
        return [("tsk:during", f"tskr:{self.period(article, decade)}")], f"in the {decade}s"

    def period(self, article: _Article, decade: int) -> str:
        """The period of a decade (time:ProperInterval with its first and last year), written once."""
        if decade not in self.periods:
            local = f"period-synthetic-{decade}s"
            quote = article.cite(f"Much of this happened in the {decade}s.")
            self.out["periods"].raw(
                f"tskr:{local} a time:ProperInterval ;\n"
                f"    rdfs:label {_en(f'the {decade}s')} ;\n"
                f"    time:hasBeginning [ a time:Instant ; time:inXSDgYear {_typed(str(decade), 'gYear')} ] ;\n"
                f"    time:hasEnd [ a time:Instant ; time:inXSDgYear {_typed(str(decade + 9), 'gYear')} ] ;\n"
                f"    tsk:evidence {quote} .\n\n",
                9,
            )
            self.periods[decade] = local
        return self.periods[decade]

    def _event_type(self, name: str) -> str:
        """tskc:`name` if the ontology has it, else the first event type (so that the data still conforms
        when a concept is renamed)."""
        types = self.concepts["event-types"]
        return "tskc:" + (name if name in types else types[0])

    def _concept(self, scheme: str, avoid: tuple[str, ...] = ()) -> str:
        choices = [c for c in self.concepts[scheme] if c not in avoid]
        return "tskc:" + self.rng.choice(choices)

    # -- entities --------------------------------------------------------------------------------

    def state(self, article: _Article) -> Entity:
        index = self.rng.randrange(self.n_states)
        while index >= len(self.states):
            name = self._word(2).capitalize() + self.rng.choice(["ia", "land", "stan", "ovo", "ar"])
            label, slug = self._unique(name)
            self.states.append(Entity(slug, label, "state"))
        state = self.states[index]
        if not state.introduced:
            self._introduce_state(state, article)
        return state

    def pair(self, article: _Article) -> tuple[Entity, Entity]:
        """The two states an article is about: one of the curated pairs (Turkey–Serbia, ...) in one
        article of seven, else two states drawn from the pool."""
        curated = self.curated.states
        if self.rng.random() < PAIR_SHARE and all(n in curated for pair in CURATED_PAIRS for n in pair):
            names = list(self.rng.choice(CURATED_PAIRS))
            self.rng.shuffle(names)
            return curated[names[0]], curated[names[1]]
        a = self.state(article)
        b = self.state(article)
        while b is a:
            b = self.state(article)
        return a, b

    def _introduce_state(self, state: Entity, article: _Article) -> None:
        state.introduced = True
        quote = article.cite(f"{state.label} is a state in the region.")
        lang = self.rng.choice(_LANGUAGES)
        self.out["actors"].node(f"tskr:{state.local}", [
            ("a", "tsk:State"), ("rdfs:label", _en(state.label)),
            ("skos:altLabel", f"{turtle_string(self._native(state.label))}@{lang}"), ("tsk:evidence", quote),
        ])
        capital_label, capital_slug = self._unique(self._word(2).capitalize() + self.rng.choice(["grad", "polis", "ovo", "a"]))
        quote = article.cite(f"{capital_label} is the capital of {state.label}.")
        self.out["places"].node(f"tskr:{capital_slug}", [
            ("a", "tsk:City"), ("rdfs:label", _en(capital_label)), ("tsk:capitalOf", f"tskr:{state.local}"),
            ("tsk:locatedIn", f"tskr:{state.local}"), ("tsk:evidence", quote),
        ])
        state.extra["capital"] = capital_slug
        state.extra["capital_label"] = capital_label
        state.extra["offices"] = {}
        for title in ("President", "Prime Minister"):
            self._office(article, state, title)

    def _office(self, article: _Article, state: Entity, title: str) -> str:
        """The local name of the state's office called `title`, written when first needed."""
        offices = state.extra["offices"]
        if title not in offices:
            local = f"office-{re.sub(' ', '-', title.lower())}-of-{state.local}"
            quote = article.cite(f"{state.label} has the office of {title}.")
            self.out["offices"].node(f"tskr:{local}", [
                ("a", "tsk:Office"), ("rdfs:label", _en(f"{title} of {state.label}")),
                ("tsk:officeOf", f"tskr:{state.local}"), ("tsk:evidence", quote),
            ])
            offices[title] = local
        return offices[title]

    def person(self, article: _Article, new: bool = False) -> Entity:
        if new or len(self.people) < 4 or self.rng.random() < 0.3:
            first, last = self._word(2).capitalize(), self._word(3).capitalize()
            label, slug = self._unique(f"{first} {last}")
            person = Entity(slug, label, "person")
            self.people.append(person)
            nationality = self.state(article)
            person.extra["state"] = nationality
            quote = article.cite(f"{label} is a politician from {nationality.label}.")
            lang = self.rng.choice(_LANGUAGES)
            self.out["actors"].node(f"tskr:{slug}", [
                ("a", "tsk:Person"), ("rdfs:label", _en(label)),
                ("skos:altLabel", f"{turtle_string(self._native(label))}@{lang}"),
                ("tsk:nationality", f"tskr:{nationality.local}"), ("tsk:evidence", quote),
            ])
            person.introduced = True
            return person
        return self.rng.choice(self.people)

    def _organisation(self, article: _Article, pool: list[Entity], kind: str, cls: str, words: list[str],
                      p_new: float) -> Entity:
        if not pool or self.rng.random() < p_new:
            country = self.state(article)
            label, slug = self._unique(f"{self._word(2).capitalize()} {self.rng.choice(words)}")
            entity = Entity(slug, label, kind, True, {"state": country})
            pool.append(entity)
            noun = {"party": "a political party", "company": "a company", "publisher": "a news organisation"}[kind]
            quote = article.cite(f"{label} is {noun} in {country.label}.")
            pairs = [("a", cls), ("rdfs:label", _en(label))]
            if kind != "publisher":
                pairs.append(("tsk:country", f"tskr:{country.local}"))
            pairs.append(("tsk:evidence", quote))
            self.out["actors"].node(f"tskr:{slug}", pairs)
            return entity
        return self.rng.choice(pool)

    def party(self, article):
        return self._organisation(article, self.parties, "party", "tsk:PoliticalParty",
                                  ["Party", "Movement", "Alliance", "Front", "Union"], 0.15)

    def company(self, article):
        return self._organisation(article, self.companies, "company", "tsk:Company",
                                  ["Holding", "Industries", "Energy", "Bank", "Construction"], 0.2)

    def publisher(self, article):
        return self._organisation(article, self.publishers, "publisher", "tsk:NewsOrganisation",
                                  ["News", "Herald", "Review", "Network"], 0.05)

    def weapon(self, article: _Article) -> Entity:
        if len(self.weapons) < 12 and (not self.weapons or self.rng.random() < 0.3):
            label, slug = self._unique(f"{self._word(2).upper()}-{self.rng.randint(1, 99)} drone")
            weapon = Entity(slug, label, "weapon", True)
            self.weapons.append(weapon)
            quote = article.cite(f"The {label} is a weapon system.")
            self.out["events"].node(f"tskr:{slug}", [
                ("a", "tsk:WeaponSystem"), ("rdfs:label", _en(label)), ("tsk:evidence", quote),
            ])
            return weapon
        return self.rng.choice(self.weapons)

    def _id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{self.counter:07d}"

    # -- facts -----------------------------------------------------------------------------------

    def tenure(self, article: _Article, person: Entity | None = None) -> None:
        """A tenure with start and end years, or (as the curated graph has them) a year at which it is
        attested ("then prime minister", in 2018), or a period."""
        person = person or self.person(article)
        state = person.extra.get("state") or self.state(article)
        title = self.rng.choice(["President", "Prime Minister"])
        office = self._office(article, state, title)
        start = self._year()
        local = self._id(f"tenure-{person.local}")
        kind = self.rng.random()
        if kind < 0.75:
            end = start + self.rng.randint(1, 8)
            when = [("tsk:startDate", _typed(str(start), "gYear")), ("tsk:endDate", _typed(str(end), "gYear"))]
            words = f"from {start} to {end}"
        elif kind < 0.9:
            when = [("tsk:attestedDate", _typed(str(start), "gYear"))]
            words = f"in {start}"
        else:
            decade = start - start % 10
            when = [("tsk:during", f"tskr:{self.period(article, decade)}")]
            words = f"in the {decade}s"
        quote = article.cite(f"{person.label} served as {title} of {state.label} {words}.")
        self.out["offices"].node(f"tskr:{local}", [
            ("a", "tsk:Tenure"), ("rdfs:label", _en(f"{person.label}, {title} of {state.label}")),
            ("tsk:holder", f"tskr:{person.local}"), ("tsk:office", f"tskr:{office}"), *when,
            ("tsk:evidence", quote),
        ])

    def membership(self, article: _Article, person: Entity | None = None) -> None:
        person = person or self.person(article)
        party = self.party(article)
        role = self._concept("membership-roles", avoid=("role-faction", "role-affiliate", "role-researcher"))
        year = self._year()
        local = self._id(f"membership-{person.local}")
        words = role.split("-", 1)[1].replace("-", " ")
        quote = article.cite(f"{person.label} became {words} of the {party.label} in {year}.")
        self.out["memberships"].node(f"tskr:{local}", [
            ("a", "tsk:Membership"), ("rdfs:label", _en(f"{person.label}, {words} of the {party.label}")),
            ("tsk:member", f"tskr:{person.local}"), ("tsk:organisation", f"tskr:{party.local}"),
            ("tsk:role", role), ("tsk:startDate", _typed(str(year), "gYear")), ("tsk:evidence", quote),
        ])

    def agreement(self, article: _Article, a: Entity, b: Entity) -> tuple[str, str]:
        """An agreement between the two states and the event of its signing; (its local name, its label)."""
        date, words = self._date()
        status = self._concept("agreement-statuses")
        field_ = self._concept("sectors")
        local = self._id("agreement")
        status_words = status.split("-", 1)[1]
        field_words = field_.split("-", 1)[1].replace("-", " ")
        quote = article.cite(f"{a.label} and {b.label} {status_words} a {field_words} agreement {words}.")
        self.out["agreements"].node(f"tskr:{local}", [
            ("a", "tsk:Agreement"), ("rdfs:label", _en(f"{a.label}–{b.label} {field_words} agreement")),
            ("tsk:party", f"tskr:{a.local}"), ("tsk:party", f"tskr:{b.local}"), ("tsk:date", date),
            ("tsk:status", status), ("tsk:field", field_), ("tsk:evidence", quote),
        ])
        event = self._id("event-signing")
        self.out["events"].node(f"tskr:{event}", [
            ("a", "tsk:Event"), ("rdfs:label", _en(f"Signing of the {a.label}–{b.label} {field_words} agreement")),
            ("tsk:eventType", self._event_type("event-sign-agreement")), ("tsk:participant", f"tskr:{a.local}"),
            ("tsk:participant", f"tskr:{b.local}"), ("tsk:date", date), ("tsk:outcome", f"tskr:{local}"),
            ("tsk:evidence", quote),
        ])
        self.events.append(event)
        return local, f"the {a.label}–{b.label} {field_words} agreement"

    def event(self, article: _Article, a: Entity, b: Entity, previous: str | None) -> str:
        kind = self.rng.choice(["visit", "delivery", "protest", "cooperation", "investment"])
        when, words = self._when(article)
        local = self._id("event")
        pairs = [("a", "tsk:Event")]
        if kind == "visit":
            person = self.person(article)
            place = b.extra["capital"]
            label = f"Visit of {person.label} to {b.extra['capital_label']}"
            sentence = f"{person.label} visited {b.extra['capital_label']} {words}."
            pairs += [("rdfs:label", _en(label)), ("tsk:eventType", self._event_type("event-make-visit")),
                      ("tsk:actor", f"tskr:{person.local}"), ("tsk:target", f"tskr:{b.local}"),
                      ("tsk:place", f"tskr:{place}")]
        elif kind == "delivery":
            weapon = self.weapon(article)
            quantity = self.rng.randint(2, 40)
            label = f"Delivery of {weapon.label}s from {a.label} to {b.label}"
            sentence = f"{a.label} delivered {quantity} {weapon.label}s to {b.label} {words}."
            pairs += [("rdfs:label", _en(label)), ("tsk:eventType", self._event_type("event-delivery")),
                      ("tsk:seller", f"tskr:{a.local}"), ("tsk:buyer", f"tskr:{b.local}"),
                      ("tsk:recipient", f"tskr:{b.local}"), ("tsk:item", f"tskr:{weapon.local}"),
                      ("tsk:quantity", str(quantity))]
        elif kind == "protest":
            label = f"Protests in {a.extra['capital_label']} against {b.label}"
            sentence = f"Protesters in {a.extra['capital_label']} demonstrated against {b.label} {words}."
            pairs += [("rdfs:label", _en(label)), ("tsk:eventType", self._event_type("event-protest")),
                      ("tsk:target", f"tskr:{b.local}"), ("tsk:place", f"tskr:{a.extra['capital']}")]
        elif kind == "cooperation":
            label = f"Military cooperation between {a.label} and {b.label}"
            sentence = f"{a.label} and {b.label} held joint military exercises {words}."
            pairs += [("rdfs:label", _en(label)), ("tsk:eventType", self._event_type("event-military-cooperation")),
                      ("tsk:participant", f"tskr:{a.local}"), ("tsk:participant", f"tskr:{b.local}")]
        else:
            company = self.company(article)
            label = f"Investment of {company.label} in {b.label}"
            sentence = f"{company.label} opened a factory in {b.label} {words}."
            pairs += [("rdfs:label", _en(label)), ("tsk:eventType", self._event_type("event-investment")),
                      ("tsk:actor", f"tskr:{company.local}"), ("tsk:target", f"tskr:{b.local}")]
        pairs += when
        if when[0][0] == "tsk:date":
            self.dated.add(local)
        if previous:
            pairs.append(("tsk:follows", f"tskr:{previous}"))
            if self.rng.random() < 0.2:
                pairs.append(("tsk:causedBy", f"tskr:{previous}"))
        pairs.append(("tsk:evidence", article.cite(sentence)))
        self.out["events"].node(f"tskr:{local}", pairs)
        self.events.append(local)
        return local

    def statement(self, article: _Article, speaker: Entity, about: Entity, previous: str | None,
                  this_week: int | None = None) -> str:
        """A statement dated on the article's clock after `previous`, or, given `this_week` (a day of
        October), dated with a month and day only, as the curated graph dates what was said in the week
        the article was written (such a statement follows nothing: a month and day is compared with a
        full date on month and day alone)."""
        if this_week is None:
            date, words = self._date()
        else:
            date, words = _typed(f"--10-{this_week:02d}", "gMonthDay"), f"on {this_week} October"
            previous = None
        phrase = self.rng.choice([
            f"{about.label} is our closest partner", f"we will not accept what {about.label} is doing",
            f"{about.label} has crossed a red line", "the door to dialogue remains open",
            f"relations with {about.label} have never been better",
        ])
        local = self._id("statement")
        quote = article.cite(f"{speaker.label} said {words} that “{phrase}”.")
        pairs = [
            ("a", "tsk:Statement"), ("rdfs:label", _en(f"{speaker.label} on {about.label}")),
            ("tsk:eventType", self._event_type("event-make-statement")), ("tsk:speaker", f"tskr:{speaker.local}"),
            ("tsk:about", f"tskr:{about.local}"), ("tsk:quotedText", _en(phrase)), ("tsk:date", date),
        ]
        if previous:
            pairs.append(("tsk:follows", f"tskr:{previous}"))
        pairs.append(("tsk:evidence", quote))
        self.out["statements"].node(f"tskr:{local}", pairs)
        self.statements.append(local)
        self.events.append(local)
        self.dated.add(local)
        return local

    def retraction(self, article: _Article, speaker: Entity, statement: str, day: int | None = None) -> None:
        """The speaker takes the statement back; dated the next day (month and day) when the statement
        was made on October `day`, else undated as in most of the curated graph."""
        local = self._id("retraction")
        quote = article.cite(f"A day later {speaker.label} took back those words.")
        dated = [("tsk:date", _typed(f"--10-{day + 1:02d}", "gMonthDay"))] if day is not None else []
        self.out["statements"].node(f"tskr:{local}", [
            ("a", "tsk:Retraction"), ("rdfs:label", _en(f"{speaker.label} retracts a statement")),
            ("tsk:eventType", self._event_type("event-retract")), ("tsk:speaker", f"tskr:{speaker.local}"),
            ("tsk:retracts", f"tskr:{statement}"), ("tsk:follows", f"tskr:{statement}"), *dated,
            ("tsk:evidence", quote),
        ])

    def stance(self, article: _Article, holder: Entity, on: str, on_label: str) -> None:
        # (not "illegal": the shapes want a tsk:legalBasis for it, which synthetic stances do not have)
        position = self._concept("stance-positions", avoid=("position-illegal",))
        year = self._year()
        local = self._id("stance")
        words = position.split("-", 1)[1].replace("-", " ")
        quote = article.cite(f"Since {year} {holder.label} has taken a position of {words} on {on_label}.")
        self.out["statements"].node(f"tskr:{local}", [
            ("a", "tsk:Stance"), ("rdfs:label", _en(f"{holder.label}: {words} on {on_label}")),
            ("tsk:stanceHolder", f"tskr:{holder.local}"), ("tsk:stanceOn", on), ("tsk:position", position),
            ("tsk:startDate", _typed(str(year), "gYear")), ("tsk:evidence", quote),
        ])

    def claim(self, article: _Article, author: Entity, about: list[str], summary: str) -> None:
        kind = self._concept("claim-kinds")
        local = self._id("claim")
        quote = article.cite(f"In the author's view, {summary[0].lower()}{summary[1:]}")
        pairs = [("a", "tsk:Claim"), ("rdfs:label", _en(summary.rstrip("."))),
                 ("tsk:claimedBy", f"tskr:{author.local}"), ("tsk:claimKind", kind)]
        pairs += [("tsk:about", a) for a in about]
        pairs += [("tsk:summary", _en(summary)), ("tsk:evidence", quote)]
        self.out["claims"].node(f"tskr:{local}", pairs)

    def stake(self, article: _Article, company: Entity, host: Entity) -> None:
        sector = self._concept("sectors")
        magnitude = self.rng.choice(_MAGNITUDES)
        local = self._id("stake")
        words = sector.split("-", 1)[1].replace("-", " ")
        quote = article.cite(f"{company.label} holds a {magnitude} stake in the {words} sector of {host.label}.")
        self.out["economy"].node(f"tskr:{local}", [
            ("a", "tsk:EconomicStake"), ("rdfs:label", _en(f"{company.label} in the {words} sector of {host.label}")),
            ("tsk:stakeholder", f"tskr:{company.local}"), ("tsk:hostState", f"tskr:{host.local}"),
            ("tsk:sector", sector), ("tsk:magnitude", _en(magnitude)), ("tsk:evidence", quote),
        ])

    def inference(self, article: _Article, event: str) -> None:
        """A date read from context: the event gets a tsk:hasInference (written in events.ttl)."""
        local = self._id("inference")
        quote = article.cite("The following year brought more of the same.")
        self.out["events"].node(f"tskr:{local}", [
            ("a", "tsk:Inference"), ("rdfs:label", _en("Inference: the year of an event")),
            ("tsk:inferredProperty", "tsk:date"),
            ("tsk:reason", _en("The article says 'the following year' after a dated event.")),
            ("tsk:evidence", quote),
        ])
        self.out["events"].node(f"tskr:{event}", [("tsk:hasInference", f"tskr:{local}")])

    # -- articles --------------------------------------------------------------------------------

    def article(self, number: int) -> None:
        rng = self.rng
        article = _Article(number, "", rng)
        self.clock = datetime.date(self.rng.randint(1995, 2020), 1, 1)
        author = self.person(article, new=number <= 3 or rng.random() < 0.2)
        publisher = self.publisher(article)
        a, b = self.pair(article)
        article.title = f"{a.label} and {b.label}: a partnership under strain ({number})"

        people = [self.person(article) for _ in range(3)]
        for person in people[:2]:
            self.tenure(article, person)
            self.membership(article, person)
        agreement, agreement_label = self.agreement(article, a, b)
        previous = None
        for _ in range(6):
            previous = self.event(article, a, b, previous)
            if rng.random() < 0.3 and previous in self.dated:
                self.inference(article, previous)
        this_week = rng.randint(1, 27) if rng.random() < 0.2 else None  # a day of October, the week of writing
        statements = []
        for number, speaker in enumerate(people):
            statements.append((speaker, self.statement(article, speaker, rng.choice([a, b]), previous,
                                                       this_week=this_week if number == 0 else None)))
        if rng.random() < 0.5:
            speaker, statement = statements[0]
            self.retraction(article, speaker, statement, day=this_week)
        self.stance(article, people[0], f"tskr:{b.local}", b.label)
        self.stance(article, b, f"tskr:{agreement}", agreement_label)
        speaker, statement = statements[-1]
        self.stance(article, a, f"tskr:{statement}", f"what {speaker.label} said")
        self.stance(article, b, f"tskr:{a.local}", a.label)
        self.claim(article, author, [f"tskr:{a.local}", f"tskr:{b.local}"],
                   f"The partnership between {a.label} and {b.label} will endure.")
        self.claim(article, author, [f"tskr:{people[0].local}"],
                   f"{people[0].label} uses the dispute to rally support at home.")
        self.claim(article, author, [f"tskr:{previous}", f"tskr:{a.local}"],
                   f"The latest events will strain relations between {a.label} and {b.label} for a while.")
        company = self.company(article)
        self.stake(article, company, b)
        self._write_article(article, author, publisher, [a, b])

    def _write_article(self, article: _Article, author: Entity, publisher: Entity, about: list[Entity]) -> None:
        text = article.text()
        found = split_sentences(text)
        # The quotes' offsets are those server.sources.quotes finds in the text, and they must be our sentences.
        assert [s.text for s in found[1:]] == article.sentences, "a generated sentence does not split cleanly"
        doc = f"tskr:{article.local}"
        pairs = [
            ("a", "tsk:SourceDocument"), ("rdfs:label", _en(article.title)), ("dcterms:title", _en(article.title)),
            ("schema:headline", _en(article.title)), ("schema:author", f"tskr:{author.local}"),
            ("schema:publisher", f"tskr:{publisher.local}"), ("schema:inLanguage", '"en"'),
        ]
        pairs += [("schema:about", f"tskr:{s.local}") for s in about]
        pairs += [("tsk:evidence", article.quote(0)), ("schema:text", turtle_long_string(text) + "@en")]
        out = self.out["source"]
        out.node(doc, pairs)
        parts = []
        for s in found:
            parts.append(
                f"{article.quote(s.number)} a tsk:Quote, oa:SpecificResource ;\n"
                f"    rdfs:label {_en(f'Sentence {s.number} of {article.local}')} ;\n"
                f"    oa:hasSource {doc} ;\n"
                f"    tsk:sentenceNumber {s.number} ;\n"
                f"    oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact {turtle_string(s.text)} ] ,\n"
                f"        [ a oa:TextPositionSelector ; oa:start {_typed(str(s.start), 'nonNegativeInteger')} ;"
                f" oa:end {_typed(str(s.end), 'nonNegativeInteger')} ] .\n\n"
            )
        out.raw("".join(parts), 12 * len(found))


def read_concepts(project: Project) -> dict[str, list[str]]:
    """Local names of the concepts of each scheme we draw from, from the project's ontology."""
    store = ox.Store()
    for path in project.ontology_files:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    found: dict[str, list[str]] = {}
    for scheme in SCHEMES:
        quads = store.quads_for_pattern(None, ox.NamedNode(SKOS_IN_SCHEME), ox.NamedNode(CONCEPT + scheme))
        found[scheme] = sorted(q.subject.value[len(CONCEPT):] for q in quads if q.subject.value.startswith(CONCEPT))
        if not found[scheme]:
            raise ValueError(f"ontology has no concepts in scheme tskc:{scheme}")
    return found


@dataclass
class Curated:
    """What the generator takes from the curated graph: Turkey, Serbia and Kosovo (with their capitals and
    the offices the graph gives them) and the people who hold those offices, as entities already
    introduced, so that generated facts point at them; the labels in use, so that no generated name
    repeats one; and the number of triples the curated files hold."""

    states: dict[str, Entity] = field(default_factory=dict)   # local name → entity
    people: list[Entity] = field(default_factory=list)
    labels: set[str] = field(default_factory=set)
    files: dict[str, int] = field(default_factory=dict)       # file name → triples

    @property
    def triples(self) -> int:
        return sum(self.files.values())


CURATED_STATES = ("turkey", "serbia", "kosovo")
_CURATED_QUERY = """
PREFIX tsk: <https://w3id.org/tskg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?kind ?node ?label ?state ?extra WHERE {
  VALUES ?state { %s }
  { ?state rdfs:label ?label BIND("state" AS ?kind) BIND(?state AS ?node)
    OPTIONAL { ?capital tsk:capitalOf ?state ; rdfs:label ?capitalLabel } BIND(?capital AS ?extra) }
  UNION { ?node tsk:officeOf ?state ; rdfs:label ?label BIND("office" AS ?kind) }
  UNION { ?tenure tsk:holder ?node ; tsk:office/tsk:officeOf ?state . ?node a tsk:Person ; rdfs:label ?label
          BIND("person" AS ?kind) }
}"""


def read_curated(project: Project, paths: list[Path]) -> Curated:
    """The curated entities the generated facts reuse (see Curated), from the files `paths`."""
    store = ox.Store()
    curated = Curated()
    for path in paths:
        triples = [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE,
                                              base_iri=path.resolve().as_uri())]
        store.extend(ox.Quad(*t) for t in triples)
        curated.files[path.name] = len(triples)
    curated.labels = {q.object.value for q in store.quads_for_pattern(None, ox.NamedNode(RDFS_LABEL), None)}
    values = " ".join(f"<https://w3id.org/tskg/id/{name}>" for name in CURATED_STATES)
    rows = list(store.query(_CURATED_QUERY % values))
    local = lambda term: term.value.rsplit("/", 1)[-1]  # noqa: E731
    for row in rows:
        if row["kind"].value == "state" and row["extra"] is not None:
            capital = row["extra"]
            label = next(store.quads_for_pattern(capital, ox.NamedNode(RDFS_LABEL), None)).object.value
            curated.states[local(row["node"])] = Entity(local(row["node"]), row["label"].value, "state", True, {
                "capital": local(capital), "capital_label": label, "offices": {},
            })
    for row in rows:
        state = curated.states.get(local(row["state"]))
        if state is None:
            continue
        if row["kind"].value == "office":
            title = row["label"].value.removesuffix(f" of {state.label}")
            if title in ("President", "Prime Minister"):
                state.extra["offices"][title] = local(row["node"])
        elif row["kind"].value == "person" and all(p.local != local(row["node"]) for p in curated.people):
            curated.people.append(Entity(local(row["node"]), row["label"].value, "person", True, {"state": state}))
    curated.people.sort(key=lambda p: p.local)
    return curated


RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def generate(output: Path, triples: int, seed: int = 1, source: Project | None = None) -> GenerateResult:
    """Write a synthetic project of about `triples` graph triples into `output` (see the module docstring):
    the source project's graph/ files, and generated files until the two together reach the size."""
    source = source or Project.locate()
    output = Path(output).resolve()
    if output == source.root or source.root in output.parents and output.name in ("graph", "ontology"):
        raise ValueError(f"refusing to write into the project itself: {output}")
    if output.exists() and any(output.iterdir()) and not (output / MARKER).exists():
        raise ValueError(f"{output} is not empty and was not written by tskg generate")
    concepts = read_concepts(source)

    # Claimed first, so that a run stopped halfway leaves a directory the next run may overwrite; the
    # marker says "unfinished" until the end.
    output.mkdir(parents=True, exist_ok=True)
    (output / MARKER).write_text(json.dumps({"requested": triples, "seed": seed, "unfinished": True}) + "\n")
    for sub in ("ontology", "graph", "queries"):
        shutil.rmtree(output / sub, ignore_errors=True)
    (output / "graph").mkdir(parents=True)
    shutil.copytree(source.ontology_dir, output / "ontology")
    if source.queries_dir.is_dir():
        shutil.copytree(source.queries_dir, output / "queries")
    for path in source.graph_files:
        shutil.copyfile(path, output / "graph" / path.name)
    curated = read_curated(source, source.graph_files)

    comments = {
        "source": "The synthetic articles and one quote per sentence.",
        "actors": "States, people, parties, companies and news organisations.",
        "places": "Capitals.", "offices": "Offices and tenures.", "memberships": "Memberships.",
        "agreements": "Agreements.", "events": "Events, weapon systems and inferences.",
        "statements": "Statements, retractions and stances.", "claims": "The authors' claims.",
        "economy": "Economic stakes.", "periods": "Decades, as periods of time.",
    }
    out = {name: _Turtle(output / "graph" / f"{GENERATED_PREFIX}{name}.ttl", comments[name]) for name in FILES}
    generator = Generator(triples, seed, concepts, out, curated)
    number = 0
    try:
        while curated.triples + generator.triples < triples:
            number += 1
            generator.article(number)
    finally:
        for t in out.values():
            t.close()
    files = dict(curated.files)
    files.update({f"{GENERATED_PREFIX}{name}.ttl": t.triples for name, t in out.items()})
    total = curated.triples + generator.triples
    (output / MARKER).write_text(json.dumps(
        {"triples": total, "curated": curated.triples, "requested": triples, "seed": seed, "articles": number,
         "files": files},
        indent=2,
    ) + "\n")
    return GenerateResult(output, total, number, files)
