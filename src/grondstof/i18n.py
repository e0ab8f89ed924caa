"""Texts of the pages, documents and reports in English and Dutch (names come from the registries).

Pure data and look-ups: the document builders (:mod:`grondstof.documents`) and the web both read it."""

from __future__ import annotations

LANGS = ("en", "nl")

TEXTS: dict[str, dict[str, str]] = {
    "app_name": {"en": "grondstof", "nl": "grondstof"},
    "tagline": {
        "en": "Observatory for critical raw materials",
        "nl": "Observatorium voor kritieke grondstoffen",
    },
    "skip": {"en": "Skip to content", "nl": "Naar de inhoud"},
    "nav_overview": {"en": "Overview", "nl": "Overzicht"},
    "nav_materials": {"en": "Materials", "nl": "Grondstoffen"},
    "nav_compare": {"en": "Compare", "nl": "Vergelijken"},
    "nav_partner": {"en": "Partner", "nl": "Handelspartner"},
    "nav_scenarios": {"en": "Scenarios", "nl": "Scenario's"},
    "nav_benchmarks": {"en": "CRMA benchmarks", "nl": "CRMA-doelen"},
    "nav_alerts": {"en": "Alerts", "nl": "Signalen"},
    "nav_sources": {"en": "Sources", "nl": "Bronnen"},
    "nav_api": {"en": "API", "nl": "API"},
    "language": {"en": "Language", "nl": "Taal"},
    "country": {"en": "Country", "nl": "Land"},
    "material": {"en": "Material", "nl": "Grondstof"},
    "partner": {"en": "Partner", "nl": "Handelspartner"},
    "year": {"en": "Year", "nl": "Jaar"},
    "years": {"en": "Years", "nl": "Jaren"},
    "show": {"en": "Show", "nl": "Toon"},
    "run": {"en": "Run", "nl": "Bereken"},
    "source": {"en": "Source", "nl": "Bron"},
    "sources": {"en": "Sources", "nl": "Bronnen"},
    "notes": {"en": "Notes", "nl": "Toelichting"},
    "download": {"en": "Download", "nl": "Download"},
    "download_csv": {"en": "CSV", "nl": "CSV"},
    "download_xlsx": {"en": "Excel", "nl": "Excel"},
    "more_rows": {"en": "more rows in the download", "nl": "meer rijen in de download"},
    "no_rows": {"en": "No data for this selection.", "nl": "Geen gegevens voor deze selectie."},
    "overview_title": {
        "en": "Raw-material dependency of {country}",
        "nl": "Grondstoffenafhankelijkheid van {country}",
    },
    "headline_materials": {"en": "materials imported", "nl": "grondstoffen geïmporteerd"},
    "headline_value_source": {
        "en": "import value, {source}: {count} materials (own codes, each flow once)",
        "nl": "importwaarde, {source}: {count} grondstoffen (eigen codes, elke stroom één keer)",
    },
    "headline_covers": {"en": "Materials covered", "nl": "Welke grondstoffen"},
    "headline_basket": {
        "en": "Not in this total: {value} in basket codes that also cover other materials ({materials}).",
        "nl": "Niet in dit totaal: {value} in verzamelcodes die ook andere grondstoffen bevatten "
        "({materials}).",
    },
    "headline_concentrated": {
        "en": "materials with one partner above {threshold}",
        "nl": "grondstoffen met één handelspartner boven {threshold}",
    },
    "headline_world": {
        "en": "materials where one country produces over {threshold} of world supply",
        "nl": "grondstoffen waarvan één land meer dan {threshold} van de wereldproductie levert",
    },
    "ranked_title": {"en": "Materials ranked by supply risk", "nl": "Grondstoffen naar leveringsrisico"},
    "ranked_note": {
        "en": "Ranked by import concentration × concentration of world production (both HHI, 0–1; "
        "grondstof overview, field concentration_risk). Only complete trade figures are ranked; basket "
        "codes and partial extracts follow, labelled. The GeoPolRisk score is shown where its HS mapping "
        "allows it.",
        "nl": "Gerangschikt naar importconcentratie × concentratie van de wereldproductie (beide HHI, 0–1; "
        "grondstof overview, veld concentration_risk). Alleen volledige handelscijfers krijgen een rang; "
        "verzamelcodes en deelbestanden volgen, met vermelding. De GeoPolRisk-score staat erbij waar de "
        "HS-indeling het toelaat.",
    },
    "ranked_axis": {"en": "import HHI × world HHI", "nl": "import-HHI × wereld-HHI"},
    "changes_title": {"en": "What changed since last year", "nl": "Wat veranderde sinds vorig jaar"},
    "alerts_title": {"en": "Current alerts", "nl": "Actuele signalen"},
    "material_title": {"en": "{material}", "nl": "{material}"},
    "world_map": {"en": "World production share", "nl": "Aandeel in de wereldproductie"},
    "hhi_trend": {
        "en": "Concentration of world production (HHI)",
        "nl": "Concentratie van de wereldproductie (HHI)",
    },
    "partners_over_time": {
        "en": "Imports of {country} by partner",
        "nl": "Import van {country} per handelspartner",
    },
    "partners_tonnes": {"en": "Imports in tonnes by partner", "nl": "Import in ton per handelspartner"},
    "risk_title": {"en": "Supply-risk scores", "nl": "Leveringsrisicoscores"},
    "controls_title": {"en": "Export controls touching it", "nl": "Exportbeperkingen die het raken"},
    "crma_title": {"en": "CRMA benchmark status", "nl": "Stand van de CRMA-doelen"},
    "compare_title": {"en": "{material}: {country} compared", "nl": "{material}: {country} vergeleken"},
    "partner_title": {
        "en": "Imports of {country} from {partner}",
        "nl": "Import van {country} uit {partner}",
    },
    "sources_title": {"en": "Data sources and vintage", "nl": "Gegevensbronnen en peildatum"},
    "scenarios_title": {"en": "Scenarios", "nl": "Scenario's"},
    "cutoff_title": {"en": "Supplier cut-off", "nl": "Uitval van een leverancier"},
    "stockpile_title": {"en": "Stockpile planner", "nl": "Voorraadplanner"},
    "transition_title": {"en": "Energy-transition demand", "nl": "Grondstofvraag van de energietransitie"},
    "benchmarks_title": {"en": "CRMA benchmarks", "nl": "CRMA-doelen"},
    "alerts_page_title": {"en": "Early-warning alerts", "nl": "Vroegtijdige signalen"},
    "feed": {"en": "Atom feed", "nl": "Atom-feed"},
    "not_available": {"en": "Not available in this build.", "nl": "Niet beschikbaar in deze versie."},
    "error_title": {"en": "Something is not right", "nl": "Er klopt iets niet"},
    "back": {"en": "Back to the overview", "nl": "Terug naar het overzicht"},
    "report": {"en": "Report", "nl": "Rapport"},
    "report_pdf": {"en": "PDF report", "nl": "PDF-rapport"},
    "report_html": {"en": "HTML report", "nl": "HTML-rapport"},
    "report_xlsx": {"en": "Excel workbook", "nl": "Excel-werkmap"},
    "chart_data": {"en": "Chart data", "nl": "Gegevens van de grafiek"},
    "value": {"en": "Value", "nl": "Waarde"},
    "share": {"en": "Share", "nl": "Aandeel"},
    "tonnes": {"en": "Tonnes", "nl": "Ton"},
    # Form labels of the scenario and alert pages.
    "preset": {"en": "Preset", "nl": "Voorinstelling"},
    "supplier": {"en": "Supplier", "nl": "Leverancier"},
    "share_cut": {"en": "Share cut (0–1)", "nl": "Afgesneden aandeel (0–1)"},
    "months": {"en": "Months", "nl": "Maanden"},
    "stock_days": {"en": "Stock days", "nl": "Voorraaddagen"},
    "days": {"en": "Days of cover", "nl": "Dagen dekking"},
    "budget_eur": {"en": "Budget (EUR)", "nl": "Budget (EUR)"},
    "basis": {"en": "Basis", "nl": "Grondslag"},
    "compare_with": {"en": "Compare with", "nl": "Vergelijken met"},
    "since": {"en": "Since", "nl": "Sinds"},
    "stock_cost_chart": {"en": "Cost of the stock (EUR)", "nl": "Kosten van de voorraad (EUR)"},
    # Headline figures of the cut-off page (keys of its result's meta).
    "lost_tonnes": {"en": "tonnes lost", "nl": "ton verloren"},
    "replaced_tonnes": {"en": "tonnes replaced", "nl": "ton vervangen"},
    "shortfall_tonnes": {"en": "tonnes short", "nl": "ton tekort"},
    "stock_days_to_bridge": {"en": "stock days to bridge", "nl": "voorraaddagen om te overbruggen"},
    # The sources page.
    "publisher": {"en": "Publisher", "nl": "Uitgever"},
    "licence": {"en": "Licence", "nl": "Licentie"},
    "version": {"en": "Version", "nl": "Versie"},
    "status": {"en": "Status", "nl": "Status"},
    "rows": {"en": "Rows", "nl": "Rijen"},
    "citation": {"en": "Citation", "nl": "Bronvermelding"},
    "file": {"en": "File", "nl": "Bestand"},
    "store_built": {"en": "Store built", "nl": "Gegevens opgebouwd"},
    "benchmark_legend": {
        "en": "✔ met · ✘ not met · – no data.",
        "nl": "✔ gehaald · ✘ niet gehaald · – geen gegevens.",
    },
    "footer": {
        "en": "Figures from public data; each table names its source and vintage. Open source.",
        "nl": "Cijfers uit openbare gegevens; elke tabel noemt bron en peildatum. Open source.",
    },
    # Documents and reports (grondstof.documents).
    "doc_material_title": {
        "en": "{material}: supply and dependency of {country}",
        "nl": "{material}: aanbod en afhankelijkheid van {country}",
    },
    "doc_country_title": {
        "en": "Critical raw materials: dependency of {country}",
        "nl": "Kritieke grondstoffen: afhankelijkheid van {country}",
    },
    "doc_subtitle": {
        "en": "grondstof, {date}; data as built {built}",
        "nl": "grondstof, {date}; gegevens opgebouwd {built}",
    },
    "doc_world": {"en": "World production", "nl": "Wereldproductie"},
    "doc_imports": {"en": "Imports of {country}", "nl": "Import van {country}"},
    "doc_overview": {"en": "Materials at a glance", "nl": "Grondstoffen in één oogopslag"},
    "doc_top_producer": {
        "en": "In {year}, {country} produced {share} of the world's {material} ({stage}); the production HHI "
        "was {hhi}.",
        "nl": "In {year} produceerde {country} {share} van de wereldproductie van {material} ({stage}); de "
        "HHI van de productie was {hhi}.",
    },
    "doc_imports_sentence": {
        "en": "In {year}, {importer} imported {value} {currency} of {material} from {partners} partners; the "
        "largest, {partner}, supplied {share} (import HHI {hhi}).",
        "nl": "In {year} importeerde {importer} voor {value} {currency} aan {material} uit {partners} "
        "landen; de grootste, {partner}, leverde {share} (import-HHI {hhi}).",
    },
    "doc_change_sentence": {
        "en": "That is {change} compared with {before}.",
        "nl": "Dat is {change} t.o.v. {before}.",
    },
    "doc_no_imports": {
        "en": "No imports of {material} by {importer} are recorded in the trade data.",
        "nl": "De handelsgegevens bevatten geen import van {material} door {importer}.",
    },
    "doc_fig_map": {
        "en": "World production share by country, {year}. Source: {source}.",
        "nl": "Aandeel in de wereldproductie per land, {year}. Bron: {source}.",
    },
    "doc_fig_trend": {
        "en": "Herfindahl–Hirschman index of world production by year (1 = one producer).",
        "nl": "Herfindahl-Hirschman-index van de wereldproductie per jaar (1 = één producent).",
    },
    "doc_fig_imports": {
        "en": "Import value by partner, {currency}. Source: {source}.",
        "nl": "Importwaarde per handelspartner, {currency}. Bron: {source}.",
    },
    "doc_fig_ranked": {
        "en": "Materials ranked by import HHI × world production HHI.",
        "nl": "Grondstoffen gerangschikt naar import-HHI × HHI van de wereldproductie.",
    },
    "doc_counts": {
        "en": "{count} materials imported; {concentrated} with one partner above {partner}; {world} where "
        "one country produces over {producer} of world supply.",
        "nl": "{count} grondstoffen geïmporteerd; {concentrated} met één handelspartner boven {partner}; "
        "{world} waarvan één land meer dan {producer} van de wereldproductie levert.",
    },
    "doc_total": {
        "en": "Import value {year} in {source}: {value} over {count} materials ({materials})",
        "nl": "Importwaarde {year} volgens {source}: {value} over {count} grondstoffen ({materials})",
    },
    "doc_total_none": {
        "en": "Import value {year} in {source}: no own codes",
        "nl": "Importwaarde {year} volgens {source}: geen eigen codes",
    },
    "doc_total_basket": {
        "en": "; besides, {value} in basket codes ({materials}), not added in",
        "nl": "; daarnaast {value} in verzamelcodes ({materials}), niet opgeteld",
    },
    "doc_assumptions": {"en": "Assumptions", "nl": "Aannames"},
    "doc_trade_hhi": {
        "en": "World trade and production concentration (HHI)",
        "nl": "Concentratie van wereldhandel en productie (HHI)",
    },
    "doc_hhi_trade_value": {"en": "trade, value", "nl": "handel, waarde"},
    "doc_hhi_trade_tonnes": {"en": "trade, tonnes", "nl": "handel, tonnen"},
    "doc_hhi_production": {"en": "production (WMD)", "nl": "productie (WMD)"},
    "doc_fig_trade_hhi": {
        "en": "Exporter HHI of world trade in the refined form, by value and by tonnes (as published with "
        "the extract), beside the HHI of world production (World Mining Data, the stage it publishes). "
        "Source: {source}.",
        "nl": "Exporteurs-HHI van de wereldhandel in de geraffineerde vorm, naar waarde en naar tonnen "
        "(zoals gepubliceerd bij het bestand), naast de HHI van de wereldproductie (World Mining Data, de "
        "schakel die het publiceert). Bron: {source}.",
    },
    "doc_reserves": {"en": "Reserves", "nl": "Reserves"},
    "doc_reserves_sentence": {
        "en": "Reserves ({edition}, {year}): {country} holds {share}; reserve HHI {reserve_hhi} against "
        "production HHI {production_hhi}; static world reserve life: {life}.",
        "nl": "Reserves ({edition}, {year}): {country} heeft {share}; reserve-HHI {reserve_hhi} tegenover "
        "productie-HHI {production_hhi}; statische levensduur van de wereldreserves: {life}.",
    },
    "doc_years_n": {"en": "{n} years", "nl": "{n} jaar"},
    "doc_no_life": {
        "en": "none (USGS prints no number for world reserves)",
        "nl": "geen (USGS geeft geen getal voor de wereldreserves)",
    },
    "doc_prices": {"en": "Prices", "nl": "Prijzen"},
    "doc_fig_prices": {
        "en": "Calendar-year price in {unit}, nominal, as published (a partial year is a mean of fewer "
        "months). Source: {source}.",
        "nl": "Prijs per kalenderjaar in {unit}, nominaal, zoals gepubliceerd (een onvolledig jaar is een "
        "gemiddelde van minder maanden). Bron: {source}.",
    },
    "doc_price_sentence": {
        "en": "Price of {material} ({series}), {window}: largest 12-month rise {rise} (ended {ended}); "
        "latest level {level} against its 10-year median.",
        "nl": "Prijs van {material} ({series}), {window}: grootste stijging in 12 maanden {rise} (tot "
        "{ended}); laatste niveau {level} tegenover de mediaan van 10 jaar.",
    },
    "doc_method_shares": {
        "en": "Shares are fractions of the total of the countries listed; HHI = Σ share² on a 0–1 scale "
        "(multiply by 10 000 for the DERA/competition scale).",
        "nl": "Aandelen zijn fracties van het totaal van de genoemde landen; HHI = Σ aandeel² op een schaal "
        "0–1 (× 10 000 voor de DERA-schaal).",
    },
    "doc_method_currency": {
        "en": "Trade values are in the source's currency: BACI in current USD (FOB), Comext in EUR (customs "
        "value, CIF); they are never mixed or converted in tables.",
        "nl": "Handelswaarden staan in de valuta van de bron: BACI in lopende USD (FOB), Comext in EUR "
        "(douanewaarde, CIF); ze worden in tabellen nooit gemengd of omgerekend.",
    },
    "doc_method_eu": {
        "en": "The EU-27 as an importer counts extra-EU imports only, with the post-2020 membership.",
        "nl": "De EU-27 als importeur telt alleen import van buiten de EU, met de samenstelling na 2020.",
    },
}


def translate(key: str, lang: str = "en", **values: object) -> str:
    """Return the text for ``key`` in ``lang`` (English if missing), with ``{placeholders}`` filled."""
    entry = TEXTS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


def pick_lang(query: str | None, cookie: str | None) -> str:
    """The language from ``?lang=`` (wins) or the cookie, else English."""
    for candidate in (query, cookie):
        if candidate in LANGS:
            return candidate
    return "en"


# Dutch labels for the column headings the dashboard shows most; others stay English.
LABELS_NL: dict[str, str] = {
    "Material": "Grondstof",
    "Material name": "Grondstof",
    "Import value": "Importwaarde",
    "Currency": "Valuta",
    "Top partner": "Grootste partner",
    "Top partner share": "Aandeel grootste partner",
    "Import HHI": "Import-HHI",
    "Import HHI (value)": "Import-HHI (waarde)",
    "Import HHI (tonnes)": "Import-HHI (ton)",
    "World top producer": "Grootste producent",
    "World top producer share": "Aandeel grootste producent",
    "World production HHI": "HHI wereldproductie",
    "Trade source": "Handelsbron",
    "Year": "Jaar",
    "Partner": "Handelspartner",
    "Tonnes": "Ton",
    "Share (value)": "Aandeel (waarde)",
    "Share (tonnes)": "Aandeel (ton)",
    "Country": "Land",
    "Production": "Productie",
    "Unit": "Eenheid",
    "Share of world": "Aandeel wereld",
    "Reported/estimated": "Gerapporteerd/geschat",
    "Importer": "Importeur",
    "Partners": "Partners",
    "Value with tonnes": "Waarde met tonnen",
    "Source": "Bron",
    "Rank": "Rang",
    "Stage": "Fase",
    "Change vs previous year": "Verschil met vorig jaar",
    "Change vs previous year (%)": "Verschil (%)",
    "Materials imported": "Grondstoffen met invoer",
    "Largest material": "Grootste grondstof",
    "Partner share of material imports": "Aandeel in import van de grondstof",
    "Import HHI × world HHI": "Import-HHI × wereld-HHI",
    "GeoPolRisk score": "GeoPolRisk-score",
    "Top-3 share": "Aandeel top-3",
    "Top producer": "Grootste producent",
    "Top producer share": "Aandeel",
    "Producing countries": "Producerende landen",
    "Severity": "Ernst",
    "Title": "Signaal",
    "Signal": "Soort",
    "Benchmark": "Doel",
    "Status": "Status",
    "Value": "Waarde",
    "Target": "Doelwaarde",
    "Distance": "Afstand",
    "Trend": "Trend",
    "Flow": "Stroom",
    "Alert": "Signaal",
    "Aliases": "Andere namen",
    "Announced": "Aangekondigd",
    "BACI code(s)": "BACI-code(s)",
    "Baseline year": "Basisjaar",
    "Basis": "Grondslag",
    "Basket code": "Verzamelcode",
    "Basket codes (not in total)": "Verzamelcodes (niet in totaal)",
    "CF": "CF",
    "CN8 codes": "GN8-codes",
    "CRMA Annex II": "CRMA bijlage II",
    "CRMA strategic": "CRMA strategisch",
    "Capacity factor": "Capaciteitsfactor",
    "Category": "Categorie",
    "Change": "Verandering",
    "Commodity": "Grondstof (bron)",
    "Commodity (as published)": "Grondstof (zoals gepubliceerd)",
    "Comtrade code": "Comtrade-code",
    "Concentration": "Concentratie",
    "Confidence": "Zekerheid",
    "Content (t, est.)": "Gehalte (t, schatting)",
    "Controlling country": "Land met de maatregel",
    "Cost": "Kosten",
    "Countries": "Landen",
    "Country risk": "Landenrisico",
    "Coverage note": "Dekking",
    "Current imports": "Huidige invoer",
    "DERA GLR": "DERA GLR",
    "DERA HHI": "DERA-HHI",
    "DERA risk group": "DERA-risicogroep",
    "Days of cover": "Dagen dekking",
    "Demand": "Vraag",
    "Demand / imports": "Vraag / invoer",
    "Destination": "Bestemming",
    "Destinations": "Bestemmingen",
    "Difference": "Verschil",
    "Difference to EU view": "Verschil met EU-beeld",
    "Domestic production": "Binnenlandse productie",
    "Draws not covered": "Trekkingen niet gedekt",
    "EI published": "EI gepubliceerd",
    "EU EI 2023 (published)": "EU-EI 2023 (gepubliceerd)",
    "EU SR (recomputed)": "EU-SR (herberekend)",
    "EU SR 2023 (published)": "EU-SR 2023 (gepubliceerd)",
    "EU critical": "EU-kritiek",
    "EU critical 2023": "EU-kritiek 2023",
    "EU member since": "EU-lid sinds",
    "EU member until": "EU-lid tot",
    "Effective": "Van kracht",
    "End-of-life available": "Beschikbaar einde levensduur",
    "Ended / suspended": "Beëindigd / opgeschort",
    "Ended/suspended": "Beëindigd/opgeschort",
    "English": "Engels",
    "EoL-RIR": "EoL-RIR",
    "Expected shortfall left": "Verwacht resterend tekort",
    "Expected shortfall, no stock": "Verwacht tekort zonder voorraad",
    "Explanation": "Toelichting",
    "Exports": "Uitvoer",
    "Exports (t)": "Uitvoer (t)",
    "Exports / imports": "Uitvoer / invoer",
    "Exports value": "Uitvoerwaarde",
    "GLR": "GLR",
    "Gap after stock": "Tekort na voorraad",
    "GeoPolRisk CF": "GeoPolRisk-CF",
    "Gross imports": "Bruto-invoer",
    "Gross tonnes": "Bruto ton",
    "Groups": "Groepen",
    "HHI": "HHI",
    "HHI·WGI·t EU sourcing": "HHI·WGI·t EU-herkomst",
    "HHI·WGI·t country sourcing": "HHI·WGI·t herkomst land",
    "HHI·WGI·t global": "HHI·WGI·t wereld",
    "HS17 codes": "HS17-codes",
    "HS92 codes": "HS92-codes",
    "Holding cost": "Aanhoudkosten",
    "IEA 'others'": "IEA 'overig'",
    "ISO numeric": "ISO-nummer",
    "ISO2": "ISO2",
    "ISO3": "ISO3",
    "Id": "Id",
    "Import price": "Invoerprijs",
    "Import reliance": "Importafhankelijkheid",
    "Import risk": "Importrisico",
    "Import tonnes": "Invoer (ton)",
    "Imports": "Invoer",
    "Imports (t)": "Invoer (t)",
    "Imports from all partners": "Invoer uit alle landen",
    "Imports from controlling country": "Invoer uit het land met de maatregel",
    "Imports value": "Invoerwaarde",
    "In force": "Van kracht",
    "Kept in country (est.)": "In het land gebleven (schatting)",
    "Kind": "Soort",
    "Largest material value": "Waarde grootste grondstof",
    "Largest third country": "Grootste derde land",
    "Lever": "Hefboom",
    "Lifetime": "Levensduur",
    "Lost": "Verloren",
    "Materials": "Grondstoffen",
    "Mean shortfall": "Gemiddeld tekort",
    "Measure": "Maatregel",
    "Measure type": "Soort maatregel",
    "Months": "Maanden",
    "Nederlands": "Nederlands",
    "Net exports (t)": "Netto-uitvoer (t)",
    "Net exports value": "Waarde netto-uitvoer",
    "Not covered / caveats": "Niet gedekt / kanttekeningen",
    "Note": "Opmerking",
    "Notes": "Toelichting",
    "P(shortfall > 0)": "P(tekort > 0)",
    "P50": "P50",
    "P95": "P95",
    "P99": "P99",
    "Period": "Periode",
    "Preset": "Voorinstelling",
    "Primary demand": "Primaire vraag",
    "Primary demand without levers": "Primaire vraag zonder hefbomen",
    "Production HHI": "HHI productie",
    "Production period": "Productieperiode",
    "Production source": "Productiebron",
    "Production stage": "Productiefase",
    "Quantity is": "Hoeveelheid is",
    "Reduction": "Vermindering",
    "Reduction (share)": "Vermindering (aandeel)",
    "Reference flow": "Referentiestroom",
    "Reference flow value": "Waarde referentiestroom",
    "Replaced": "Vervangen",
    "Risk group": "Risicogroep",
    "SI (SR)": "SI (SR)",
    "SR (EU view, recomputed)": "SR (EU-beeld, herberekend)",
    "SR (country view)": "SR (landbeeld)",
    "SR extraction": "SR winning",
    "SR processing": "SR verwerking",
    "SR published": "SR gepubliceerd",
    "SR published (EU)": "SR gepubliceerd (EU)",
    "SR recomputed": "SR herberekend",
    "Scope": "Reikwijdte",
    "Scrap exports (t)": "Uitvoer schroot (t)",
    "Scrap imports (t)": "Invoer schroot (t)",
    "Scrap in the data": "Schroot in de gegevens",
    "Scrap net exports (t)": "Netto-uitvoer schroot (t)",
    "Share basis": "Grondslag aandeel",
    "Share cut": "Afgesneden aandeel",
    "Share from controlling country": "Aandeel uit het land met de maatregel",
    "Share from named partners": "Aandeel uit genoemde landen",
    "Share of supply lost": "Verloren aandeel van het aanbod",
    "Share of world production": "Aandeel wereldproductie",
    "Shares of": "Aandelen van",
    "Shortfall": "Tekort",
    "Shortfall unit": "Eenheid tekort",
    "Status on date": "Status op datum",
    "Stock": "Voorraad",
    "Stock covers": "Voorraad dekt",
    "Stock days to bridge": "Voorraaddagen om te overbruggen",
    "Stock days to cover": "Voorraaddagen voor dekking",
    "Stock to cover": "Voorraad voor dekking",
    "Supplier": "Leverancier",
    "Suppliers": "Leveranciers",
    "Suppliers' world export share": "Aandeel leveranciers in wereldexport",
    "Suppliers' world production share": "Aandeel leveranciers in wereldproductie",
    "Supply": "Aanbod",
    "Supply-risk weight": "Gewicht leveringsrisico",
    "Suspended until": "Opgeschort tot",
    "Symbol": "Symbool",
    "Technology": "Technologie",
    "Tonnes from controlling country": "Ton uit het land met de maatregel",
    "Top risk supplier": "Leverancier met grootste risico",
    "Top supplier": "Grootste leverancier",
    "Top supplier share": "Aandeel grootste leverancier",
    "Trade codes": "Handelscodes",
    "Trade coverage": "Dekking handelscijfer",
    "Trade year": "Handelsjaar",
    "Trend period": "Trendperiode",
    "Unit value": "Eenheidswaarde",
    "WGI year": "WGI-jaar",
    "WMD commodity": "WMD-grondstof",
    "Weight": "Gewicht",
    "Weighted kg per MW": "Gewogen kg per MW",
    "Weighted kg per MWh": "Gewogen kg per MWh",
    "With this lever": "Met deze hefboom",
    "World (as published)": "Wereld (zoals gepubliceerd)",
    "World (sum of countries)": "Wereld (som van landen)",
    "World Mining Data": "World Mining Data",
    "World production": "Wereldproductie",
    "kg per MW": "kg per MW",
    "kg per MWh": "kg per MWh",
    "of which replacement": "waarvan vervanging",
    "× reference per MW": "× referentie per MW",
    "× reference per MWh": "× referentie per MWh",
    "One partner > 50 %": "Eén partner > 50 %",
    "One producer > 65 %": "Eén producent > 65 %",
    "Δ %": "Δ %",
    "Δ top-partner share (points)": "Δ aandeel grootste partner (punten)",
    "Partner / country": "Handelspartner / land",
    "Since": "Sinds",
}


def label(text: str, lang: str) -> str:
    """A column heading in the page language (Dutch where known)."""
    return LABELS_NL.get(text, text) if lang == "nl" else text


# Readable names for the codes that appear as values in table cells (signal kinds, statuses, bases,
# stages), in both languages: a page never shows an internal id.
VALUES: dict[str, dict[str, str]] = {
    "import_collapse": {"en": "import collapse", "nl": "importdaling"},
    "import_jump": {"en": "import jump", "nl": "importsprong"},
    "top_share_up": {"en": "top partner gains share", "nl": "grootste partner groeit"},
    "top_share_down": {"en": "top partner loses share", "nl": "grootste partner krimpt"},
    "share_gain": {"en": "partner gains share", "nl": "partner wint aandeel"},
    "export_control": {"en": "export control", "nl": "exportbeperking"},
    "production_concentration": {"en": "production concentration", "nl": "productieconcentratie"},
    "refined_trend": {"en": "refined-stage trend (top-6 extract)", "nl": "trend raffinage (top-6-bestand)"},
    "price_spike": {"en": "price spike", "nl": "prijspiek"},
    "no_hs_code": {"en": "no HS code", "nl": "geen HS-code"},
    "not_mapped": {"en": "not in GeoPolRisk", "nl": "niet in GeoPolRisk"},
    "no_production": {"en": "no production data", "nl": "geen productiegegevens"},
    "no_trade_data": {"en": "no trade data", "nl": "geen handelsgegevens"},
    "no_trade": {"en": "no trade", "nl": "geen handel"},
    "no_tonnes": {"en": "no tonnes", "nl": "geen tonnen"},
    "no_imports": {"en": "no imports", "nl": "geen invoer"},
    "ok": {"en": "ok", "nl": "ok"},
    "imports": {"en": "gross imports", "nl": "bruto-invoer"},
    "net-imports": {"en": "net imports", "nl": "netto-invoer"},
    "consumption": {"en": "apparent consumption", "nl": "schijnbaar verbruik"},
    "extraction": {"en": "extraction", "nl": "winning"},
    "processing": {"en": "processing", "nl": "verwerking"},
    "manufacturing": {"en": "manufacturing", "nl": "fabricage"},
    "recycling": {"en": "recycling", "nl": "recycling"},
    "diversification": {"en": "diversification", "nl": "spreiding"},
    "met": {"en": "met", "nl": "gehaald"},
    "not met": {"en": "not met", "nl": "niet gehaald"},
    "no data": {"en": "no data", "nl": "geen gegevens"},
    "not yet announced": {"en": "not yet announced", "nl": "nog niet aangekondigd"},
    "announced": {"en": "announced", "nl": "aangekondigd"},
    "active": {"en": "active", "nl": "van kracht"},
    "suspended": {"en": "suspended", "nl": "opgeschort"},
    "ended": {"en": "ended", "nl": "beëindigd"},
    "tonnes": {"en": "tonnes", "nl": "ton"},
    "value": {"en": "value", "nl": "waarde"},
}


def value_label(value: object, lang: str) -> object:
    """A cell value in the page language when it is one of the codes in :data:`VALUES`; else as given.

    Material ids become the material's name (``rare_earths_magnets`` → "rare earth elements for
    magnets" / "zeldzame aardmetalen voor magneten").
    """
    if not isinstance(value, str):
        return value
    entry = VALUES.get(value)
    if entry is not None:
        return entry.get(lang) or entry["en"]
    if "_" in value and value.islower():
        from grondstof.registry.materials import materials

        try:
            return materials().get(value).name(lang)
        except KeyError:
            return value
    return value


def phrase(text: str, lang: str) -> str:
    """A short composed label ("diversification (extraction) · trade") with its known words translated."""
    if lang == "en":
        return text
    import re

    words = {k: v[lang] for k, v in VALUES.items() if lang in v}
    words.update({"trade": "handel"})
    return re.sub(r"[a-z][a-z -]*[a-z]", lambda m: words.get(m.group(0), m.group(0)), text)


# ---- the scanner (grondstof.web.scan_pages) --------------------------------------------------------------
TEXTS.update(
    {
        "nav_scan": {"en": "Scanner", "nl": "Scanner"},
        "scan_title": {"en": "Raw-material scanner", "nl": "Grondstoffenscanner"},
        "scan_intro": {
            "en": "Which critical raw materials do your products depend on, where do they come from and how "
            "risky is that? Upload a bill of materials, your import records or product groups, or pick a "
            "product template.",
            "nl": "Van welke kritieke grondstoffen hangen uw producten af, waar komen ze vandaan en hoe "
            "riskant is dat? Upload een stuklijst, uw invoerregels of productgroepen, of kies een "
            "productsjabloon.",
        },
        "scan_private": {
            "en": "Your file stays private: it is held in this server's memory for {minutes} minutes after "
            "its last use (or until you delete it), never written to disk or logged, and never leaves this "
            "machine. At most {mb} MB and {rows} rows.",
            "nl": "Uw bestand blijft privé: het staat {minutes} minuten na het laatste gebruik in het "
            "geheugen "
            "van deze server (of tot u het verwijdert), wordt nooit op schijf gezet of gelogd en verlaat "
            "deze machine niet. Hoogstens {mb} MB en {rows} regels.",
        },
        "scan_upload_heading": {"en": "Scan a file", "nl": "Een bestand scannen"},
        "scan_template_heading": {"en": "Scan a product template", "nl": "Een productsjabloon scannen"},
        "scan_file": {"en": "File (CSV or Excel)", "nl": "Bestand (CSV of Excel)"},
        "scan_factor": {"en": "Factor", "nl": "Factor"},
        "scan_date": {"en": "Controls on", "nl": "Beperkingen op"},
        "scan_price_date": {"en": "Market prices of", "nl": "Marktprijzen van"},
        "scan_skip": {"en": "scan without bad rows", "nl": "scan zonder foute regels"},
        "scan_submit": {"en": "Scan", "nl": "Scannen"},
        "scan_inputs": {
            "en": "Input files with an example row (columns and units in docs/scanner.md):",
            "nl": "Invoerbestanden met een voorbeeldregel (kolommen en eenheden in docs/scanner.md):",
        },
        "scan_kind_bom": {"en": "Bill of materials", "nl": "Stuklijst"},
        "scan_kind_imports": {"en": "Import records", "nl": "Invoerregels"},
        "scan_kind_groups": {"en": "Product groups (CBS)", "nl": "Productgroepen (CBS)"},
        "scan_held": {
            "en": "Your uploaded file is held in memory for this session.",
            "nl": "Uw geüploade bestand staat voor deze sessie in het geheugen.",
        },
        "scan_delete": {"en": "Delete it now", "nl": "Nu verwijderen"},
        "scan_template": {"en": "Template", "nl": "Sjabloon"},
        "scan_quantity": {"en": "Units per year", "nl": "Stuks per jaar"},
        "scan_bad_rows": {"en": "Bad rows", "nl": "Foute regels"},
        "scan_valid_rows": {"en": "valid rows", "nl": "goede regels"},
        "scan_line": {"en": "Line", "nl": "Regel"},
        "scan_column": {"en": "Column", "nl": "Kolom"},
        "scan_value": {"en": "Value", "nl": "Waarde"},
        "scan_expected": {"en": "Expected", "nl": "Verwacht"},
        "scan_did_you_mean": {"en": "did you mean", "nl": "bedoelde u"},
        "scan_fix_or_skip": {
            "en": "Fix the file and upload it again, or scan the valid rows and see the bad ones listed:",
            "nl": "Verbeter het bestand en upload het opnieuw, of scan de goede regels met de foute erbij:",
        },
        "scan_rescan_skip": {"en": "Scan without the bad rows", "nl": "Scannen zonder de foute regels"},
        "scan_report": {"en": "Report", "nl": "Rapport"},
        "scan_report_pdf": {"en": "PDF report", "nl": "PDF-rapport"},
        "scan_materials": {"en": "Per material", "nl": "Per grondstof"},
        "scan_profile": {"en": "Risk profile", "nl": "Risicoprofiel"},
        "scan_profile_note": {
            "en": "No single hidden number: each indicator is a value-weighted mean with its highest "
            "material, the materials left out and the ones that dominate it.",
            "nl": "Geen verborgen totaalcijfer: elke indicator is een naar waarde gewogen gemiddelde met de "
            "hoogste grondstof, de weggelaten grondstoffen en de grondstoffen die het bepalen.",
        },
        "scan_products": {"en": "Per product", "nl": "Per product"},
        "scan_presets": {
            "en": "What each cut-off preset would do to your yearly need",
            "nl": "Wat elke voorinstelling voor wegvallende leveranciers met uw jaarbehoefte doet",
        },
        "scan_options": {
            "en": "Options: other suppliers, recycled content, design",
            "nl": "Mogelijkheden: andere leveranciers, gerecycled materiaal, ontwerp",
        },
        "scan_skipped": {"en": "Rows left out", "nl": "Weggelaten regels"},
        "scan_unmapped": {
            "en": "Codes the material registry does not map",
            "nl": "Codes die het grondstoffenregister niet kent",
        },
        "scan_lines": {"en": "lines", "nl": "regels"},
        "scan_more_bad": {
            "en": "more problems: scan without the bad rows to get the full list in the report and the JSON",
            "nl": "meer problemen: scan zonder de foute regels voor de volledige lijst in rapport en JSON",
        },
    }
)
LABELS_NL.update(
    {
        "Yearly need": "Jaarbehoefte",
        "Suppliers from": "Leveranciers uit",
        "Top supplier": "Grootste leverancier",
        "Top supplier share": "Aandeel grootste leverancier",
        "Supplier HHI": "Leveranciers-HHI",
        "GeoPolRisk (company)": "GeoPolRisk (bedrijf)",
        "EU supply risk": "EU-leveringsrisico",
        "Export controls on date": "Exportbeperkingen op datum",
        "Share under controls": "Aandeel onder beperkingen",
        "CRMA list": "CRMA-lijst",
        "Yearly value": "Jaarwaarde",
        "Value at risk": "Waarde onder beperkingen",
        "Flags": "Kanttekeningen",
        "Scope": "Reikwijdte",
        "Indicator": "Indicator",
        "Highest material figure": "Hoogste grondstofcijfer",
        "Highest for": "Hoogste bij",
        "Materials counted": "Grondstoffen geteld",
        "Materials left out": "Grondstoffen weggelaten",
        "Dominated by": "Bepaald door",
        "Preset": "Voorinstelling",
        "Supplier": "Leverancier",
        "Months": "Maanden",
        "Share from supplier": "Aandeel van leverancier",
        "Lost": "Verloren",
        "Replaced": "Vervangen",
        "Shortfall": "Tekort",
        "Lost (value)": "Verloren (waarde)",
        "Option": "Mogelijkheid",
        "What": "Wat",
        "Detail": "Toelichting",
    }
)
