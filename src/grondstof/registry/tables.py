"""The registries as Arrow tables, written into every store build so queries can join them in the engine."""

from __future__ import annotations

import pyarrow as pa

from grondstof.registry.countries import countries
from grondstof.registry.materials import materials


def registry_tables() -> dict[str, pa.Table]:
    """Return ``countries``, ``materials``, ``material_codes`` and ``wmd_commodities`` as Arrow tables."""
    country_rows = countries().all()
    country_table = pa.table(
        {
            "iso3": [c.iso3 for c in country_rows],
            "iso2": [c.iso2 for c in country_rows],
            "name_en": [c.name_en for c in country_rows],
            "name_nl": [c.name_nl for c in country_rows],
            "kind": [c.kind for c in country_rows],
            "eu_join": pa.array([c.eu_join for c in country_rows], pa.date32()),
            "eu_leave": pa.array([c.eu_leave for c in country_rows], pa.date32()),
        }
    )
    registry = materials()
    material_rows = registry.all()
    material_table = pa.table(
        {
            "id": [m.id for m in material_rows],
            "name_en": [m.name_en for m in material_rows],
            "name_nl": [m.name_nl for m in material_rows],
            "symbol": [m.symbol for m in material_rows],
            "category": [m.category for m in material_rows],
            "groups": pa.array([list(m.groups) for m in material_rows], pa.list_(pa.string())),
            "eu_crm_2023": [m.eu_crm_2023 for m in material_rows],
            "crma_strategic": [m.crma_strategic for m in material_rows],
            "crma_critical": [m.crma_critical for m in material_rows],
        }
    )
    codes = [c for m in material_rows for c in registry.codes(m.id)]
    code_table = pa.table(
        {
            "classification": [c.classification for c in codes],
            "code": [c.code for c in codes],
            "material": [c.material for c in codes],
            "stage": [c.stage for c in codes],
            "basket": [c.basket for c in codes],
        }
    )
    wmd = [w for m in material_rows for w in registry.wmd(m.id)]
    wmd_table = pa.table(
        {
            "wmd_commodity": [w.wmd_commodity for w in wmd],
            "material": [w.material for w in wmd],
            "stage": [w.stage for w in wmd],
            "content_basis": [w.content_basis for w in wmd],
        }
    )
    return {
        "countries": country_table,
        "materials": material_table,
        "material_codes": code_table,
        "wmd_commodities": wmd_table,
    }
