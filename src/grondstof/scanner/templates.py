"""Product templates shipped with grondstof: what one smartphone, electric car, wind turbine … contains.

Each template is a YAML file beside this module (``templates/<id>.yaml``), validated at load by
:class:`Template`. A template lists components; each component is either

* ``lines``: materials with a mass per product unit, each naming its ``source`` (a key of the template's
  ``sources``) and saying whether it is an ``assumption`` (a derived or typical figure, not a measurement);
* ``intensity``: an IEA 2021 technology intensity from the store (kg per MW), times ``scale``;
* ``battery``: a BatPac battery chemistry from the store (kg per kWh), times ``kwh``;
* ``ev_body``: the IEA 2021 electric car without its reference battery
  (:meth:`grondstof.scenarios.technologies.Intensities.ev_body`).

Figures from the store are cited with the store's source records (IEA 2021, BatPac); figures from the
literature with the template's own sources. Nothing of the shared data is copied into these files.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from grondstof.errors import InputError
from grondstof.registry._text import normalise, suggest
from grondstof.scanner.kernel import MASS_UNITS

TEMPLATE_DIR = Path(__file__).with_name("templates")
STORE_SOURCES = ("iea_2021", "batpac")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRef(_Model):
    """A publication a template figure comes from."""

    title: str = Field(min_length=5)
    url: str = ""


class MaterialLine(_Model):
    """One material of a component: mass per product unit, its source and whether it is an assumption."""

    material: str
    mass: float = Field(ge=0)
    unit: Literal["g", "kg", "t", "lb"]
    source: str
    assumption: bool = False
    note: str = ""


class Intensity(_Model):
    """An IEA 2021 kg/MW intensity of the store, times ``scale`` MW."""

    technology: Literal["offshore_wind", "onshore_wind", "solar_pv", "nuclear", "coal", "natural_gas"]
    scale: float = Field(gt=0)
    note: str = ""


class Battery(_Model):
    """A BatPac kg/kWh battery of the store, times ``kwh``; ``only`` keeps some materials (e.g. graphite)."""

    chemistry: str
    kwh: float = Field(gt=0)
    only: tuple[str, ...] = ()
    assumption: bool = True
    note: str = ""


class Component(_Model):
    """A part of the product: literature lines, a store intensity, a battery or the IEA car body."""

    component: str
    lines: tuple[MaterialLine, ...] = ()
    intensity: Intensity | None = None
    battery: Battery | None = None
    ev_body: bool = False

    @model_validator(mode="after")
    def _one_kind(self) -> Component:
        kinds = sum([bool(self.lines), self.intensity is not None, self.battery is not None, self.ev_body])
        if kinds != 1:
            raise ValueError("a component has exactly one of lines, intensity, battery, ev_body")
        return self


class Alternative(_Model):
    """A design or chemistry alternative: another template to compare with, or a described option."""

    label: str
    label_nl: str = ""
    template: str | None = None
    materials: tuple[str, ...] = ()
    source: str
    note: str = ""


class Template(_Model):
    """A product template (one YAML file)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    name_nl: str
    unit: str
    unit_nl: str
    description: str
    sources: dict[str, SourceRef]
    components: tuple[Component, ...] = Field(min_length=1)
    alternatives: tuple[Alternative, ...] = ()
    not_included: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _sources_known(self) -> Template:
        known = set(self.sources)
        for component in self.components:
            for line in component.lines:
                if line.source not in known:
                    raise ValueError(f"{component.component}: source {line.source!r} is not in sources")
        for alt in self.alternatives:
            if alt.source not in known and alt.source not in STORE_SOURCES:
                raise ValueError(f"alternative {alt.label!r}: source {alt.source!r} is not in sources")
        return self

    def display_name(self, lang: str = "en") -> str:
        """The template's name in English or Dutch."""
        return self.name_nl if lang == "nl" else self.name


@dataclass(frozen=True)
class TemplateLine:
    """One expanded line: tonnes of a material per product unit, with its citation and assumption flag."""

    component: str
    material: str
    tonnes_per_unit: float
    source: str  # a key of the template's sources, or a store source id
    assumption: bool
    note: str


_INTENSITIES: dict[str, Any] = {}


def store_intensities(store: Any) -> Any:
    """The store's IEA and BatPac intensities, read once per store build (templates and design options)."""
    from grondstof.scenarios.technologies import load_intensities

    key = str(getattr(store, "build_dir", id(store)))
    if key not in _INTENSITIES:
        _INTENSITIES.clear()
        _INTENSITIES[key] = load_intensities(store)
    return _INTENSITIES[key]


def template_ids() -> list[str]:
    """Ids of the shipped templates (file names, no YAML parsed: cheap enough for parameter declarations)."""
    return sorted(p.stem for p in TEMPLATE_DIR.glob("*.yaml"))


@functools.cache
def load_template(template_id: str) -> Template:
    """Parse and validate one shipped template; a malformed file raises InputError naming the field."""
    import yaml

    path = TEMPLATE_DIR / f"{template_id}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Template.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"{path.name}: {where}", first.get("input"), first["msg"]) from None


def templates() -> list[Template]:
    """Every shipped template, validated, in id order."""
    return [load_template(t) for t in template_ids()]


def resolve_template(text: str, parameter: str = "template") -> Template:
    """The template named by ``text`` (id, English or Dutch name, alias); InputError with suggestions."""
    index: dict[str, str] = {}
    for template in templates():
        for term in (template.id, template.name, template.name_nl, *template.aliases):
            index.setdefault(normalise(term), template.id)
    found = index.get(normalise(text or ""))
    if found is None:
        ids = template_ids()
        raise InputError(
            parameter, text, "a file path or a template: " + ", ".join(ids), suggest(text or "", ids, n=3)
        )
    return load_template(found)


def expand(template: Template, store: Any) -> list[TemplateLine]:
    """The template's materials per product unit, in tonnes (store intensities read where referenced).

    Material names are resolved through the registry; a name it does not know is a template defect and
    raises InputError naming the template and line.
    """
    from grondstof.registry.materials import materials

    registry = materials()
    out: list[TemplateLine] = []
    intensities = None
    for component in template.components:
        if component.lines:
            for n, line in enumerate(component.lines):
                mat = registry.resolve(line.material, parameter=f"{template.id}: {component.component}[{n}]")
                out.append(
                    TemplateLine(
                        component.component,
                        mat.id,
                        line.mass * MASS_UNITS[line.unit],
                        line.source,
                        line.assumption,
                        line.note,
                    )
                )
            continue
        if intensities is None:
            intensities = store_intensities(store)
        if component.intensity is not None:
            spec = component.intensity
            per_mw = intensities.power.get(spec.technology, {})
            if not per_mw:
                raise InputError(
                    f"{template.id}: {component.component}",
                    spec.technology,
                    "an IEA 2021 technology with intensities in the store",
                )
            for material, kg in sorted(per_mw.items()):
                if kg > 0:
                    out.append(
                        TemplateLine(
                            component.component,
                            material,
                            kg * spec.scale / 1000.0,
                            "iea_2021",
                            False,
                            spec.note or f"IEA 2021 kg/MW × {spec.scale:g} MW",
                        )
                    )
        elif component.battery is not None:
            battery = component.battery
            per_kwh = intensities.battery.get(battery.chemistry, {})
            if not per_kwh:
                raise InputError(
                    f"{template.id}: {component.component}",
                    battery.chemistry,
                    "a BatPac chemistry: " + ", ".join(intensities.chemistries()),
                )
            for material, kg in sorted(per_kwh.items()):
                if kg > 0 and (not battery.only or material in battery.only):
                    out.append(
                        TemplateLine(
                            component.component,
                            material,
                            kg * battery.kwh / 1000.0,
                            "batpac",
                            battery.assumption,
                            battery.note or f"BatPac {battery.chemistry} kg/kWh × {battery.kwh:g} kWh",
                        )
                    )
        elif component.ev_body:
            from grondstof.scenarios.technologies import defaults

            body, _ = intensities.ev_body(defaults().technologies["ev"])
            for material, kg in sorted(body.items()):
                out.append(
                    TemplateLine(
                        component.component,
                        material,
                        kg / 1000.0,
                        "iea_2021",
                        False,
                        "IEA 2021 electric car minus its 75 kWh NMC 622 reference battery",
                    )
                )
    return out
