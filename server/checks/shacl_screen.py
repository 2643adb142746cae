"""Which focus nodes can have SHACL results: a screen in Python, so that pySHACL (server.checks.shacl_fast)
validates only the focus nodes that may fail, not every node of a large graph.

pySHACL costs about 0.1 ms per focus node and property shape, and it needs the data as an rdflib graph
(about 1 KB of memory per triple): at a million triples, minutes and gigabytes for a graph that conforms.
The screen reads the same triples (ontology, data and RDFS closure) through dictionaries of its own and,
for each shape pySHACL would validate and each of its focus nodes, decides whether the node certainly has
no validation result. Only the others go to pySHACL, as the shape's sh:targetNode list in a copy of the
shapes graph (its own targets removed), so every result still comes from pySHACL: messages, paths,
values and the nodes that fail. When no node may fail, pySHACL is not run at all.

The screen may only err on the side of caution: a node it passes must be one pySHACL reports nothing for.
So it models a component only where it can give pySHACL's answer exactly, and says "unknown" (the node goes
to pySHACL) otherwise:

- focus nodes as pySHACL finds them (shape.target(): target nodes, instances of a class and of its
  subclasses, subjects and objects of a predicate; SPARQL targets answered by server.checks.shacl_targets).
  A shape that is also a class (an implicit target that cannot be taken away) or has another kind of
  target is left to pySHACL as it is;
- value nodes of a predicate path or an inverse predicate path (any other path: unknown), compared as
  the rdflib terms pySHACL sees (literals normalised as rdflib normalises them);
- sh:minCount, sh:maxCount, sh:hasValue and sh:class as pySHACL evaluates them (sh:class walks
  rdf:type/rdfs:subClassOf* in the same triples);
- value-by-value components whose verdict depends on the value alone (sh:datatype, sh:nodeKind,
  sh:languageIn, sh:pattern, sh:minLength, sh:maxLength, sh:minInclusive and its kin, sh:in): pySHACL's
  own component objects judge each distinct value once;
- sh:or, sh:and, sh:not, sh:xone, sh:qualifiedValueShape (not disjoint) and sh:property, with pySHACL's
  notion of conformance under allow_warnings: a shape of severity sh:Warning or sh:Info always conforms,
  another conforms when none of its results (its nested property shapes' included) is a violation;
  sh:node as pySHACL has it, failing on any result of the other shape, even a warning; deactivated
  shapes have no results;
- everything else (sh:sparql, sh:closed, sh:equals and the other property pairs, sh:uniqueLang,
  sh:qualifiedValueShapesDisjoint, SHACL-AF expressions, custom constraint components, recursion, a shape
  pySHACL would refuse to load): unknown.

tests/test_shacl_differential.py compares the whole (screen and pySHACL) with pySHACL alone on random
shapes and data using every component, and tests/test_shacl_screen.py checks each modelled component
where the screen must send a node on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pyoxigraph as ox
import rdflib
from pyshacl.constraints import CONSTRAINT_PARAMETERS_MAP
from pyshacl.errors import ConstraintLoadError, ConstraintLoadWarning, ReportableRuntimeError, ShapeLoadError
from pyshacl.pytypes import SHACLExecutor
from pyshacl.shapes_graph import ShapesGraph
from rdflib.namespace import RDF, SH

from ..terms import to_oxigraph, to_rdflib
from .shacl_targets import TARGETS, TargetStore, sparql_targets

TYPE = ox.NamedNode(str(RDF.type))
SUBCLASS = ox.NamedNode(str(rdflib.RDFS.subClassOf))
ALLOWED = {SH.Warning, SH.Info}  # severities that pass under allow_warnings (server.checks.shacl_fast)
MAX_DEPTH = 12                    # nested shapes followed; deeper is unknown (pySHACL stops at 15)

# Components whose verdict on a value depends on that value alone: pySHACL's own objects judge it.
VALUE_COMPONENT_NAMES = {
    "DatatypeConstraintComponent", "NodeKindConstraintComponent", "LanguageInConstraintComponent",
    "PatternConstraintComponent", "MinLengthConstraintComponent", "MaxLengthConstraintComponent",
    "MinInclusiveConstraintComponent", "MaxInclusiveConstraintComponent", "MinExclusiveConstraintComponent",
    "MaxExclusiveConstraintComponent", "InConstraintComponent",
}
# sh:and, sh:or, sh:xone: the attribute holding their lists, whether the number of member shapes a value
# conforms to (of how many) passes, and whether a shape listed twice counts twice (pySHACL reads the
# members of sh:and and sh:or as a set, those of sh:xone as a list).
LIST_COMPONENTS = {
    "AndConstraintComponent": ("and_list", lambda n, total: n == total, set),
    "OrConstraintComponent": ("or_list", lambda n, total: n >= 1, set),
    "XoneConstraintComponent": ("xone_nodes", lambda n, total: n == 1, list),
}
# Parameters of components the screen does not model: a shape with one is unknown.
NOT_MODELLED = {SH.sparql, SH.closed, SH.ignoredProperties, SH.equals, SH.disjoint, SH.lessThan,
                SH.lessThanOrEquals, SH.uniqueLang, SH.qualifiedValueShapesDisjoint, SH.expression, SH.js}


class Unknown(Exception):
    """The screen cannot say what pySHACL would answer: the node goes to pySHACL."""


@dataclass
class Screened:
    """What the screen found: the shapes graph pySHACL must validate (a copy in which each screened shape's
    targets are the nodes that may fail), and whether anything is left for pySHACL to do."""

    shapes: rdflib.Graph
    needed: bool
    candidates: dict = field(default_factory=dict)  # shape → the focus nodes sent on (rdflib terms)
    kept: list = field(default_factory=list)        # shapes left to pySHACL with their own targets


class Index:
    """The triples pySHACL validates, by predicate: the objects of each subject and the subjects of each
    object, for the predicates the shapes need."""

    def __init__(self, triples, forward: set, backward: set, terms: "Terms"):
        self.objects: dict = {p: {} for p in forward | {TYPE, SUBCLASS}}
        self.subjects: dict = {p: {} for p in backward | {TYPE, SUBCLASS}}
        objects, subjects = self.objects, self.subjects
        key = terms.key
        for s, p, o in triples:
            if isinstance(o, ox.Literal):
                o = key(o)
            by_subject = objects.get(p)
            if by_subject is not None:
                found = by_subject.get(s)
                if found is None:
                    by_subject[s] = [o]
                else:
                    found.append(o)
            by_object = subjects.get(p)
            if by_object is not None:
                found = by_object.get(o)
                if found is None:
                    by_object[o] = [s]
                else:
                    found.append(s)
        self._superclasses: dict = {}

    def superclasses(self, cls) -> set:
        """`cls` and every class it is an rdfs:subClassOf of, transitively (rdflib's transitive_objects)."""
        found = self._superclasses.get(cls)
        if found is None:
            found, todo = set(), [cls]
            by_subject = self.objects[SUBCLASS]
            while todo:
                c = todo.pop()
                if c not in found:
                    found.add(c)
                    todo.extend(by_subject.get(c, ()))
            self._superclasses[cls] = found
        return found

    def instances(self, cls) -> set:
        """The instances of `cls` and of its subclasses, as pySHACL's sh:targetClass finds them."""
        classes, todo = set(), [cls]
        by_object = self.subjects[SUBCLASS]
        while todo:
            c = todo.pop()
            if c not in classes:
                classes.add(c)
                todo.extend(by_object.get(c, ()))
        types = self.subjects[TYPE]
        return {x for c in classes for x in types.get(c, ())}


class Terms:
    """Nodes as pySHACL tells them apart. pySHACL compares the rdflib terms of its graph, in which rdflib
    normalises literals ("05"^^xsd:integer is "5"^^xsd:integer) and keeps "abc" apart from "abc"^^xsd:string,
    so the screen keys a literal by its rdflib term (made once) and an IRI or blank node by the
    pyoxigraph term (the same node either way)."""

    def __init__(self):
        self.converted: dict = {}

    def key(self, term):
        if isinstance(term, ox.Literal):
            found = self.converted.get(term)
            if found is None:
                found = self.converted[term] = to_rdflib(term)
            return found
        if isinstance(term, (rdflib.URIRef, rdflib.BNode)):
            return to_oxigraph(term)
        return term  # a pyoxigraph IRI or blank node, or an rdflib literal

    def of(self, key):
        """The rdflib term of a key."""
        if isinstance(key, (ox.NamedNode, ox.BlankNode)):
            found = self.converted.get(key)
            if found is None:
                found = self.converted[key] = to_rdflib(key)
            return found
        return key


def _or(values) -> bool | None:
    unknown = False
    for v in values:
        if v is True:
            return True
        if v is None:
            unknown = True
    return None if unknown else False


class Screen:
    """The screen over one set of triples and one shapes graph (see the module docstring)."""

    def __init__(self, shapes: rdflib.Graph, triples, store: TargetStore | None):
        self.graph = shapes
        self.store = store
        logging.getLogger("pyshacl").setLevel(logging.ERROR)
        self.sg = ShapesGraph(shapes)
        self.sg.shapes  # noqa: B018 - builds pySHACL's shape cache (and raises as pySHACL would)
        self.executor = SHACLExecutor(advanced_mode=True, allow_warnings=True)
        self.custom = self._custom_parameters()
        self.models: dict = {}
        forward, backward = set(), set()
        for shape in self.sg.shapes:
            path = shape.path() if shape.is_property_shape else None
            if isinstance(path, rdflib.URIRef):
                forward.add(to_oxigraph(path))
            elif isinstance(path, (rdflib.BNode, rdflib.URIRef)):
                inverse = shapes.value(path, SH.inversePath)
                if isinstance(inverse, rdflib.URIRef):
                    backward.add(to_oxigraph(inverse))
            for p in shapes.objects(shape.node, SH.targetSubjectsOf):
                if isinstance(p, rdflib.URIRef):
                    forward.add(to_oxigraph(p))
            for p in shapes.objects(shape.node, SH.targetObjectsOf):
                if isinstance(p, rdflib.URIRef):
                    backward.add(to_oxigraph(p))
        self.terms = Terms()
        self.index = Index(triples, forward, backward, self.terms)
        self.verdicts: dict = {}   # (component, what the verdict depends on) → pySHACL's verdict
        self.memo: dict = {}       # (shape, value) → results(), for shapes other shapes refer to

    # --- what pySHACL validates -------------------------------------------------------------------------

    def run(self) -> Screened:
        """Screen every shape pySHACL would validate on its own targets."""
        restricted = rdflib.Graph()
        for prefix, namespace in self.graph.namespaces():
            restricted.bind(prefix, namespace)
        for triple in self.graph:
            restricted.add(triple)
        out = Screened(restricted, needed=False)
        for shape in self.sg.shapes:
            nodes, classes, implicit, objects_of, subjects_of = (list(x) for x in shape.target())
            advanced = list(self.graph.objects(shape.node, SH.target))
            if not (nodes or classes or implicit or objects_of or subjects_of or advanced):
                continue
            focus = self._focus_nodes(shape, nodes, classes, objects_of, subjects_of, advanced)
            if focus is None or implicit:
                out.kept.append(shape.node)
                out.needed = True
                continue
            candidates = self.flagged(shape.node, focus)
            for p in TARGETS + (SH.target,):
                restricted.remove((shape.node, p, None))
            for f in candidates:
                restricted.add((shape.node, SH.targetNode, self.terms.of(f)))
            if candidates:
                out.candidates[shape.node] = [self.terms.of(f) for f in candidates]
                out.needed = True
        return out

    def _focus_nodes(self, shape, nodes, classes, objects_of, subjects_of, advanced) -> set | None:
        """The focus nodes of `shape` (pyoxigraph terms), as pySHACL finds them; None when a target is
        of a kind the screen does not answer."""
        key = self.terms.key
        focus = {key(n) for n in nodes}
        for cls in classes:
            focus |= self.index.instances(to_oxigraph(cls))
        for p in subjects_of:
            focus.update(self.index.objects[to_oxigraph(p)])
        for p in objects_of:
            focus.update(self.index.subjects[to_oxigraph(p)])
        if advanced:
            selected = sparql_targets(self.graph, shape.node, self.store)
            if selected is None:
                return None
            focus |= {key(n) for n in selected}
        return focus

    # --- one shape, one node ----------------------------------------------------------------------------

    def flagged(self, shape_node, nodes, depth: int = 0) -> set:
        """The nodes among `nodes` that may have a result against the shape: those with one, and those the
        screen cannot judge. Each check runs over all the nodes in turn, and a node shape's property
        shapes over the nodes left, so that the cost per node and check is a few dictionary lookups."""
        model = self._model(shape_node)
        if model.deactivated:
            return set()
        if model.unknown or depth > MAX_DEPTH:
            return set(nodes)
        out = set()
        if model.path is None:  # a node shape: its value node is the focus node
            remaining = list(nodes)
            for check in model.checks:
                kept = []
                for f in remaining:
                    try:
                        failed = check((f,), depth)
                    except Unknown:
                        failed = True
                    if failed:
                        out.add(f)
                    else:
                        kept.append(f)
                remaining = kept
            for prop in model.properties:
                if not remaining:
                    break
                hit = self.flagged(prop, remaining, depth + 1)
                if hit:
                    out |= hit
                    remaining = [f for f in remaining if f not in hit]
            return out
        values_of = self._values
        for f in nodes:
            values = values_of(model, f)
            try:
                if any(check(values, depth) for check in model.checks) or (
                        values and any(self.flagged(prop, values, depth + 1) for prop in model.properties)):
                    out.add(f)
            except Unknown:
                out.add(f)
        return out

    def conforms(self, shape_node, value, depth: int) -> bool:
        """pySHACL's conformance of `value` to a shape that sh:or, sh:and, sh:xone, sh:not or
        sh:qualifiedValueShape refer to (under allow_warnings: a shape of severity sh:Warning or sh:Info
        always conforms, another when none of its results is a violation); raises Unknown."""
        model = self._model(shape_node)
        if model.deactivated:
            return True
        if model.unknown:
            raise Unknown(model.unknown)
        if model.severity in ALLOWED:
            return True
        return not self.results(shape_node, value, depth)[1]

    def results(self, shape_node, value, depth: int) -> tuple[bool, bool]:
        """(any result, any violation) for `value` against the shape, kept for the next time it is asked;
        raises Unknown."""
        if depth > MAX_DEPTH:
            raise Unknown("too deep")
        key = (shape_node, value)
        found = self.memo.get(key)
        if found is None:
            try:
                found = self._results(shape_node, value, depth)
            except Unknown as unknown:
                found = unknown
            self.memo[key] = found
        if isinstance(found, Unknown):
            raise found
        return found

    def _results(self, shape_node, focus, depth: int) -> tuple[bool, bool]:
        model = self._model(shape_node)
        if model.deactivated:
            return False, False
        if model.unknown:
            raise Unknown(model.unknown)
        values = self._values(model, focus)
        own = any(check(values, depth) for check in model.checks)
        violation = own and model.severity not in ALLOWED
        found = own
        for prop in model.properties:
            for value in values:
                any_result, any_violation = self.results(prop, value, depth + 1)
                found = found or any_result
                violation = violation or any_violation
                if violation:
                    return True, True
        return found, violation

    def _values(self, model, focus) -> list:
        if model.path is None:
            return [focus]
        by_node = self.index.subjects[model.path] if model.inverse else self.index.objects[model.path]
        found = by_node.get(focus)
        if not found:
            return []
        return list(dict.fromkeys(found)) if len(found) > 1 else found

    # --- shapes, read once ------------------------------------------------------------------------------

    def _model(self, node) -> "Model":
        model = self.models.get(node)
        if model is None:
            model = self.models[node] = self._read(node)
        return model

    def _read(self, node) -> "Model":
        g = self.graph
        model = Model()
        try:
            shape = self.sg.lookup_shape_from_node(node)
        except KeyError:
            model.unknown = "not a shape pySHACL knows"
            return model
        model.deactivated = bool(shape.deactivated)
        model.severity = shape.severity
        if shape.is_property_shape:
            path = shape.path()
            inverse = g.value(path, SH.inversePath) if isinstance(path, rdflib.BNode) else None
            if isinstance(path, rdflib.URIRef):
                model.path = to_oxigraph(path)
            elif isinstance(inverse, rdflib.URIRef) and len(list(g.predicate_objects(path))) == 1:
                model.path, model.inverse = to_oxigraph(inverse), True
            else:
                model.unknown = "a path other than a predicate or its inverse"
                return model
        parameters = {p for p, _ in g.predicate_objects(node)}
        unmodelled = parameters & (NOT_MODELLED | self.custom)
        if unmodelled:
            model.unknown = f"{', '.join(sorted(str(p) for p in unmodelled))} is not modelled"
            return model
        try:
            self._read_checks(node, shape, parameters, model)
        except (ConstraintLoadError, ConstraintLoadWarning, ReportableRuntimeError, ShapeLoadError, Unknown,
                KeyError, ValueError, TypeError, AttributeError) as err:
            model.unknown = f"cannot be read here ({err.__class__.__name__})"
        return model

    def _read_checks(self, node, shape, parameters: set, model: "Model") -> None:
        """Each constraint component of the shape as pySHACL builds it (so that its parameters are read, and
        refused, as pySHACL reads them), turned into a check of the value nodes."""
        g = self.graph
        checks = model.checks
        built = {}
        for parameter in sorted(parameters & set(CONSTRAINT_PARAMETERS_MAP)):
            cls = CONSTRAINT_PARAMETERS_MAP[parameter]
            if cls in built:
                continue
            try:
                built[cls] = cls(shape)
            except ConstraintLoadWarning:  # pySHACL leaves such a component out
                built[cls] = None
        for component in built.values():
            if component is None:
                continue
            name = type(component).__name__
            if name in VALUE_COMPONENT_NAMES:
                checks.append(self._value_check(component))
            elif name == "MinCountConstraintComponent":
                low = int(component.min_count.value)
                checks.append(lambda values, depth, low=low: len(values) < low)
            elif name == "MaxCountConstraintComponent":
                high = int(component.max_count.value)
                checks.append(lambda values, depth, high=high: len(values) > high)
            elif name == "HasValueConstraintComponent":
                wanted = {self.terms.key(v) for v in component.has_value_set}
                checks.append(lambda values, depth, wanted=wanted: not wanted <= set(values))
            elif name == "ClassConstraintComponent":
                classes = [to_oxigraph(c) for c in component.class_rules]
                checks.append(lambda values, depth, classes=classes:
                              not all(self._is_instance(v, c) for v in values for c in classes))
            elif name == "NodeConstraintComponent":  # pySHACL: fails on any result of the other shape
                others = list(component.node_shapes)
                checks.append(lambda values, depth, others=others:
                              any(self.results(o, v, depth + 1)[0] for v in values for o in others))
            elif name == "NotConstraintComponent":
                negated = list(component.not_list)
                checks.append(lambda values, depth, negated=negated:
                              any(self.conforms(n, v, depth + 1) for v in values for n in negated))
            elif name in LIST_COMPONENTS:
                attribute, test, collect = LIST_COMPONENTS[name]
                for head in getattr(component, attribute):
                    members = collect(g.items(head))
                    if not members:
                        raise Unknown("an empty list of shapes")
                    checks.append(lambda values, depth, members=members, test=test:
                                  not all(test(sum(self.conforms(m, v, depth + 1) for m in members), len(members))
                                          for v in values))
            elif name == "QualifiedValueShapeConstraintComponent":
                if component.is_disjoint or len(component.value_shapes) != 1:
                    raise Unknown("a disjoint or multiple sh:qualifiedValueShape")
                (inner,) = component.value_shapes
                low, high = component.min_count, component.max_count

                def qualified(values, depth, inner=inner, low=low, high=high):
                    n = sum(self.conforms(inner, v, depth + 1) for v in values)
                    return (low is not None and n < low) or (high is not None and n > high)
                checks.append(qualified)
            elif name == "PropertyConstraintComponent":
                model.properties = list(component.property_shapes)
            else:
                raise Unknown(f"{name} is not modelled")

    def _is_instance(self, value, cls) -> bool:
        """pySHACL's sh:class test (rdflib mode): a literal never; a node when one of its rdf:type values
        is the class or has it among its transitive rdfs:subClassOf objects."""
        if isinstance(value, rdflib.Literal):
            return False
        superclasses = self.index.superclasses
        return any(cls in superclasses(t) for t in self.index.objects[TYPE].get(value, ()))

    def _value_check(self, component):
        """A check that fails when pySHACL's `component` fails a value. The component is the screen's own
        copy, whose results are not kept (make_v_result, which writes a result's message, does nothing),
        and each value is judged once, or once per what the verdict depends on (see `verdict_key`)."""
        verdicts, executor, of = self.verdicts, self.executor, self.terms.of
        component.make_v_result = lambda *args, **kwargs: None
        empty = rdflib.Graph()
        keyed = verdict_key(component)

        def check(values, depth) -> bool:
            for value in values:
                term = of(value)
                key = (component, keyed(term))
                ok = verdicts.get(key)
                if ok is None:
                    ok, _ = component.evaluate(executor, empty, {term: {term}}, [])
                    verdicts[key] = ok
                if not ok:
                    return True
            return False
        return check

    def _custom_parameters(self) -> set:
        """The parameters of constraint components the shapes graph defines (SHACL-AF, whatever subclass of
        sh:ConstraintComponent declares them): not modelled."""
        g = self.graph
        return {path for parameter in g.objects(None, SH.parameter) for path in g.objects(parameter, SH.path)}


@dataclass
class Model:
    """A shape as the screen reads it."""

    path: ox.NamedNode | None = None   # None for a node shape
    inverse: bool = False
    deactivated: bool = False
    severity: object = SH.Violation
    checks: list = field(default_factory=list)      # each (values, depth) → True when it gives a result
    properties: list = field(default_factory=list)  # the sh:property shapes (applied to each value)
    unknown: str | None = None                      # why the screen cannot model it


def verdict_key(component):
    """What pySHACL's verdict of `component` on a value depends on (pySHACL 0.40.1's code read): for
    sh:languageIn, whether the value is a literal and its language tag; for sh:nodeKind, the kind of node;
    for sh:datatype xsd:string or rdf:langString, the kind of node, the datatype and whether there is a
    language tag (rdflib's value of such a literal is always a str); otherwise the value itself."""
    name = type(component).__name__
    if name == "LanguageInConstraintComponent":
        return lambda term: (type(term), term.language if isinstance(term, rdflib.Literal) else None)
    if name == "NodeKindConstraintComponent":
        return type
    if name == "DatatypeConstraintComponent" and component.datatype_rule in (XSD_STRING, RDF.langString):
        return lambda term: (type(term), getattr(term, "datatype", None), bool(getattr(term, "language", None)))
    return lambda term: term


XSD_STRING = rdflib.XSD.string


def screen(shapes: rdflib.Graph, triples, store: TargetStore | None) -> Screened:
    """Screen `triples` (ontology, data and closure, as pySHACL validates them) against `shapes`."""
    return Screen(shapes, triples, store).run()
