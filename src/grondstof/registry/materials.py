"""The material registry: names, flags, trade codes and World Mining Data sheets of every material.

Three CSV tables next to this module are the single source of truth. They are our own reference tables
(nomenclature facts with a ``source``/``note`` column), not copies of any dataset:

``materials.csv``
    One row per material. ``id`` is a stable lowercase slug. ``group`` lists the groups a material belongs to
    (comma-separated); ``aliases``, ``crma_name`` and ``eu_crm_names`` are ``;``-separated. ``eu_crm_names``
    holds the exact ``Material`` strings of the EU CRM 2023 tables (after whitespace normalisation) so that
    a parser can map every one of them with :meth:`MaterialRegistry.from_eu_crm_name`.
``material_codes.csv``
    Trade code -> material -> value-chain stage. ``classification`` is ``HS92``, ``HS07``, ``HS17``
    (6 digits), ``HS22`` (**4-digit headings**: the comflow file aggregates BACI HS22 to HS4) or ``CN8``
    (8 digits).
    Codes are text; leading zeros are kept. A code that covers several materials (a *basket*, e.g. HS17
    811292 = unwrought Ga/Ge/Hf/In/Nb/Re/V) has one row per material, each with ``basket = 1``. A row's
    ``basket`` is 1 when the code also covers something outside that row's material: the ``rare_earths``
    row of HS92 280530 is 0 (scandium is a rare earth), the ``scandium`` row is 1.
``wmd_commodities.csv``
    World Mining Data sheet -> material, stage and content basis (``Li2O``, ``REO``, ``metal content`` …).
    Every sheet of the WMD long file appears exactly once.

Decisions worth knowing
-----------------------
* **Stages** are exactly :data:`STAGES`: ``extraction`` (ores, concentrates, natural minerals),
  ``processing`` (refined/unwrought metal, oxides, chemicals, ferro-alloys, mattes, intermediates),
  ``manufacturing`` (semi-manufactures, catalysts, permanent magnets), ``recycling`` (waste and scrap).
  A code that mixes metal with its scrap (e.g. HS92 810310 tantalum) takes its dominant stage; the note
  says so.
* **Bauxite/alumina/aluminium** (one CRMA item) is two materials: ``bauxite`` (the ore, extraction) and
  ``aluminium`` (alumina and metal, processing). Both carry the CRMA flags and the same ``crma_name``, so the
  34 Annex II entries map to 35 material ids and the 17 Annex I entries to 18. The CRMA text itself
  resolves to ``aluminium``. The EU CRM 2011-2020 tables rate "Bauxite" separately from "Aluminium", which is
  why one id would not do.
* ``titanium`` is the ores/TiO2 feedstock (EU "Titanium", not critical); ``titanium_metal`` is the CRMA item.
* ``graphite`` is natural graphite; CRMA's "Graphite - battery grade" maps to it. ``synthetic_graphite``
  (HS 380110) is separate.
* **Groups** (category ``group``): ``rare_earths`` = the 14 lanthanides other than promethium + yttrium +
  scandium (EU CRM 2023 groupings, where scandium is an REE but in neither LREE nor HREE); ``lree`` = Ce, La,
  Nd, Pr, Sm; ``hree`` = Dy, Er, Eu, Gd, Ho, Lu, Tb, Tm, Yb, Y; ``rare_earths_magnets`` = Nd, Pr, Tb, Dy, Gd,
  Sm, Ce (CRMA Annex I (n)); ``pgm`` = Pt, Pd, Rh, Ru, Ir, Os. Flags are not inherited: members carry only
  what the lists say about them (HREE/LREE critical, ``rare_earths_magnets`` strategic, PGM both).
* ``eu_crm_2023`` marks the Commission's 2023 CRM list (the same 34 items as CRMA Annex II, copper and nickel
  included); materials merely *screened* in the 2023 study have 0 but do have ``eu_crm_names``.
* :meth:`MaterialRegistry.codes` returns a material's own rows; pass ``include_members=True`` to add the
  rows of a group's members (one row per distinct code).

The CSVs are read with the :mod:`csv` module (never pandas defaults: codes are text).
"""

from __future__ import annotations

import csv
import difflib
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from grondstof.errors import InputError, SourceFormatError, UnknownMaterialError
from grondstof.parsing import is_ascii_digits
from grondstof.registry._text import normalise, split_list, suggest

__all__ = [
    "CATEGORIES",
    "CLASSIFICATIONS",
    "CODE_LENGTHS",
    "STAGES",
    "Material",
    "MaterialCode",
    "MaterialRegistry",
    "WmdCommodity",
    "materials",
]

STAGES = ("extraction", "processing", "manufacturing", "recycling")
CATEGORIES = ("metal", "industrial_mineral", "fuel", "bio", "gas", "group")
CLASSIFICATIONS = ("HS92", "HS07", "HS17", "HS22", "CN8")
# HS22 is stored at heading level because the only HS22 file (comflow) is aggregated to HS4.
CODE_LENGTHS = {"HS92": 6, "HS07": 6, "HS17": 6, "HS22": 4, "CN8": 8}
LANGUAGES = ("en", "nl")

_HERE = Path(__file__).parent
MATERIALS_CSV = "materials.csv"
CODES_CSV = "material_codes.csv"
WMD_CSV = "wmd_commodities.csv"

MATERIAL_COLUMNS = (
    "id",
    "name_en",
    "name_nl",
    "symbol",
    "category",
    "group",
    "aliases",
    "eu_crm_2023",
    "crma_strategic",
    "crma_critical",
    "crma_name",
    "eu_crm_names",
    "coverage_note_en",
    "coverage_note_nl",
    "source",
)
CODE_COLUMNS = ("classification", "code", "material", "stage", "basket", "description", "source", "note")
WMD_COLUMNS = ("wmd_commodity", "material", "stage", "content_basis", "note")

# Words resolve_many understands besides material names (checked at load not to clash with any name).
ALL_WORDS = frozenset({"all", "alle"})
CRM_WORDS = frozenset({"crm", "crms", "critical", "kritiek", "kritieke"})
STRATEGIC_WORDS = frozenset({"strategic", "srm", "strategisch", "strategische"})

EXPECTED_MATERIAL = (
    "a material id, English or Dutch name, chemical symbol or alias (e.g. gallium, kobalt, REE)"
)
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Material:
    """One material of the registry (a row of ``materials.csv``)."""

    id: str
    name_en: str
    name_nl: str
    symbol: str
    category: str
    groups: tuple[str, ...]
    aliases: tuple[str, ...]
    eu_crm_2023: bool
    crma_strategic: bool
    crma_critical: bool
    crma_name: str
    eu_crm_names: tuple[str, ...]
    coverage_note_en: str
    coverage_note_nl: str
    source: str = ""

    def name(self, lang: str = "en") -> str:
        """Return the English (``en``) or Dutch (``nl``) name."""
        return self.name_nl if _lang(lang) == "nl" else self.name_en

    def coverage_note(self, lang: str = "en") -> str:
        """Return what the shared data can and cannot say about this material, in English or Dutch."""
        return self.coverage_note_nl if _lang(lang) == "nl" else self.coverage_note_en

    @property
    def is_fuel(self) -> bool:
        """True for mineral fuels (crude oil, gas, coals, uranium …); coking coal counts as a fuel."""
        return self.category == "fuel"

    @property
    def is_group(self) -> bool:
        """True for groups such as ``rare_earths`` or ``pgm``."""
        return self.category == "group"

    @property
    def crma_names(self) -> tuple[str, ...]:
        """The CRMA Annex texts for this material (``crma_name`` split on ``;``; strategic text first)."""
        return tuple(p.strip() for p in self.crma_name.split(";") if p.strip())


@dataclass(frozen=True)
class MaterialCode:
    """A trade code mapped to one material and value-chain stage (a row of ``material_codes.csv``)."""

    classification: str
    code: str
    material: str
    stage: str
    basket: bool
    description: str
    source: str
    note: str


@dataclass(frozen=True)
class WmdCommodity:
    """A World Mining Data sheet mapped to a material (a row of ``wmd_commodities.csv``)."""

    wmd_commodity: str
    material: str
    stage: str
    content_basis: str
    note: str


def _lang(lang: str) -> str:
    key = (lang or "").strip().lower()
    if key not in LANGUAGES:
        raise InputError("lang", lang, "en or nl")
    return key


def _eu_key(name: str) -> str:
    # EU CRM strings are matched exactly up to whitespace and case ("Natural Teak\nwood").
    return " ".join(name.split()).casefold()


def _clean_code(code: str) -> str:
    return re.sub(r"[\s.]", "", code or "")


def _flag(path: Path, line: int, column: str, value: str) -> bool:
    if value not in ("0", "1"):
        raise SourceFormatError(path, "0 or 1", line=line, column=column, value=value)
    return value == "1"


def _read(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != columns:
            raise SourceFormatError(path, "the header " + ",".join(columns), line=1, value=reader.fieldnames)
        # Physical line numbers: the header is line 1 (no field in our tables spans lines).
        return [(i + 2, {k: (v or "").strip() for k, v in row.items()}) for i, row in enumerate(reader)]


def _split(text: str, sep: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(sep) if p.strip())


class MaterialRegistry:
    """All materials with their names, aliases, trade codes and World Mining Data sheets.

    Build it with :meth:`load` (or use the cached :func:`materials`). Every lookup a user can cause goes
    through :meth:`resolve` / :meth:`resolve_many`, which raise :class:`UnknownMaterialError` with "did you
    mean" suggestions.
    """

    def __init__(
        self,
        materials: Iterable[Material],
        codes: Iterable[MaterialCode],
        wmd: Iterable[WmdCommodity],
        *,
        origin: Path | str = "material registry",
    ) -> None:
        """Index the given rows; raises :class:`SourceFormatError` on an inconsistent table."""
        self._materials: list[Material] = list(materials)
        self._by_id: dict[str, Material] = {}
        for mat in self._materials:
            if mat.id in self._by_id:
                raise SourceFormatError(origin, "unique material ids", column="id", value=mat.id)
            self._by_id[mat.id] = mat
        for mat in self._materials:
            for group in mat.groups:
                if group not in self._by_id or not self._by_id[group].is_group:
                    raise SourceFormatError(
                        origin, "a group id of category 'group'", column="group", value=group
                    )
        self._codes: list[MaterialCode] = list(codes)
        self._wmd: list[WmdCommodity] = list(wmd)
        self._codes_by_material: dict[str, list[MaterialCode]] = {}
        self._codes_by_code: dict[tuple[str, str], list[MaterialCode]] = {}
        for row in self._codes:
            if row.material not in self._by_id:
                raise SourceFormatError(origin, "a known material id", column="material", value=row.material)
            self._codes_by_material.setdefault(row.material, []).append(row)
            self._codes_by_code.setdefault((row.classification, row.code), []).append(row)
        self._wmd_by_material: dict[str, list[WmdCommodity]] = {}
        self._wmd_by_name: dict[str, WmdCommodity] = {}
        self._wmd_by_key: dict[str, WmdCommodity] = {}
        for entry in self._wmd:
            if entry.material not in self._by_id:
                raise SourceFormatError(
                    origin, "a known material id", column="material", value=entry.material
                )
            if entry.wmd_commodity in self._wmd_by_name:
                raise SourceFormatError(
                    origin, "each WMD commodity once", column="wmd_commodity", value=entry.wmd_commodity
                )
            self._wmd_by_material.setdefault(entry.material, []).append(entry)
            self._wmd_by_name[entry.wmd_commodity] = entry
            self._wmd_by_key[normalise(entry.wmd_commodity)] = entry

        # One lookup key -> one id; a clash is a table error, not something to resolve silently.
        self._index: dict[str, str] = {}
        self._terms: list[str] = []
        self._eu_names: dict[str, str] = {}
        for mat in self._materials:
            terms = [mat.id, mat.name_en, mat.name_nl, mat.symbol, *mat.aliases, *mat.eu_crm_names]
            terms += [w.wmd_commodity for w in self._wmd_by_material.get(mat.id, ())]
            for term in terms:
                key = normalise(term)
                if not key:
                    continue
                other = self._index.setdefault(key, mat.id)
                if other != mat.id:
                    raise SourceFormatError(
                        origin,
                        "each name, symbol and alias naming exactly one material",
                        column="aliases",
                        value=f"{term!r} names both {other} and {mat.id}",
                    )
                self._terms.append(term)
            for name in mat.eu_crm_names:
                self._eu_names[_eu_key(name)] = mat.id
        clash = sorted((ALL_WORDS | CRM_WORDS | STRATEGIC_WORDS) & set(self._index))
        if clash:
            raise SourceFormatError(
                origin, "no material named like a list keyword", column="aliases", value=clash[0]
            )

    # ---- construction --------------------------------------------------------------------------------------

    @classmethod
    def load(cls, directory: Path | str | None = None) -> MaterialRegistry:
        """Read the three CSV tables from ``directory`` (default: next to this module) and validate them."""
        base = Path(directory) if directory is not None else _HERE
        mats = [
            cls._material_row(base / MATERIALS_CSV, line, row)
            for line, row in _read(base / MATERIALS_CSV, MATERIAL_COLUMNS)
        ]
        ids = {m.id for m in mats}
        codes = [
            cls._code_row(base / CODES_CSV, line, row, ids)
            for line, row in _read(base / CODES_CSV, CODE_COLUMNS)
        ]
        seen: set[tuple[str, str, str]] = set()
        for row in codes:
            key = (row.classification, row.code, row.material)
            if key in seen:
                raise SourceFormatError(
                    base / CODES_CSV, "each (classification, code, material) once", value=key
                )
            seen.add(key)
        wmd = [
            cls._wmd_row(base / WMD_CSV, line, row, ids) for line, row in _read(base / WMD_CSV, WMD_COLUMNS)
        ]
        return cls(mats, codes, wmd, origin=base)

    @staticmethod
    def _material_row(path: Path, line: int, row: dict[str, str]) -> Material:
        if not _ID_RE.match(row["id"]):
            raise SourceFormatError(path, "a lowercase ascii slug", line=line, column="id", value=row["id"])
        if row["category"] not in CATEGORIES:
            raise SourceFormatError(
                path, "one of " + ", ".join(CATEGORIES), line=line, column="category", value=row["category"]
            )
        for column in ("name_en", "name_nl"):
            if not row[column]:
                raise SourceFormatError(path, "a non-empty name", line=line, column=column, value=row[column])
        return Material(
            id=row["id"],
            name_en=row["name_en"],
            name_nl=row["name_nl"],
            symbol=row["symbol"],
            category=row["category"],
            groups=_split(row["group"], ","),
            aliases=_split(row["aliases"], ";"),
            eu_crm_2023=_flag(path, line, "eu_crm_2023", row["eu_crm_2023"]),
            crma_strategic=_flag(path, line, "crma_strategic", row["crma_strategic"]),
            crma_critical=_flag(path, line, "crma_critical", row["crma_critical"]),
            crma_name=row["crma_name"],
            eu_crm_names=_split(row["eu_crm_names"], ";"),
            coverage_note_en=row["coverage_note_en"],
            coverage_note_nl=row["coverage_note_nl"],
            source=row["source"],
        )

    @staticmethod
    def _code_row(path: Path, line: int, row: dict[str, str], ids: set[str]) -> MaterialCode:
        cls_ = row["classification"]
        if cls_ not in CODE_LENGTHS:
            raise SourceFormatError(
                path, "one of " + ", ".join(CLASSIFICATIONS), line=line, column="classification", value=cls_
            )
        code = row["code"]
        if not (is_ascii_digits(code) and len(code) == CODE_LENGTHS[cls_]):
            raise SourceFormatError(
                path, f"a {CODE_LENGTHS[cls_]}-digit {cls_} code", line=line, column="code", value=code
            )
        if row["material"] not in ids:
            raise SourceFormatError(
                path, "a material id of materials.csv", line=line, column="material", value=row["material"]
            )
        if row["stage"] not in STAGES:
            raise SourceFormatError(
                path, "one of " + ", ".join(STAGES), line=line, column="stage", value=row["stage"]
            )
        return MaterialCode(
            classification=cls_,
            code=code,
            material=row["material"],
            stage=row["stage"],
            basket=_flag(path, line, "basket", row["basket"]),
            description=row["description"],
            source=row["source"],
            note=row["note"],
        )

    @staticmethod
    def _wmd_row(path: Path, line: int, row: dict[str, str], ids: set[str]) -> WmdCommodity:
        if row["material"] not in ids:
            raise SourceFormatError(
                path, "a material id of materials.csv", line=line, column="material", value=row["material"]
            )
        if row["stage"] not in STAGES:
            raise SourceFormatError(
                path, "one of " + ", ".join(STAGES), line=line, column="stage", value=row["stage"]
            )
        if not row["wmd_commodity"]:
            raise SourceFormatError(path, "a WMD sheet name", line=line, column="wmd_commodity", value="")
        return WmdCommodity(
            row["wmd_commodity"], row["material"], row["stage"], row["content_basis"], row["note"]
        )

    # ---- listing -------------------------------------------------------------------------------------------

    def all(self, *, category: str | None = None) -> list[Material]:
        """Return every material in table order, or only those of ``category`` (one of :data:`CATEGORIES`)."""
        if category is None:
            return list(self._materials)
        if category not in CATEGORIES:
            raise InputError("category", category, "one of " + ", ".join(CATEGORIES))
        return [m for m in self._materials if m.category == category]

    def get(self, id: str) -> Material:
        """Return the material with this exact id; raises :class:`KeyError` if there is none."""
        try:
            return self._by_id[id]
        except KeyError:
            raise KeyError(id) from None

    def crm_2023(self) -> list[Material]:
        """Materials on the EU 2023 CRM list (= CRMA Annex II; bauxite and aluminium both)."""
        return [m for m in self._materials if m.eu_crm_2023]

    def strategic(self) -> list[Material]:
        """Materials on the CRMA strategic list (Annex I; bauxite and aluminium both)."""
        return [m for m in self._materials if m.crma_strategic]

    def members(self, id: str) -> list[Material]:
        """Return the members of group ``id`` in table order (empty for a material that is not a group)."""
        group = self.get(id)
        if not group.is_group:
            return []
        return [m for m in self._materials if group.id in m.groups]

    # ---- resolving user text -------------------------------------------------------------------------------

    def resolve(self, text: str, parameter: str = "material") -> Material:
        """Return the material named by ``text``: id, English or Dutch name, symbol or alias.

        Matching ignores case, accents and punctuation. Raises :class:`UnknownMaterialError` naming
        ``parameter``, with close matches as suggestions ("galium" -> gallium).
        """
        key = normalise(text or "")
        found = self._index.get(key)
        if found is None:
            raise UnknownMaterialError(parameter, text, EXPECTED_MATERIAL, self._suggestions(text or ""))
        return self._by_id[found]

    def resolve_many(self, text: str, parameter: str = "material", allow_all: bool = True) -> list[Material]:
        """Resolve a comma-separated list, keeping order and dropping repeats.

        Keywords: ``all`` (when ``allow_all``) = every non-group material that has a trade code or a WMD
        sheet, without fuels except those on the CRM list (coking coal); ``crm`` = the EU 2023 / CRMA
        Annex II list; ``strategic`` = the CRMA Annex I list.
        """
        parts = split_list(text or "")
        if not parts:
            raise InputError(
                parameter, text, "one or more materials, comma-separated (or all, crm, strategic)"
            )
        out: list[Material] = []
        for part in parts:
            key = normalise(part)
            if key in ALL_WORDS:
                if not allow_all:
                    raise InputError(parameter, part, "named materials here ('all' is not allowed)")
                found = self._all_with_data()
            elif key in CRM_WORDS:
                found = self.crm_2023()
            elif key in STRATEGIC_WORDS:
                found = self.strategic()
            else:
                found = [self.resolve(part, parameter)]
            out.extend(m for m in found if m not in out)
        return out

    def _all_with_data(self) -> list[Material]:
        # Fuels are left out of "all" (they dominate totals) unless a CRM list names them (coking coal).
        return [
            m
            for m in self._materials
            if not m.is_group
            and (not m.is_fuel or m.eu_crm_2023 or m.crma_critical)
            and (m.id in self._codes_by_material or m.id in self._wmd_by_material)
        ]

    def _suggestions(self, text: str) -> list[str]:
        key = normalise(text)
        out: list[str] = []
        for term in suggest(text, self._terms, n=10):
            mat = self._by_id[self._index[normalise(term)]]
            # Show the name in the language closest to what was typed ("zeldzame aarde" -> the NL name).
            name = max(
                (mat.name_en, mat.name_nl),
                key=lambda n: difflib.SequenceMatcher(None, key, normalise(n)).ratio(),
            )
            if name not in out:
                out.append(name)
        return out[:5]

    # ---- codes and WMD -------------------------------------------------------------------------------------

    def codes(
        self,
        material: str,
        classification: str | None = None,
        stage: str | None = None,
        *,
        include_members: bool = False,
    ) -> list[MaterialCode]:
        """Return the trade codes of ``material`` (id or any resolvable name), optionally filtered.

        By default only the material's own rows. With ``include_members`` a group also gets its members'
        rows, one row per distinct (classification, code), its own rows first.
        """
        mat = self._by_id.get(material) or self.resolve(material)
        if classification is not None and classification not in CODE_LENGTHS:
            raise InputError("classification", classification, "one of " + ", ".join(CLASSIFICATIONS))
        if stage is not None and stage not in STAGES:
            raise InputError("stage", stage, "one of " + ", ".join(STAGES))
        rows = list(self._codes_by_material.get(mat.id, ()))
        if include_members and mat.is_group:
            seen = {(r.classification, r.code) for r in rows}
            for member in self.members(mat.id):
                for r in self._codes_by_material.get(member.id, ()):
                    if (r.classification, r.code) not in seen:
                        seen.add((r.classification, r.code))
                        rows.append(r)
        return [
            r
            for r in rows
            if (classification is None or r.classification == classification)
            and (stage is None or r.stage == stage)
        ]

    def by_code(self, classification: str, code: str) -> list[MaterialCode]:
        """Return every row of one code (several for a basket); empty when the code is not mapped.

        ``code`` may contain dots or spaces ("8112.92"); an unknown classification raises :class:`InputError`.
        """
        if classification not in CODE_LENGTHS:
            raise InputError("classification", classification, "one of " + ", ".join(CLASSIFICATIONS))
        return list(self._codes_by_code.get((classification, _clean_code(code)), ()))

    def all_codes(self) -> list[MaterialCode]:
        """Return every row of ``material_codes.csv`` in table order."""
        return list(self._codes)

    def wmd(self, material: str) -> list[WmdCommodity]:
        """Return the World Mining Data sheets of ``material`` (id or any resolvable name)."""
        mat = self._by_id.get(material) or self.resolve(material)
        return list(self._wmd_by_material.get(mat.id, ()))

    def from_wmd(self, wmd_commodity: str) -> WmdCommodity | None:
        """Return the entry of a WMD sheet name (exact, else ignoring case and punctuation), or None."""
        return self._wmd_by_name.get(wmd_commodity) or self._wmd_by_key.get(normalise(wmd_commodity or ""))

    def all_wmd(self) -> list[WmdCommodity]:
        """Return every row of ``wmd_commodities.csv`` in table order."""
        return list(self._wmd)

    def from_eu_crm_name(self, name: str) -> Material | None:
        """Return the material of an EU CRM 2023 ``Material`` string (exact up to whitespace and case)."""
        found = self._eu_names.get(_eu_key(name or ""))
        return self._by_id[found] if found is not None else None


@functools.lru_cache(maxsize=1)
def materials() -> MaterialRegistry:
    """Return the registry built from the CSV tables shipped with the package (read once, then cached)."""
    return MaterialRegistry.load()
