"""The one named exchange-rate source: US dollars per euro, ECB annual averages.

Used wherever a dollar figure is shown in euro (the stockpile planner's costs, prices in EUR, market
valuations); nothing else converts currencies.
"""

from __future__ import annotations

# ECB euro foreign exchange reference rates, annual averages of the daily rates, US dollars per euro
# (ECB Data Portal series EXR.A.USD.EUR.SP00.A; the same figures are Eurostat's ert_bil_eur_a). The euro
# started in 1999; earlier BACI years are not converted (their cost is null, with a note).
USD_PER_EUR: dict[int, float] = {
    1999: 1.0658, 2000: 0.9236, 2001: 0.8956, 2002: 0.9456, 2003: 1.1312, 2004: 1.2439,
    2005: 1.2441, 2006: 1.2556, 2007: 1.3705, 2008: 1.4708, 2009: 1.3948, 2010: 1.3257,
    2011: 1.3920, 2012: 1.2848, 2013: 1.3281, 2014: 1.3285, 2015: 1.1095, 2016: 1.1069,
    2017: 1.1297, 2018: 1.1810, 2019: 1.1195, 2020: 1.1422, 2021: 1.1827, 2022: 1.0530,
    2023: 1.0813, 2024: 1.0824,
}  # fmt: skip
RATE_SOURCE = (
    "ECB euro foreign exchange reference rates, annual average (ECB Data Portal EXR.A.USD.EUR.SP00.A)"
)
