"""A set-based CSV row pipeline. A chunk of rows is checked with at most one query per lookup
(every account name, every email, every id of the chunk at once; names met in an earlier chunk
are remembered), the model's own field validation (remembered by value: dates, currencies and
stages repeat) and the model's ``clean``; then written with one INSERT … RETURNING a batch and
``bulk_update``. It replaced django-import-export for the imports, whose per-row work (an
instance, a diff and a savepoint a row) took minutes at 100,000 rows.

A ``Column`` turns the file's text into a value (or raises ``ValueError`` with the message
shown to the user); a ``Lookup`` column resolves text to a row of the tenant. The checks mirror
a model's ``full_clean`` less ``validate_unique``/``validate_constraints``: an importer whose
model has unique constraints checks them itself (the database would refuse the whole batch).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, models, transaction
from django_scopes import scopes_disabled

CACHE_LIMIT = 20_000  # distinct values remembered per column (bounded memory on 100,000 rows)

# After an import this large, PostgreSQL's statistics of the table are refreshed at once rather
# than when autovacuum gets to it: the planner would otherwise plan the pages, the drill-downs
# and the recalculation for the table it saw before the tenant's rows arrived.
ANALYZE_AFTER_ROWS = 10_000


def analyze_after_commit(model: type[models.Model], rows: int) -> None:
    """Refresh ``model``'s table statistics once the import that wrote ``rows`` rows commits
    (ANALYZE reads a sample of the table: after the commit, outside the import's locks)."""
    if connection.vendor == "postgresql" and rows >= ANALYZE_AFTER_ROWS:
        table = model._meta.db_table
        transaction.on_commit(lambda: analyze(table), robust=True)


def analyze(table: str) -> None:
    # As maintenance: only a table's owner may ANALYZE it. The app role an import's job runs as
    # gets a warning, not an error, and PostgreSQL skips the table.
    with scopes_disabled(), connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{table}"')  # noqa: S608 - a model's own table name


@dataclass(frozen=True)
class Column:
    name: str  # the file's column and the model field
    parse: Callable[[str], Any] = str  # text -> value; ValueError(message) for bad text
    default_when_empty: bool = False  # an empty cell takes the model field's default
    cache: bool = True  # parse and validation remembered by text (False for free text)
    # For uncached columns: a key of what validation depends on (a number's digits and places),
    # so the field's validators run once per key rather than once per row.
    shape: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class Lookup:
    """A foreign key named by text (an account's name, a user's email): ``resolve(texts)`` is one
    query for a chunk's texts and returns {text: (id, extra)}; ``extra`` is what ``touched`` needs."""

    name: str
    resolve: Callable[[set[str]], dict[str, tuple[int, Any]]]

    def message(self, text: str) -> str:
        return f"“{text}” not found in this workspace."


@dataclass
class Checked:
    """A chunk's verdicts: per row (status, errors), and the instances to write."""

    outcomes: list[tuple[str, list[str]]] = field(default_factory=list)
    new: list[models.Model] = field(default_factory=list)
    updated: list[models.Model] = field(default_factory=list)
    extras: set = field(default_factory=set)  # the lookups' extras of the rows written (e.g. accounts)
    old: list[dict] = field(default_factory=list)  # the stored values of the rows updated


class RowPipeline:
    """Check and write chunks of rows of ``model`` for ``tenant``. Statuses as the preview shows
    them: new (no id), update (an id of the tenant's, something differs), skip (nothing differs)."""

    def __init__(
        self,
        model: type[models.Model],
        tenant,
        columns: list[Column | Lookup],
        *,
        key: str = "id",
        row_check: Callable | None = None,
    ):
        """``key``: the column naming the stored row to update: ``id`` (an id not of the tenant's
        is an error) or a natural key such as a sales order's number (not found: a new row).
        ``row_check(n, instance, old) -> {field: [messages]}``: the model's rules the field checks
        do not see (a check constraint, a uniqueness), for row ``n`` of the chunk."""
        self.model, self.tenant = model, tenant
        self.key, self.row_check = key, row_check
        self.columns = columns
        self.fields = {f.name: f for f in model._meta.concrete_fields}
        self._parsed: dict[str, dict] = {c.name: {} for c in columns}
        self._valid: dict[str, dict] = {c.name: {} for c in columns}
        self._resolved: dict[str, dict] = {}
        self._absent_errors: dict[tuple, dict] = {}
        self._has_clean = model.clean is not models.Model.clean

    # --- checking --------------------------------------------------------------------------------

    def _parse(self, column: Column, text: str):
        """(value, widget error, validation error) of one cell, remembered by text."""
        cache = self._parsed[column.name] if column.cache else None
        if cache is not None and text in cache:
            return cache[text]
        f = self.fields[column.name]
        out: tuple
        try:
            value = column.parse(text)
        except ValueError as exc:
            out = (None, str(exc), None)
        else:
            if column.default_when_empty and value in (None, "") and f.has_default():
                value = f.get_default()
            if f.blank and value in f.empty_values:  # as Model.clean_fields: a blank value is not checked
                out = (value, None, None)
            elif column.shape is not None and value is not None:
                out = (value, None, self._validate_shape(column, f, value))
            else:
                try:
                    out = (f.clean(value, None), None, None)
                except ValidationError as exc:
                    out = (value, None, exc.messages)
        if cache is not None:
            if len(cache) >= CACHE_LIMIT:
                cache.clear()
            cache[text] = out
        return out

    def _resolve(self, lookup: Lookup, texts: set[str]) -> dict:
        """{text: (id, extra) or None when not found}: one query for the texts this import has not
        met yet (the same few hundred accounts fill a 100,000-row file)."""
        known = self._resolved.setdefault(lookup.name, {})
        if len(known) >= CACHE_LIMIT:
            known.clear()
        unknown = texts - known.keys()
        if unknown:
            found = lookup.resolve(unknown)
            known.update({text: found.get(text) for text in unknown})
        return known

    def _validate_shape(self, column: Column, f, value):
        """The field's verdict on ``value``, remembered by its shape (the value passes unchanged)."""
        known = self._valid[column.name]
        key = column.shape(value)
        if key not in known:
            try:
                f.clean(value, None)
                known[key] = None
            except ValidationError as exc:
                known[key] = exc.messages
        return known[key]

    def _absent(self, present: tuple[str, ...]) -> dict[str, list[str]]:
        """What ``full_clean`` says of a new row about the fields the file does not name (their
        defaults): computed once per header."""
        if present not in self._absent_errors:
            instance = self.model(tenant=self.tenant)
            exclude = {"id", "tenant", *present}
            try:
                instance.clean_fields(exclude=exclude)
                errors = {}
            except ValidationError as exc:
                errors = exc.message_dict
            self._absent_errors[present] = errors
        return self._absent_errors[present]

    def check(self, headers: list[str], rows: Iterable, *, stored_fields: list[str], build: bool = True) -> Checked:
        """Check a chunk. ``stored_fields``: the model fields read for an update's comparison and
        for ``touched`` (every field a column may change). ``build``: make the instances to write
        (a preview needs them only for the model's ``clean``)."""
        index = {h: i for i, h in enumerate(headers)}
        present = [c for c in self.columns if c.name in index]
        present_names = tuple(c.name for c in present)
        rows = [list(r) for r in rows]
        resolved: dict[str, dict] = {}
        for c in present:
            if isinstance(c, Lookup):
                resolved[c.name] = self._resolve(c, {r[index[c.name]].strip() for r in rows} - {""})
        if self.key == "id":
            ids, id_errors = self._ids(rows, index.get("id"))
        else:
            ids = [(r[index[self.key]].strip() or None) if self.key in index else None for r in rows]
            id_errors = [None] * len(rows)
        attnames = [self.fields[n].attname for n in stored_fields]
        stored = {}
        if any(i is not None for i in ids):
            lookup = "pk" if self.key == "id" else self.key
            found = self.model.objects.filter(
                tenant=self.tenant, **{f"{lookup}__in": {i for i in ids if i is not None}}
            )
            stored = {row[lookup]: row for row in found.values("pk", *attnames)}
        absent = self._absent(present_names)
        out = Checked()
        for n, row in enumerate(rows):
            errors: dict[str, list[str]] = {}
            values: dict[str, Any] = {}
            invalid: dict[str, list[str]] = {}  # the field checks' verdicts, kept for their turn below
            extras = set()
            for c in present:
                text = row[index[c.name]]
                if isinstance(c, Lookup):
                    key = text.strip()
                    if not key:
                        values[self.fields[c.name].attname] = None
                    elif resolved[c.name].get(key) is not None:
                        pk, extra = resolved[c.name][key]
                        values[self.fields[c.name].attname] = pk
                        extras.add(extra)
                    else:
                        errors[c.name] = [c.message(text)]
                    continue
                value, widget_error, messages = self._parse(c, text)
                if widget_error:
                    errors[c.name] = [widget_error]
                else:
                    values[c.name] = value
                    if messages:
                        invalid[c.name] = messages
            pk = ids[n]
            if id_errors[n]:
                errors = {"id": [id_errors[n]], **errors}
            old = stored.get(pk) if pk is not None else None
            if self.key == "id" and pk is not None and old is None and not id_errors[n]:
                errors = {"id": [f"“{row[index['id']].strip()}” not found in this workspace."], **errors}
            # The model's field checks, in the model's field order, after the widgets' errors.
            field_errors = {} if old is not None else dict(absent)
            for c in present:
                if isinstance(c, Lookup):
                    attname = self.fields[c.name].attname
                    if c.name not in errors and values.get(attname) is None and not self.fields[c.name].null:
                        field_errors[c.name] = [self.fields[c.name].error_messages["null"]]
                elif c.name in invalid:
                    field_errors[c.name] = invalid[c.name]
            for name in self.fields:
                if name in field_errors and name not in errors:
                    errors[name] = field_errors[name]
            instance = None
            if not errors and (build or self._has_clean or self.row_check):
                instance = self._instance(old, values)
                if self._has_clean:
                    try:
                        instance.clean()
                    except ValidationError as exc:
                        for name, messages in exc.message_dict.items():
                            errors.setdefault(name, []).extend(messages)
                if self.row_check is not None:
                    for name, messages in self.row_check(n, instance, old).items():
                        errors.setdefault(name, []).extend(messages)
            if errors:
                out.outcomes.append(("invalid", [_say(k, m) for k, ms in errors.items() for m in ms]))
                continue
            if old is None:
                out.new.append(instance)
                status = "new"
            elif all(_same(old[k], v) for k, v in values.items()):
                status = "skip"
            else:
                out.updated.append(instance)
                out.old.append(old)
                status = "update"
            if status != "skip":
                out.extras |= extras
            out.outcomes.append((status, []))
        return out

    def _ids(self, rows: list[list[str]], at: int | None) -> tuple[list, list]:
        if at is None:
            return [None] * len(rows), [None] * len(rows)
        ids, errors = [], []
        for row in rows:
            text = row[at].strip()
            try:
                ids.append(int(text) if text else None)
                errors.append(None)
            except ValueError:
                ids.append(None)
                errors.append(f"“{text}” is not a whole number.")
        return ids, errors

    def _instance(self, old: dict | None, values: dict) -> models.Model:
        if old is None:
            return self.model(tenant=self.tenant, **values)
        return self.model(tenant=self.tenant, **(old | values))

    # --- writing ---------------------------------------------------------------------------------

    def write(self, checked: Checked, *, update_fields: list[str], batch_size: int = 500) -> list[int]:
        """Insert the new rows and update the changed ones (``update_fields``: the columns the file
        names); returns the ids written. Call inside the import's transaction."""
        created = []
        if any(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) for f in self.model._meta.fields):
            created = [o.pk for o in self.model.objects.bulk_create(checked.new, batch_size=batch_size)]
        else:
            fields = [f for f in self.model._meta.concrete_fields if not f.primary_key]
            if connection.vendor != "postgresql":  # one SQL parameter per value: keep within the backend's limit
                batch_size = max(1, min(batch_size, connection.ops.bulk_batch_size(fields, checked.new)))
            for start in range(0, len(checked.new), batch_size):
                created += self._insert(checked.new[start : start + batch_size])
        if checked.updated and update_fields:
            self.model.objects.bulk_update(checked.updated, update_fields, batch_size=batch_size)
        return created + [o.pk for o in checked.updated]

    def _insert(self, objs: list[models.Model]) -> list[int]:
        """One multi-row INSERT … RETURNING id. What ``bulk_create`` sends, without its per-value
        compilation (about two thirds of an import's time): the values are already checked and
        the models here have no pre_save work (no auto_now), so each is only prepared for the
        database as ``bulk_create`` would."""
        fields = [f for f in self.model._meta.concrete_fields if not f.primary_key]
        qn = connection.ops.quote_name
        into = f"INSERT INTO {qn(self.model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)})"  # noqa: S608
        returning = f"RETURNING {qn(self.model._meta.pk.column)}"
        if connection.vendor == "postgresql":
            # One array per column: a statement of a dozen parameters, where one parameter per
            # value (thousands) costs the driver more to parse than the server to insert.
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
            sql = f"{into} SELECT * FROM unnest({arrays}) {returning}"  # noqa: S608 - names of our model
            params = [[f.get_db_prep_save(getattr(o, f.attname), connection) for o in objs] for f in fields]
        else:
            row = f"({', '.join(['%s'] * len(fields))})"
            sql = f"{into} VALUES {', '.join([row] * len(objs))} {returning}"
            params = [f.get_db_prep_save(getattr(o, f.attname), connection) for o in objs for f in fields]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = [r[0] for r in cursor.fetchall()]
        for obj, pk in zip(objs, ids, strict=True):
            obj.pk = pk
            obj._state.adding = False
        return ids


def _say(name: str, message: str) -> str:
    return message if name == NON_FIELD_ERRORS else f"{name}: {message}"


def _same(old, new) -> bool:
    """Stored and imported values are equal (1000 and 1000.00 are)."""
    return old == new
