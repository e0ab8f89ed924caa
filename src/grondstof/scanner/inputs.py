"""From a company's file or a template to needs: one :class:`Need` per line and material, with its origin.

This is the query layer's input half: it turns checked cells (:mod:`grondstof.scanner.readers`) into
tonnes per year of registry materials, resolving names through the registries and citing where each
figure comes from. Every bad cell becomes a :class:`~grondstof.scanner.readers.Problem` with its line and
column; nothing is dropped silently.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from grondstof.errors import InputError
from grondstof.scanner import kernel
from grondstof.scanner.readers import (
    KINDS,
    Problem,
    RawTable,
    cell_text,
    check_cell,
    column_index,
    is_blank,
    parse_number,
    unit_factor,
)

CURRENCIES = ("EUR", "USD")
QUANTITY_UNITS = {"kg": 1e-3, "t": 1.0}
GROUP_UNITS = ("t", "kg", "EUR")
# HS6 codes are looked up in the newest nomenclature first; HS22 is stored at heading level (4 digits).
HS6_ORDER = ("HS17", "HS07", "HS92")


@dataclass(frozen=True)
class Need:
    """One line's yearly need of one material.

    ``tonnes`` is content (the material itself) where known; for ``basis == "gross"`` the gross weight of
    the goods (no content factor can be cited); for ``basis == "basket"`` None (a code shared by several
    materials cannot be split) with the basket's gross tonnes in ``gross_tonnes``.
    """

    product: str
    component: str
    material: str
    tonnes: float | None
    supplier: str | None  # ISO3 of the named supplier or origin
    line: int | None
    basis: str = "content"  # content | gross | basket
    gross_tonnes: float | None = None
    content: float | None = 1.0
    content_how: str = ""
    source: str = ""  # template source key or "file"
    assumption: bool = False
    code: str | None = None
    value: float | None = None
    currency: str | None = None
    year: int | None = None
    stage: str | None = None  # value-chain stage of an import code; None: material in a product (processed)


@dataclass
class Parsed:
    """The needs of one input, what could not be read, and what the input says about itself."""

    kind: str
    template: str | None = None
    needs: list[Need] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unmapped: list[dict[str, Any]] = field(default_factory=list)
    rows: int = 0
    notes: list[str] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)


def _resolver(resolve: Callable[[str], Any], cache: dict[str, Any]) -> Callable[[str], Any]:
    """Memoise a registry lookup (a 10,000-line file names the same materials over and over)."""

    def lookup(text: str) -> Any:
        key = text.casefold()
        if key not in cache:
            try:
                cache[key] = resolve(text)
            except InputError as exc:
                cache[key] = exc
        found = cache[key]
        if isinstance(found, InputError):
            raise found
        return found

    return lookup


def _bad(problems: list[Problem], line: int, column: str, value: Any, exc: InputError) -> None:
    problems.append(Problem(line, column, value, exc.expected, tuple(exc.suggestions)))


def parse_table(table: RawTable, kind: str, *, quantity: float, store: Any = None) -> Parsed:
    """Check every row of ``table`` as input ``kind`` and turn the valid ones into needs.

    ``store`` is needed only for product groups (the TNO coefficients are a store table).
    """
    parsed = Parsed(kind, notes=list(table.notes))
    index = column_index(table.header, KINDS[kind])
    known = {table.header[i] for i in index.values()}
    extra = [h for h in table.header if h and h not in known]
    if extra:
        parsed.notes.append("Columns not used: " + ", ".join(extra[:10]) + ".")
    parsed.rows = len(table.rows)
    if kind == "bom":
        _parse_bom(table, index, parsed, quantity)
    elif kind == "imports":
        _parse_imports(table, index, parsed, quantity)
    else:
        _parse_groups(table, index, parsed, quantity, store)
    return parsed


def _cells(cells: list[Any], index: dict[str, int]) -> dict[str, Any]:
    return {name: (cells[i] if i < len(cells) else None) for name, i in index.items()}


def _number(
    row: dict[str, Any],
    name: str,
    line: int,
    problems: list[Problem],
    decimal_comma: bool,
    *,
    minimum: float = 0.0,
    strict: bool = False,
    required: bool = True,
    expected: str = "",
) -> float | None:
    value = row.get(name)
    if is_blank(value):
        if required:
            problems.append(Problem(line, name, None, expected or "a number"))
        return None
    number = parse_number(value, decimal_comma)
    if number is None or number < minimum or (strict and number <= minimum):
        sign = ">" if strict else "≥"
        problems.append(Problem(line, name, value, expected or f"a number {sign} {minimum:g}"))
        return None
    return number


def _parse_bom(table: RawTable, index: dict[str, int], parsed: Parsed, quantity: float) -> None:
    from grondstof.registry.countries import countries
    from grondstof.registry.materials import materials

    material_of = _resolver(lambda t: materials().resolve(t, parameter="material"), {})
    country_of = _resolver(lambda t: countries().resolve(t, parameter="supplier_country"), {})
    units = ", ".join(kernel.MASS_UNITS)
    for line, cells in table.rows:
        row = _cells(cells, index)
        before = len(parsed.problems)
        for name, value in row.items():
            if (problem := check_cell(value, line, name)) is not None:
                parsed.problems.append(problem)
        if len(parsed.problems) > before:
            continue
        product = cell_text(row.get("product"))
        if not product:
            parsed.problems.append(Problem(line, "product", None, "a product name"))
        material = None
        text = cell_text(row.get("material"))
        if not text:
            parsed.problems.append(Problem(line, "material", None, "a material name, symbol or alias"))
        else:
            try:
                material = material_of(text)
            except InputError as exc:
                _bad(parsed.problems, line, "material", text, exc)
        mass = _number(
            row,
            "mass",
            line,
            parsed.problems,
            table.decimal_comma,
            strict=True,
            expected="a number > 0 (the mass of the material in one product unit)",
        )
        unit_text = cell_text(row.get("unit"))
        factor = unit_factor(unit_text) if unit_text else None
        if factor is None:
            from grondstof.registry._text import suggest

            parsed.problems.append(
                Problem(
                    line,
                    "unit",
                    unit_text or None,
                    f"one of {units}",
                    tuple(suggest(unit_text, list(kernel.MASS_UNITS), n=2)),
                )
            )
        per_year = _number(
            row,
            "units_per_year",
            line,
            parsed.problems,
            table.decimal_comma,
            expected="a number ≥ 0 (product units per year)",
        )
        content = 1.0
        if "content" in row and not is_blank(row.get("content")):
            content = (
                _number(
                    row,
                    "content",
                    line,
                    parsed.problems,
                    table.decimal_comma,
                    strict=True,
                    expected="a fraction > 0 and ≤ 1",
                )
                or 0.0
            )
            if content > 1:
                parsed.problems.append(Problem(line, "content", row.get("content"), "a fraction > 0 and ≤ 1"))
        supplier = None
        supplier_text = cell_text(row.get("supplier_country"))
        if supplier_text:
            try:
                supplier = country_of(supplier_text).iso3
            except InputError as exc:
                _bad(parsed.problems, line, "supplier_country", supplier_text, exc)
        if len(parsed.problems) > before:
            continue
        assert material is not None and mass is not None and factor is not None and per_year is not None
        parsed.needs.append(
            Need(
                product=product,
                component=cell_text(row.get("component")),
                material=material.id,
                tonnes=kernel.yearly_tonnes(mass, factor, per_year, content, quantity),
                supplier=supplier,
                line=line,
                content=content,
                content_how="as given in the file"
                if content != 1.0
                else "1 (the stated mass is the material)",
                source="file",
            )
        )


def _lookup_code(code: str) -> tuple[str | None, list[Any], str]:
    """(classification, registry rows, how) for an HS6 or CN8 code; unknown codes give no rows."""
    from grondstof.registry.materials import materials

    registry = materials()
    if len(code) == 8:
        rows = registry.by_code("CN8", code)
        if rows:
            return "CN8", rows, "CN8"
        code6 = code[:6]
        how = "HS6 subheading of the CN8 code"
    else:
        code6 = code
        how = "HS6"
    for classification in HS6_ORDER:
        rows = registry.by_code(classification, code6)
        if rows:
            return classification, rows, how
    rows = registry.by_code("HS22", code6[:4])
    if rows:
        return "HS22", rows, "HS4 heading (HS 2022, the registry keeps HS22 at heading level)"
    return None, [], how


@functools.cache
def _content_factor(classification: str, code: str, material: str) -> tuple[float | None, str]:
    """Content of the element per gross tonne for one code, from the mass balance's cited factors.

    The mass balance states factors in the basis of World Mining Data (Li2O for lithium, As2O3 for arsenic,
    metal content otherwise); an oxide basis is converted to the element with standard atomic weights.
    """
    from grondstof.scenarios.massbalance import ATOMIC_WEIGHT, CONTENT_FACTORS

    oxide = {"Li2O": ("Li", 2, {"Li": 2, "O": 1}), "As2O3": ("As", 2, {"As": 2, "O": 3})}
    for factor in CONTENT_FACTORS:
        if (factor.classification, factor.code, factor.material) != (classification, code, material):
            continue
        if factor.basis == "metal content":
            return factor.factor, f"{factor.how} ({factor.source})"
        if factor.basis in oxide:
            element, count, formula = oxide[factor.basis]
            per_oxide = ATOMIC_WEIGHT[element] * count / sum(ATOMIC_WEIGHT[e] * n for e, n in formula.items())
            return (
                factor.factor * per_oxide,
                f"{factor.how}, then {factor.basis} → {element} ({factor.source})",
            )
    return None, ""


def _parse_imports(table: RawTable, index: dict[str, int], parsed: Parsed, quantity: float) -> None:
    from grondstof.registry.countries import countries

    country_of = _resolver(lambda t: countries().resolve(t, parameter="origin"), {})
    code_cache: dict[str, tuple[str | None, list[Any], str]] = {}
    unmapped: dict[str, dict[str, Any]] = {}
    for line, cells in table.rows:
        row = _cells(cells, index)
        before = len(parsed.problems)
        for name, value in row.items():
            if (problem := check_cell(value, line, name)) is not None:
                parsed.problems.append(problem)
        if len(parsed.problems) > before:
            continue
        raw_code = cell_text(row.get("code"))
        code = "".join(ch for ch in raw_code if not ch.isspace() and ch != ".")
        if not (code.isdigit() and len(code) in (6, 8)):
            parsed.problems.append(
                Problem(line, "code", raw_code or None, "an HS6 (6 digits) or CN8 (8 digits) code")
            )
        origin = None
        origin_text = cell_text(row.get("origin"))
        if not origin_text:
            parsed.problems.append(Problem(line, "origin", None, "a country of origin"))
        else:
            try:
                origin = country_of(origin_text).iso3
            except InputError as exc:
                _bad(parsed.problems, line, "origin", origin_text, exc)
        amount = _number(
            row,
            "quantity",
            line,
            parsed.problems,
            table.decimal_comma,
            expected="a number ≥ 0 (net mass of the goods)",
        )
        unit_text = cell_text(row.get("quantity_unit")).lower()
        if unit_text not in QUANTITY_UNITS:
            from grondstof.registry._text import suggest

            parsed.problems.append(
                Problem(
                    line,
                    "quantity_unit",
                    unit_text or None,
                    "kg or t",
                    tuple(suggest(unit_text, list(QUANTITY_UNITS), n=2)),
                )
            )
        value = _number(
            row,
            "value",
            line,
            parsed.problems,
            table.decimal_comma,
            required=False,
            expected="a number ≥ 0 (value in `currency`)",
        )
        currency = cell_text(row.get("currency")).upper() or None
        if value is not None and currency not in CURRENCIES:
            parsed.problems.append(Problem(line, "currency", currency, "EUR or USD (required with a value)"))
        year = _number(
            row, "year", line, parsed.problems, table.decimal_comma, expected="a year such as 2024"
        )
        if year is not None and not (year.is_integer() and 1988 <= year <= 2100):
            parsed.problems.append(Problem(line, "year", row.get("year"), "a year such as 2024"))
        if len(parsed.problems) > before:
            continue
        assert origin is not None and amount is not None and year is not None
        gross = amount * QUANTITY_UNITS[unit_text] * quantity
        if code not in code_cache:
            code_cache[code] = _lookup_code(code)
        classification, rows, how = code_cache[code]
        if not rows:
            entry = unmapped.setdefault(code, {"code": code, "lines": [], "tonnes": 0.0, "values": {}})
            entry["lines"].append(line)
            entry["tonnes"] += gross
            if value is not None and currency:
                entry["values"][currency] = entry["values"].get(currency, 0.0) + value * quantity
            continue
        basket = len({r.material for r in rows}) > 1 or any(r.basket for r in rows)
        for reg in rows:
            factor, factor_how = _content_factor(reg.classification, reg.code, reg.material)  # memoised
            if basket:
                tonnes, basis = None, "basket"
            elif factor is not None:
                tonnes, basis = gross * factor, "content"
            else:
                tonnes, basis = gross, "gross"
            parsed.needs.append(
                Need(
                    product=f"imports {int(year)}",
                    component=f"{classification} {reg.code} ({reg.stage}; matched as {how})",
                    material=reg.material,
                    tonnes=tonnes,
                    supplier=origin,
                    line=line,
                    basis=basis,
                    gross_tonnes=gross,
                    content=factor if basis == "content" else None,
                    content_how=factor_how
                    if basis == "content"
                    else (
                        "none: a code shared with other materials" if basket else "none cited: gross weight"
                    ),
                    source="file",
                    code=code,
                    # A basket's value cannot be split between its materials any more than its tonnes.
                    value=None if value is None or basket else value * quantity,
                    currency=currency,
                    year=int(year),
                    stage=reg.stage,
                )
            )
    parsed.unmapped = [
        {**entry, "lines": entry["lines"][:20], "line_count": len(entry["lines"])}
        for entry in unmapped.values()
    ]


def _parse_groups(
    table: RawTable, index: dict[str, int], parsed: Parsed, quantity: float, store: Any
) -> None:
    from grondstof.scanner import tno

    if store is None:
        raise InputError("store", None, "a store: product groups use its TNO table product_content")
    groups = tno.load_coefficients(store)
    parsed.citations.extend(store.cite(tno.SOURCE))
    parsed.notes.append(tno.UNIT_ASSUMPTION + ".")
    if groups.unmapped:
        parsed.notes.append(
            "TNO columns the material registry does not know (left out): " + ", ".join(groups.unmapped) + "."
        )
    for line, cells in table.rows:
        row = _cells(cells, index)
        before = len(parsed.problems)
        for name, value in row.items():
            if (problem := check_cell(value, line, name)) is not None:
                parsed.problems.append(problem)
        if len(parsed.problems) > before:
            continue
        group = None
        try:
            group = groups.resolve(cell_text(row.get("product_group")))
        except InputError as exc:
            _bad(parsed.problems, line, "product_group", cell_text(row.get("product_group")) or None, exc)
        amount = _number(
            row,
            "amount",
            line,
            parsed.problems,
            table.decimal_comma,
            expected="a number ≥ 0 (yearly amount in `unit`)",
        )
        unit = cell_text(row.get("unit"))
        unit_key = {"t": "t", "kg": "kg", "eur": "EUR"}.get(unit.lower())
        if unit_key is None:
            parsed.problems.append(Problem(line, "unit", unit or None, "t, kg or EUR"))
        per_kg = _number(
            row,
            "eur_per_kg",
            line,
            parsed.problems,
            table.decimal_comma,
            strict=True,
            required=unit_key == "EUR",
            expected="the product's value in EUR per kg (> 0), needed when unit is EUR",
        )
        if len(parsed.problems) > before:
            continue
        assert group is not None and amount is not None and unit_key is not None
        if unit_key == "EUR":
            assert per_kg is not None
            amount_t = amount / per_kg / 1000.0
            how = f"{amount:,.0f} EUR ÷ {per_kg:g} EUR/kg"
        else:
            amount_t = amount * (1.0 if unit_key == "t" else 1e-3)
            how = f"{amount:g} {unit_key}"
        for material, tonnes in kernel.product_group_tonnes(
            amount_t * quantity, groups.coefficients[group]
        ).items():
            parsed.needs.append(
                Need(
                    product=group,
                    component=f"CE25 {groups.groups[group]} ({how})",
                    material=material,
                    tonnes=tonnes,
                    supplier=None,
                    line=line,
                    content=None,
                    content_how="TNO coefficient (g per kg of product, assumed unit)",
                    source="tno_crm_content",
                )
            )


def parse_template(template_id: str, store: Any, *, quantity: float, lang: str = "en") -> Parsed:
    """The needs of ``quantity`` units of a shipped template per year."""
    from grondstof.scanner.templates import expand, resolve_template

    template = resolve_template(template_id, parameter="source")
    parsed = Parsed("template", template=template.id)
    lines = expand(template, store)
    parsed.rows = len(lines)
    name = template.display_name(lang)
    for line in lines:
        parsed.needs.append(
            Need(
                product=name,
                component=line.component,
                material=line.material,
                tonnes=line.tonnes_per_unit * quantity,
                supplier=None,
                line=None,
                content=1.0,
                content_how="1 (template masses are of the material itself)",
                source=line.source,
                assumption=line.assumption,
            )
        )
    for key, ref in template.sources.items():
        parsed.citations.append({"id": key, "title": ref.title, "url": ref.url, "template": template.id})
    parsed.notes.append(
        f"Template {template.id}: {template.description} Quantity: {quantity:g} {template.unit} per year."
    )
    parsed.notes.extend(f"Not included in the template: {text}" for text in template.not_included)
    assumed = sorted({f"{line.component}: {line.material}" for line in lines if line.assumption})
    if assumed:
        parsed.notes.append(
            "Assumptions (figures derived or typical, not measured): " + "; ".join(assumed) + "."
        )
    return parsed
