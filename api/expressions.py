"""``$filter`` → a Django ``Q``. odata-query parses the expression; before its Django visitor
runs, our own pass renames the declared OData properties to their ORM paths and refuses anything
undeclared, so a client can reach only what the entity set declares, and checks types, so a type
error is a 400 rather than a database error halfway through a response."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldError
from django.db.models import Value, lookups
from django.db.models.functions import Left, Right, StrIndex
from odata_query import ast
from odata_query import exceptions as odata_exc
from odata_query import typing as odata_typing
from odata_query.django.django_q import AstToDjangoQVisitor
from odata_query.grammar import ODataLexer, ODataParser
from odata_query.visitor import NodeTransformer

from . import edm
from .errors import ODataError, bad_option, not_implemented

# A $filter is parsed into a tree that odata-query and Django walk recursively: a long chain of
# `and` or a pile of `not` exhausts Python's stack. Real filters are short and shallow; lists of
# values belong in `in (...)`, which adds no depth.
FILTER_MAX_LENGTH = 2000
FILTER_MAX_DEPTH = 50
# Integers travel to the database as signed 64-bit values (SQLite refuses anything larger).
INT64_RANGE = (-(2**63), 2**63 - 1)
NUMERIC = (edm.INT64, edm.INT32, edm.DECIMAL, edm.DOUBLE)

STRING_FUNCTIONS = ("contains", "startswith", "endswith", "tolower", "toupper", "trim", "length", "indexof",
                    "substring", "concat")  # fmt: skip
DATE_FUNCTIONS = ("year", "month", "day", "hour", "minute", "second", "date", "time")
FUNCTION_ARGS = {
    **{name: (edm.STRING,) for name in STRING_FUNCTIONS if name not in ("substring",)},
    "substring": (edm.STRING, edm.INT32, edm.INT64),
    **{name: (edm.DATE, edm.DATETIME) for name in DATE_FUNCTIONS},
}
FUNCTION_RESULTS = {
    **{name: edm.BOOLEAN for name in ("contains", "startswith", "endswith")},
    **{name: edm.STRING for name in ("tolower", "toupper", "trim", "substring", "concat")},
    **{name: edm.INT32 for name in ("length", "indexof", "year", "month", "day", "hour", "minute", "second")},
}
# What $filter can call (declared as Capabilities.FilterFunctions in $metadata), and the other
# canonical functions of OData 4.0/4.01, which answer 501 rather than "unknown function".
FILTER_FUNCTIONS = (*STRING_FUNCTIONS, *DATE_FUNCTIONS, "now", "round", "floor", "ceiling")
CANONICAL_FUNCTIONS = {"matchespattern", "fractionalseconds", "totaloffsetminutes", "totalseconds", "maxdatetime",
                       "mindatetime", "cast", "isof", "hassubset", "hassubsequence", "case", "geo.distance",
                       "geo.intersects", "geo.length"}  # fmt: skip
NUMERIC_PEERS = {edm.INT32: (edm.INT64, edm.DECIMAL, edm.DOUBLE)}

LITERALS_FOR = {
    edm.STRING: (ast.String,),
    edm.INT64: (ast.Integer,),
    edm.INT32: (ast.Integer,),
    edm.DECIMAL: (ast.Integer, ast.Float),
    edm.DOUBLE: (ast.Integer, ast.Float),
    edm.BOOLEAN: (ast.Boolean,),
    edm.DATE: (ast.Date,),
    edm.DATETIME: (ast.DateTime, ast.Date),
    edm.GUID: (ast.GUID,),
}
# A literal's own EDM type, for the function-argument check (integers fit every numeric type).
LITERAL_TYPES = [
    (edm.STRING, (ast.String,)),
    (edm.INT64, (ast.Integer,)),
    (edm.DECIMAL, (ast.Float,)),
    (edm.BOOLEAN, (ast.Boolean,)),
    (edm.DATETIME, (ast.DateTime,)),
    (edm.DATE, (ast.Date,)),
]


def fits_int64(value: int) -> bool:
    return INT64_RANGE[0] <= value <= INT64_RANGE[1]


def resolve_path(entity_set: edm.EntitySet, name: str, option: str) -> tuple[str, edm.Prop]:
    """``Amount`` or ``Plan/Name`` → (ORM path, property)."""
    parts = name.split("/")
    if len(parts) == 1:
        prop = entity_set.prop(name)
        if prop is None:
            raise bad_option(option, f"{entity_set.name} has no property “{name}”.")
        return prop.source, prop
    if len(parts) == 2:
        nav = entity_set.nav(parts[0])
        if nav is not None and nav in edm.active_navs(entity_set):
            for prop in edm.expandable_props(nav):
                if prop.name == parts[1]:
                    return f"{nav.source}__{prop.source}", prop
    raise bad_option(option, f"{entity_set.name} has no property path “{name}”.")


def rewrite_single_item_in(text: str) -> str:
    """``X in ('a')`` does not parse in odata-query: rewrite it to ``X eq 'a'`` (same meaning)."""
    try:
        tokens = list(ODataLexer().tokenize(text))
    except odata_exc.ODataException:
        return text  # the parser reports the error with its position
    edits = []
    for i in range(len(tokens) - 3):
        a, b, c, d = tokens[i : i + 4]
        if a.type == "IN" and b.type == "(" and d.type == ")" and c.type not in ("(", ")", ","):
            edits.append((a.index, d.index + 1, " eq " + text[c.index : d.index].strip() + " "))
    for start, end, replacement in reversed(edits):
        text = text[:start] + replacement + text[end:]
    return text


class _Declared(NodeTransformer):
    """Renames OData properties to ORM paths, refusing undeclared ones, and checks that literals
    compared with a property have a fitting type (a type error must be a 400, not a database
    error halfway through a response)."""

    def __init__(self, entity_set: edm.EntitySet):
        self.entity_set = entity_set
        self.types: dict[str, str] = {}

    def _identifier(self, name: str) -> ast.Identifier:
        path, prop = resolve_path(self.entity_set, name, "$filter")
        self.types[path] = prop.edm
        return ast.Identifier(path)

    def visit_Identifier(self, node: ast.Identifier) -> ast._Node:
        if node.namespace:
            raise bad_option("$filter", f"unknown name “{node.full_name()}”.")
        return self._identifier(node.name)

    def visit_Attribute(self, node: ast.Attribute) -> ast._Node:
        if not isinstance(node.owner, ast.Identifier) or node.owner.namespace:
            raise bad_option("$filter", "only one level of navigation is supported.")
        return self._identifier(f"{node.owner.name}/{node.attr}")

    def visit_Call(self, node: ast.Call) -> ast._Node:
        name = node.func.full_name().lower()
        if name not in FILTER_FUNCTIONS:
            if name in CANONICAL_FUNCTIONS:
                raise not_implemented("$filter", f"the function {node.func.full_name()}() is not implemented.")
            raise bad_option("$filter", f"unknown function {node.func.full_name()}().")
        args = [self.visit(arg) for arg in node.args]
        # PostgreSQL types its functions strictly (SQLite does not): toupper(a number) or year(a
        # boolean) must be refused here, not fail in SQL halfway through a response.
        wanted = FUNCTION_ARGS.get(node.func.name.lower())
        if wanted is not None:
            for arg in args:
                if self._type_of(arg) not in (None, *wanted):
                    raise bad_option("$filter", f"{node.func.name}() does not take “{_describe(arg)}”.")
        return ast.Call(node.func, args)

    def _type_of(self, node) -> str | None:
        """The EDM type of a property, a function call or a literal; None when unknown."""
        if isinstance(node, ast.Identifier):
            return self.types.get(node.name)
        if isinstance(node, ast.Call):
            return FUNCTION_RESULTS.get(node.func.name.lower())
        while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            node = node.operand
        for edm_type, literal_types in LITERAL_TYPES:
            if isinstance(node, literal_types):
                return edm_type
        return None

    def visit_BinOp(self, node: ast.BinOp) -> ast._Node:
        # Arithmetic on text or dates would reach the database as an expression it cannot type.
        left, right = self.visit(node.left), self.visit(node.right)
        for side in (left, right):
            if not self._numeric(side):
                raise bad_option("$filter", "arithmetic (add, sub, mul, div, mod) needs numeric properties or numbers.")
        return ast.BinOp(node.op, left, right)

    def _numeric(self, node) -> bool:
        if isinstance(node, ast.Identifier):
            return self.types.get(node.name) in NUMERIC
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return self._numeric(node.operand)
        return isinstance(node, (ast.Integer, ast.Float, ast.BinOp))

    def visit_CollectionLambda(self, node):
        raise not_implemented(
            "$filter", "any/all are not implemented (this service has no collection-valued navigation properties)."
        )

    def visit_Compare(self, node: ast.Compare) -> ast._Node:
        left, right = self.visit(node.left), self.visit(node.right)
        self._check(left, right)
        self._check(right, left)
        if isinstance(left, ast.Identifier) and self.types.get(left.name) == edm.DATETIME:
            right = _as_datetime(right)
        if isinstance(right, ast.Identifier) and self.types.get(right.name) == edm.DATETIME:
            left = _as_datetime(left)
        return ast.Compare(node.comparator, left, right)

    def _check(self, side, other) -> None:
        side_type = self._type_of(side) if isinstance(side, (ast.Identifier, ast.Call)) else None
        if side_type is None:
            return
        expected = LITERALS_FOR.get(side_type, ())
        values = other.val if isinstance(other, ast.List) else [other]
        for value in values:
            while isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
                value = value.operand  # -1 is a number too: a string column must not meet it in SQL
            if isinstance(value, ast.Call):
                result = self._type_of(value)
                if result is not None and side_type not in (result, *NUMERIC_PEERS.get(result, ())):
                    raise bad_option("$filter", f"cannot compare a {side_type} with {value.func.name}().")
                continue
            if isinstance(value, (ast.Null, ast.Identifier, ast.Attribute, ast.BinOp, ast.UnaryOp)):
                continue
            if isinstance(value, ast._Literal) and not isinstance(value, expected):
                raise bad_option("$filter", f"cannot compare a {side_type} with “{_literal_text(value)}”.")


def _describe(node) -> str:
    if isinstance(node, ast.Identifier):
        return node.name.split("__")[-1]
    return _literal_text(node)


def _literal_text(node) -> str:
    return str(getattr(node, "val", node))


def _as_datetime(node):
    if isinstance(node, ast.Date):
        return ast.DateTime(f"{node.val}T00:00:00Z")
    if isinstance(node, ast.List):
        return ast.List([_as_datetime(v) for v in node.val])
    return node


class _Visitor(AstToDjangoQVisitor):
    """odata-query's Django visitor, with exact decimals, UTC date-times, and case-sensitive
    ``contains``/``startswith``/``endswith`` on every database: Django's lookups use LIKE, which
    SQLite compares without case (PostgreSQL with case, as OData wants). INSTR/STRPOS and a
    comparison of the first or last characters are case-sensitive on both."""

    def _substring_test(self, field, substr, kind: str):
        odata_typing.typecheck(field, (ast.Identifier, ast.String), "field")
        odata_typing.typecheck(substr, ast.String, "substring")
        lhs, text = self.visit(field), substr.val
        if text == "":  # every string contains, starts and ends with the empty string
            return lookups.IsNull(lhs, False)
        if kind == "contains":
            return lookups.GreaterThan(StrIndex(lhs, Value(text)), 0)
        cut = Left if kind == "startswith" else Right
        return lookups.Exact(cut(lhs, len(text)), Value(text))

    def djangofunc_contains(self, field, substr):
        return self._substring_test(field, substr, "contains")

    def djangofunc_startswith(self, field, substr):
        return self._substring_test(field, substr, "startswith")

    def djangofunc_endswith(self, field, substr):
        return self._substring_test(field, substr, "endswith")

    def visit_Float(self, node: ast.Float) -> Value:
        try:
            return Value(Decimal(node.val))  # exact, like the money columns it meets
        except InvalidOperation:
            raise odata_exc.ValueException(node.val) from None

    def visit_DateTime(self, node: ast.DateTime) -> Value:
        value = super().visit_DateTime(node)
        if isinstance(value.value, dt.datetime) and value.value.tzinfo is None:
            value = Value(value.value.replace(tzinfo=dt.UTC))
        return value


def _check_shape(tree) -> None:
    """Refuse trees deeper than FILTER_MAX_DEPTH and integers beyond 64 bits, walking with an
    explicit stack (a recursive walk would fail on the very trees it is meant to refuse)."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > FILTER_MAX_DEPTH:
            raise bad_option(
                "$filter",
                f"the expression is nested more than {FILTER_MAX_DEPTH} levels deep "
                "(combine fewer conditions, or list values with `in (...)`).",
            )
        if isinstance(node, ast.Integer) and not fits_int64(int(node.val)):
            raise bad_option("$filter", f"the number {node.val} is out of range (64-bit integers only).")
        children = []
        for value in vars(node).values() if isinstance(node, ast._Node) else ():
            children.extend(value if isinstance(value, (list, tuple)) else [value])
        stack.extend((child, depth + 1) for child in children if isinstance(child, ast._Node))


def parse_filter(entity_set: edm.EntitySet, raw: str):
    if len(raw) > FILTER_MAX_LENGTH:
        raise bad_option("$filter", f"the expression is longer than {FILTER_MAX_LENGTH} characters.")
    text = rewrite_single_item_in(raw).strip()
    if not text:
        raise bad_option("$filter", "empty expression.")
    try:
        tree = ODataParser().parse(ODataLexer().tokenize(text))
        _check_shape(tree)
        if not isinstance(tree, (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Call, ast.CollectionLambda)):
            raise bad_option("$filter", "the expression is not a condition.")
        tree = _Declared(entity_set).visit(tree)
        visitor = _Visitor(entity_set.model)
        q = visitor.visit(tree)
    except ODataError:
        raise
    except odata_exc.ODataException as exc:
        raise bad_option("$filter", str(exc) or exc.__class__.__name__) from None
    except (ValueError, TypeError, NotImplementedError, AttributeError, OverflowError, FieldError) as exc:
        raise bad_option("$filter", f"cannot use this expression ({exc}).") from None
    return q, visitor.queryset_annotations
