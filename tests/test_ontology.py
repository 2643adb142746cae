"""The ontology (ontology/tskg.ttl) and its concept schemes (ontology/concepts.ttl), read as files.

Checks the documentation every term must carry, the header, the shape of the concept schemes
(CAMEO codes included), and the rules that keep the ontology inside OWL 2 RL and aligned to
standard vocabularies without redefining them.
"""

from __future__ import annotations

import re

import pytest
import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from server.namespaces import CONCEPT, ONTOLOGY, ONTOLOGY_IRI
from server.terms import rdflib_graph
from server.sources.turtle import parse_turtle_file

TSK = rdflib.Namespace(ONTOLOGY)
TSKC = rdflib.Namespace(CONCEPT)
VANN = rdflib.Namespace("http://purl.org/vocab/vann/")
SCHEMA = rdflib.Namespace("https://schema.org/")
FOAF = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
WIKIDATA = "http://www.wikidata.org/entity/"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"  # a string: pytest trips over rdflib's XSD namespace object
ONT = rdflib.URIRef(ONTOLOGY_IRI)
SCHEMES = ["event-types", "stance-positions", "agreement-statuses", "claim-kinds", "sectors", "membership-roles"]


@pytest.fixture(scope="module")
def files(project):
    paths = {p.name: p for p in project.ontology_files + project.shapes_files}
    assert "tskg.ttl" in paths and "concepts.ttl" in paths, f"ontology/ holds {sorted(paths)}"
    return paths


@pytest.fixture(scope="module")
def tskg(files) -> rdflib.Graph:
    return rdflib_graph(parse_turtle_file(files["tskg.ttl"]))


@pytest.fixture(scope="module")
def concepts(files) -> rdflib.Graph:
    return rdflib_graph(parse_turtle_file(files["concepts.ttl"]))


def english(graph, subject, predicate):
    return [o for o in graph.objects(subject, predicate) if isinstance(o, rdflib.Literal) and o.language == "en"]


def tsk_terms(graph, *types):
    return sorted({s for t in types for s in graph.subjects(RDF.type, t) if str(s).startswith(ONTOLOGY)})


def test_every_file_passes_the_strict_turtle_gate(files):
    for path in files.values():
        assert parse_turtle_file(path), f"{path} parsed to no triples"


def test_header(tskg):
    assert (ONT, RDF.type, OWL.Ontology) in tskg
    for predicate in (DCTERMS.title, DCTERMS.description):
        assert english(tskg, ONT, predicate), f"header lacks an English {predicate}"
    assert tskg.value(ONT, DCTERMS.creator) is not None
    assert str(tskg.value(ONT, DCTERMS.license)).startswith("https://creativecommons.org/licenses/by/4.0")
    for predicate in (DCTERMS.created, DCTERMS.modified):
        value = tskg.value(ONT, predicate)
        assert isinstance(value, rdflib.Literal) and value.datatype == rdflib.URIRef(XSD_NS + "date"), f"{predicate} is not an xsd:date"
    assert tskg.value(ONT, DCTERMS.modified).toPython() >= tskg.value(ONT, DCTERMS.created).toPython()
    version = str(tskg.value(ONT, OWL.versionInfo))
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert tskg.value(ONT, OWL.versionIRI) == rdflib.URIRef(f"{ONTOLOGY_IRI}/{version}")
    assert str(tskg.value(ONT, VANN.preferredNamespacePrefix)) == "tsk"
    assert str(tskg.value(ONT, VANN.preferredNamespaceUri)) == ONTOLOGY


def test_every_term_has_one_english_label_and_a_definition(tskg):
    terms = tsk_terms(tskg, OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDFS.Datatype)
    assert len(terms) >= 100, f"only {len(terms)} tsk: terms"
    for term in terms:
        labels = [o for o in tskg.objects(term, RDFS.label)]
        assert len(labels) == 1 and labels[0].language == "en", f"{term}: needs exactly one rdfs:label@en, has {labels}"
        assert english(tskg, term, SKOS.definition), f"{term}: no English skos:definition"
        assert tskg.value(term, RDFS.isDefinedBy) == ONT, f"{term}: rdfs:isDefinedBy is not the ontology"


def test_the_term_sheet_is_covered(tskg):
    """The classes and properties that ontology/MODELLING.md lists exist."""
    classes = ["Agent", "Person", "State", "Organisation", "PoliticalParty", "InternationalOrganisation",
               "MilitaryMission", "Company", "StateOwnedCompany", "IntelligenceService", "Movement", "ArmedGroup",
               "ResearchInstitute", "University", "NewsOrganisation", "CooperationBody", "Group", "Office", "Tenure",
               "Membership", "Agreement", "LegalInstrument", "Event", "Statement", "Retraction", "Stance", "Claim",
               "EconomicStake", "Place", "City", "Region", "WeaponSystem", "SourceDocument", "Quote", "Inference"]
    properties = ["evidence", "sentenceNumber", "date", "during", "startDate", "endDate", "follows", "eventType",
                  "actor", "target", "participant", "place", "causedBy", "item", "buyer", "seller", "recipient",
                  "quantity", "outcome", "speaker", "about", "quotedText", "retracts", "retractedBy", "stanceHolder",
                  "stanceOn", "position", "legalBasis", "party", "partyTo", "status", "field", "establishes",
                  "officeOf", "holder", "holds", "office", "member", "organisation", "role", "alleged", "memberOf",
                  "hasMember", "nationality", "country", "partOf", "foundedBy", "ownedBy", "locatedIn", "capitalOf",
                  "description", "jobTitle", "size", "stakeholder", "hostState", "sector", "magnitude", "rank",
                  "claimedBy", "claimKind", "summary", "hasInference", "inferredProperty", "reason"]
    missing = [c for c in classes if (TSK[c], RDF.type, OWL.Class) not in tskg]
    missing += [p for p in properties
                if not {(TSK[p], RDF.type, OWL.ObjectProperty), (TSK[p], RDF.type, OWL.DatatypeProperty)} & set(tskg)]
    assert not missing, f"terms of MODELLING.md missing from tskg.ttl: {missing}"


def test_properties_have_domain_and_range_or_say_why_not(tskg):
    for prop in tsk_terms(tskg, OWL.ObjectProperty, OWL.DatatypeProperty):
        assert tskg.value(prop, RDFS.domain) or english(tskg, prop, TSK.domainNote), (
            f"{prop}: neither rdfs:domain nor a tsk:domainNote saying why it is open"
        )
        assert tskg.value(prop, RDFS.range) or english(tskg, prop, TSK.rangeNote), (
            f"{prop}: neither rdfs:range nor a tsk:rangeNote saying why it is open"
        )


def test_inverse_properties_mirror_domain_and_range(tskg):
    pairs = list(tskg.subject_objects(OWL.inverseOf))
    names = {p.split("#")[-1] for pair in pairs for p in pair}
    assert {"holder", "holds", "party", "partyTo", "retracts", "retractedBy", "memberOf", "hasMember"} <= names
    for p, q in pairs:
        for a, b in ((RDFS.domain, RDFS.range), (RDFS.range, RDFS.domain)):
            if tskg.value(p, a) is not None and tskg.value(q, b) is not None:
                assert tskg.value(p, a) == tskg.value(q, b), f"{p} {a} differs from {q} {b}"


def test_stays_inside_owl2_rl(tskg):
    """No construct owlrl cannot reason with completely: existentials, unions, cardinalities above one."""
    for predicate in (OWL.someValuesFrom, OWL.unionOf, OWL.minCardinality, OWL.cardinality,
                      OWL.minQualifiedCardinality, OWL.qualifiedCardinality, OWL.complementOf, OWL.oneOf):
        assert not list(tskg.subject_objects(predicate)), f"{predicate} is outside what this ontology allows"
    for cls, restriction in tskg.subject_objects(RDFS.subClassOf):
        if isinstance(restriction, rdflib.BNode):
            assert tskg.value(restriction, OWL.allValuesFrom) or tskg.value(restriction, OWL.hasValue), (
                f"{cls}: a superclass expression other than allValuesFrom/hasValue"
            )


def test_external_terms_are_declared_not_redefined(tskg):
    own = (ONTOLOGY, ONTOLOGY_IRI, CONCEPT)
    for s, p, o in tskg:
        if isinstance(s, rdflib.URIRef) and not str(s).startswith(own):
            assert p == RDF.type, f"tskg.ttl says something about {s} ({p}): external terms are only declared"
    for predicate in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty):
        for _, target in tskg.subject_objects(predicate):
            assert not str(target).startswith(WIKIDATA), f"Wikidata {target} is mapped with {predicate}: use SKOS"


def test_alignments_the_data_is_queried_by(tskg):
    expected = [
        (TSK.Person, RDFS.subClassOf, SCHEMA.Person), (TSK.Person, RDFS.subClassOf, FOAF.Person),
        (TSK.Person, RDFS.subClassOf, PROV.Person), (TSK.Organisation, RDFS.subClassOf, ORG.Organization),
        (TSK.PoliticalParty, RDFS.subClassOf, TSK.Organisation), (TSK.Quote, RDFS.subClassOf, OA.SpecificResource),
        (TSK.Claim, RDFS.subClassOf, SCHEMA.Claim), (TSK.evidence, RDFS.subPropertyOf, PROV.wasDerivedFrom),
        (TSK.Tenure, RDFS.subClassOf, SCHEMA.OrganizationRole), (TSK.holder, RDFS.subPropertyOf, SCHEMA.member),
        (TSK.memberOf, RDFS.subPropertyOf, ORG.memberOf),
    ]
    missing = [t for t in expected if t not in tskg]
    assert not missing, f"alignments missing: {missing}"


def test_external_terms_used_in_axioms_are_declared(tskg):
    """owlrl and pySHACL see only what is in the file: every external class or property an axiom names is typed."""
    targets = [o for p in (RDFS.subClassOf, RDFS.range, RDFS.domain) for _, o in tskg.subject_objects(p)]
    targets += [o for _, o in tskg.subject_objects(RDFS.subPropertyOf)]
    for target in targets:
        if isinstance(target, rdflib.URIRef) and not str(target).startswith(ONTOLOGY) and not str(target).startswith(XSD_NS):
            assert (target, RDF.type, None) in tskg, f"{target} is used in an axiom but not declared"


def test_concept_schemes(concepts):
    for scheme in SCHEMES:
        node = TSKC[scheme]
        assert (node, RDF.type, SKOS.ConceptScheme) in concepts, f"missing scheme tskc:{scheme}"
        assert english(concepts, node, SKOS.prefLabel) and english(concepts, node, SKOS.definition)
        members = list(concepts.subjects(SKOS.inScheme, node))
        assert len(members) >= 4, f"tskc:{scheme} has {len(members)} concepts"


def test_every_concept_is_documented_and_placed(concepts):
    all_concepts = sorted(set(concepts.subjects(RDF.type, SKOS.Concept)))
    assert len(all_concepts) >= 60
    for concept in all_concepts:
        labels = list(concepts.objects(concept, SKOS.prefLabel))
        assert len(labels) == 1 and labels[0].language == "en", f"{concept}: needs one skos:prefLabel@en"
        assert english(concepts, concept, SKOS.definition), f"{concept}: no English skos:definition"
        schemes = list(concepts.objects(concept, SKOS.inScheme))
        assert len(schemes) == 1 and str(schemes[0]).startswith(CONCEPT), f"{concept}: needs one skos:inScheme"
        broader = list(concepts.objects(concept, SKOS.broader))
        top = list(concepts.objects(concept, SKOS.topConceptOf))
        assert broader or top, f"{concept}: neither skos:topConceptOf nor skos:broader"
        for parent in broader:
            assert (parent, SKOS.inScheme, schemes[0]) in concepts, f"{concept}: broader {parent} is in another scheme"
        assert top in ([], schemes), f"{concept}: top concept of another scheme"


def test_concepts_carry_the_class_of_their_scheme(tskg, concepts):
    classes = {"event-types": TSK.EventType, "stance-positions": TSK.StancePosition,
               "agreement-statuses": TSK.AgreementStatus, "claim-kinds": TSK.ClaimKind,
               "sectors": TSK.Sector, "membership-roles": TSK.MembershipRole}
    for scheme, cls in classes.items():
        assert (cls, RDFS.subClassOf, SKOS.Concept) in tskg
        for concept in concepts.subjects(SKOS.inScheme, TSKC[scheme]):
            assert (concept, RDF.type, cls) in concepts, f"{concept} is in tskc:{scheme} but not a {cls}"


def test_cameo_notations(tskg, concepts):
    assert (TSK.CAMEOCode, RDF.type, RDFS.Datatype) in tskg
    notations = list(concepts.subject_objects(SKOS.notation))
    assert len(notations) >= 20
    seen = {}
    for concept, code in notations:
        assert code.datatype == TSK.CAMEOCode, f"{concept}: notation {code!r} is not typed tsk:CAMEOCode"
        assert re.fullmatch(r"\d{2,4}", str(code)), f"{concept}: {code} is not a CAMEO verb code"
        assert (concept, SKOS.inScheme, TSKC["event-types"]) in concepts, f"{concept}: CAMEO code outside event types"
        assert str(code) not in seen, f"CAMEO {code} on both {seen.get(str(code))} and {concept}"
        seen[str(code)] = concept
    # A few codes of the CAMEO 1.1b3 codebook, on the concepts that the article's events use.
    for local, code in [("event-sign-agreement", "057"), ("event-grant-recognition", "054"), ("event-accuse", "112"),
                        ("event-praise", "051"), ("event-deport", "174"), ("event-peacekeeping", "074")]:
        assert str(concepts.value(TSKC[local], SKOS.notation)) == code, f"tskc:{local} should carry CAMEO {code}"


def test_retraction_concept_has_no_cameo_code(concepts):
    retract = TSKC["event-retract"]
    assert (retract, SKOS.inScheme, TSKC["event-types"]) in concepts
    assert concepts.value(retract, SKOS.notation) is None
    notes = " ".join(english(concepts, retract, SKOS.scopeNote))
    assert "CAMEO" in notes and "no code" in notes, f"the scope note should say CAMEO has no code: {notes!r}"


def test_concept_values_used_by_the_graph_exist(project, concepts):
    """Every tskc: IRI that graph/ writes is a concept of concepts.ttl."""
    if not project.graph_files:
        pytest.skip("graph/ is still empty")
    defined = set(concepts.subjects(RDF.type, SKOS.Concept)) | set(concepts.subjects(RDF.type, SKOS.ConceptScheme))
    used = set()
    for path in project.graph_files:
        for s, p, o in rdflib_graph(parse_turtle_file(path)):
            used |= {t for t in (s, o) if isinstance(t, rdflib.URIRef) and str(t).startswith(CONCEPT)}
    assert used and not sorted(used - defined), f"undefined concepts: {sorted(used - defined)}"
