"""Dashboard texts in English and Dutch. Material and country names come from the registries."""

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
    "headline_value": {"en": "import value", "nl": "importwaarde"},
    "headline_concentrated": {
        "en": "materials with one partner above 50 %",
        "nl": "grondstoffen met één partner boven 50 %",
    },
    "headline_world": {
        "en": "materials where one country produces over 65 % of world supply",
        "nl": "grondstoffen waarvan één land meer dan 65 % van de wereldproductie levert",
    },
    "ranked_title": {"en": "Materials ranked by supply risk", "nl": "Grondstoffen naar leveringsrisico"},
    "ranked_note": {
        "en": "Ranked by import concentration × concentration of world production (both HHI, 0–1), which "
        "every material has; the GeoPolRisk score is shown where its HS mapping allows it.",
        "nl": "Gerangschikt naar importconcentratie × concentratie van de wereldproductie (beide HHI, 0–1), "
        "die elke grondstof heeft; de GeoPolRisk-score staat erbij waar de HS-indeling het toelaat.",
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
    "footer": {
        "en": "Figures from public data; each table names its source and vintage. Open source.",
        "nl": "Cijfers uit openbare gegevens; elke tabel noemt bron en peildatum. Open source.",
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
    "Materials imported": "Grondstoffen",
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
}


def label(text: str, lang: str) -> str:
    """A column heading in the page language (Dutch where known)."""
    return LABELS_NL.get(text, text) if lang == "nl" else text


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
