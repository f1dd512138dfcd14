//! The place gazetteer and word lists, built once from the files in `data/` compiled into
//! the binary, plus the closed word classes of `lexicon`, as fast hash lookups.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

use super::canonical::fold_into;
use super::lexicon;

const LOCATIONS: &str = include_str!("../../data/locations.tsv");
const GIVEN_NAMES: &str = include_str!("../../data/given_names.txt");
const COMMON_WORDS: &str = include_str!("../../data/common_words.txt");
const SURNAMES: &str = include_str!("../../data/surnames.txt");

/// A small, fast hasher for short string keys (the FxHash mixing step); the keys are our own
/// folded words, so hash flooding is not a concern.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
        self.0 = h;
    }
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn finish(&self) -> u64 {
        // Multiplication only carries upwards; hashbrown takes buckets from the low bits,
        // so mix the high bits down (splitmix64's finaliser).
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

pub type FxBuild = BuildHasherDefault<FxHasher>;
pub type FxMap<K, V> = HashMap<K, V, FxBuild>;
pub type FxSet<K> = HashSet<K, FxBuild>;

/// How much a gazetteer hit can be trusted on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PlaceClass {
    /// A city under 100k people: only with other evidence when the word has other uses.
    SmallCity,
    City,
    /// A city of a million or more.
    BigCity,
    Region,
    Country,
}

#[derive(Debug, Clone)]
pub struct Place {
    pub canonical: Box<str>,
    pub class: PlaceClass,
}

/// Whether a folded word is a line of the English word list. A search asks this of a word or
/// two, so it reads the list itself (one byte search, well under a millisecond) rather than
/// building the gazetteer's maps, which costs a search process about 25 ms.
pub fn common_word_listed(folded: &str) -> bool {
    listed(COMMON_WORDS, folded)
}

/// Whether a lowercase word is one of the commonest US surnames (`data/surnames.txt`).
/// Asked only of the rare names whose reading is in doubt, so a byte search suffices.
pub fn is_surname(lower: &str) -> bool {
    listed(SURNAMES, lower)
}

/// Whether `w` is a whole line of `list`: one word a line, sorted bytewise (as
/// `data/generate.py` writes them), so a binary search over the bytes finds it.
fn listed(list: &str, w: &str) -> bool {
    if w.is_empty() || w.contains('\n') {
        return false;
    }
    let list = list.as_bytes();
    let w = w.as_bytes();
    // Invariant: every line starting before `lo` sorts below `w`, every line starting at
    // or after `hi` above it; `lo` is always a line start.
    let (mut lo, mut hi) = (0, list.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = list[..mid]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |i| i + 1);
        let start = start.max(lo);
        let end = memchr::memchr(b'\n', &list[start..]).map_or(list.len(), |i| start + i);
        match list[start..end].cmp(w) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => lo = end + 1,
            std::cmp::Ordering::Greater => hi = start,
        }
    }
    false
}

/// Word classes a folded word may belong to, as bits.
pub mod class {
    pub const COMMON: u32 = 1;
    pub const GIVEN: u32 = 1 << 1;
    pub const TITLE_HEAD: u32 = 1 << 2;
    pub const TITLE_MOD: u32 = 1 << 3;
    pub const ORG_HEAD: u32 = 1 << 4;
    pub const ORG_HEAD_OF: u32 = 1 << 5;
    pub const PLACE_SUFFIX: u32 = 1 << 6;
    pub const PLACE_OF: u32 = 1 << 7;
    pub const PARTICLE: u32 = 1 << 8;
    pub const DEMONYM: u32 = 1 << 9;
    pub const CALENDAR: u32 = 1 << 10;
    pub const NON_ENTITY_ACRONYM: u32 = 1 << 11;
    pub const SAID: u32 = 1 << 12;
    pub const PLACE_PREP: u32 = 1 << 13;
    pub const ROLE: u32 = 1 << 14;
    pub const FUNCTION: u32 = 1 << 15;
    pub const HYPHEN_ADJ: u32 = 1 << 16;
    /// Starts a multi-word place name in the gazetteer.
    pub const PLACE_START: u32 = 1 << 17;
    pub const ORG_FIRST: u32 = 1 << 18;
    pub const FACILITY: u32 = 1 << 19;
    pub const PLACE_FIRST: u32 = 1 << 20;
    pub const KNOWN_ORG: u32 = 1 << 21;
    pub const ORG_APPOSITIVE: u32 = 1 << 22;
    /// A named event or observance ("State of the Union"): no entity.
    pub const EVENT: u32 = 1 << 23;
    /// The first word of a named event ("Black" of "Black Friday").
    pub const EVENT_START: u32 = 1 << 24;
}

pub struct Gazetteer {
    places: Vec<Place>,
    /// Folded name (words joined by one space) -> place.
    place_keys: FxMap<Box<str>, u32>,
    /// Folded word -> class bits.
    words: FxMap<Box<str>, u32>,
    /// Folded single token -> (class bits, place id or `NO_PLACE`): `words` and the
    /// one-token keys of `place_keys` in one table, so classifying a token costs one
    /// lookup, not two (the token lookups were a tenth of extraction time). Keyed by a
    /// 64-bit hash of the token, not the token: a probe then touches the table alone, with
    /// no pointer to chase to a key stored elsewhere and no string comparison, which matters
    /// when indexing threads beside the extractor keep evicting the gazetteer from the
    /// caches. Two of the ~200,000 tokens sharing a hash, or a text word hitting one by
    /// chance, has odds around 10^-9 and 10^-14 per lookup: accepted for a word-class hint.
    tokens: FxMap<u64, (u32, u32)>,
}

const NO_PLACE: u32 = u32::MAX;

impl Gazetteer {
    /// The shared gazetteer, built on first use (tens of milliseconds, once per process).
    pub fn get() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(Gazetteer::build)
    }

    fn build() -> Gazetteer {
        let mut words: FxMap<Box<str>, u32> = FxMap::default();
        words.reserve(80_000);
        let add =
            |list: &mut dyn Iterator<Item = &str>, bit: u32, words: &mut FxMap<Box<str>, u32>| {
                let mut buf = String::new();
                for w in list {
                    buf.clear();
                    fold_into(w, &mut buf);
                    if !buf.is_empty() {
                        *words.entry(buf.as_str().into()).or_default() |= bit;
                    }
                }
            };
        add(&mut COMMON_WORDS.lines(), class::COMMON, &mut words);
        add(&mut GIVEN_NAMES.lines(), class::GIVEN, &mut words);
        let lists: [(&[&str], u32); 24] = [
            (lexicon::TITLE_HEADS, class::TITLE_HEAD),
            (lexicon::TITLE_RANKS, class::TITLE_MOD),
            (lexicon::TITLE_MODIFIERS, class::TITLE_MOD),
            (lexicon::ORG_HEADS, class::ORG_HEAD),
            (lexicon::ORG_HEADS_OF, class::ORG_HEAD_OF),
            (lexicon::PLACE_SUFFIXES, class::PLACE_SUFFIX),
            (lexicon::PLACE_OF, class::PLACE_OF),
            (lexicon::NAME_PARTICLES, class::PARTICLE),
            (lexicon::DEMONYMS, class::DEMONYM),
            (&lexicon::WEEKDAYS, class::CALENDAR),
            (lexicon::CALENDAR, class::CALENDAR),
            (lexicon::NON_ENTITY_ACRONYMS, class::NON_ENTITY_ACRONYM),
            (lexicon::LEGAL_FORMS, class::NON_ENTITY_ACRONYM),
            (lexicon::SAID_VERBS, class::SAID),
            (lexicon::PLACE_PREPOSITIONS, class::PLACE_PREP),
            (lexicon::PERSON_ROLES, class::ROLE),
            (lexicon::FUNCTION_WORDS, class::FUNCTION),
            (lexicon::HYPHEN_ADJ_SUFFIXES, class::HYPHEN_ADJ),
            (lexicon::ORG_FIRST, class::ORG_FIRST),
            (lexicon::FACILITY_WORDS, class::FACILITY),
            (lexicon::PLACE_FIRST, class::PLACE_FIRST),
            (lexicon::KNOWN_ORGS, class::KNOWN_ORG),
            (lexicon::ORG_APPOSITIVES, class::ORG_APPOSITIVE),
            (lexicon::EVENTS, class::EVENT),
        ];
        for (list, bit) in lists {
            add(&mut list.iter().copied(), bit, &mut words);
        }

        let mut places: Vec<Place> = Vec::with_capacity(40_000);
        let mut place_keys: FxMap<Box<str>, u32> = FxMap::default();
        place_keys.reserve(120_000);
        let mut aliases: Vec<(&str, u32)> = Vec::new();
        let mut buf = String::new();
        for line in LOCATIONS.lines() {
            let mut cols = line.split('\t');
            let (Some(cls), Some(name), Some(pop), aliases_col) =
                (cols.next(), cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            let pop: u64 = pop.parse().unwrap_or(0);
            let class = match cls {
                "country" => PlaceClass::Country,
                "region" => PlaceClass::Region,
                _ if pop >= 1_000_000 => PlaceClass::BigCity,
                _ if pop >= 100_000 => PlaceClass::City,
                _ => PlaceClass::SmallCity,
            };
            let id = places.len() as u32;
            places.push(Place {
                canonical: name.into(),
                class,
            });
            buf.clear();
            fold_into(name, &mut buf);
            let better = |old: u32, places: &[Place]| places[old as usize].class < class;
            match place_keys.get(buf.as_str()) {
                Some(&old) if !better(old, &places) => {}
                _ => {
                    place_keys.insert(buf.as_str().into(), id);
                }
            }
            for a in aliases_col
                .unwrap_or("")
                .split('|')
                .filter(|a| !a.is_empty())
            {
                aliases.push((a, id));
            }
        }
        // Aliases never displace a primary name, and a city's foreign-language alias that is
        // also a given name ("Sophia" for Sofia) would turn people into places. Nor is a
        // city's alias made only of English words a name in English news: GeoNames lists
        // translations and old names ("White House" for Casablanca, "Old Town" for
        // Baltimore, "New Town" for Cambridge), and "the White House" is not in Morocco.
        for (a, id) in aliases {
            buf.clear();
            fold_into(a, &mut buf);
            let class = places[id as usize].class;
            let w = words.get(buf.as_str()).copied().unwrap_or(0);
            if class < PlaceClass::Region && w & class::GIVEN != 0 {
                continue;
            }
            if class < PlaceClass::Region
                && buf
                    .split(' ')
                    .all(|w| words.get(w).is_some_and(|&c| c & class::COMMON != 0))
            {
                continue;
            }
            match place_keys.get(buf.as_str()) {
                Some(&old) if places[old as usize].class >= class || class < PlaceClass::Region => {
                }
                _ => {
                    place_keys.insert(buf.as_str().into(), id);
                }
            }
        }
        for name in lexicon::LANDMARKS {
            buf.clear();
            fold_into(name, &mut buf);
            if !place_keys.contains_key(buf.as_str()) {
                place_keys.insert(buf.as_str().into(), places.len() as u32);
                places.push(Place {
                    canonical: (*name).into(),
                    class: PlaceClass::BigCity,
                });
            }
        }
        // A dotted state or province abbreviation names its region, never a city or a
        // body the initials happen to fit ("S.C." is South Carolina, not the Supreme Court).
        for (abbr, region) in lexicon::REGION_ABBREVIATIONS {
            buf.clear();
            fold_into(region, &mut buf);
            let Some(&id) = place_keys.get(buf.as_str()) else {
                continue;
            };
            if places[id as usize].class != PlaceClass::Region {
                continue;
            }
            buf.clear();
            fold_into(abbr, &mut buf);
            place_keys.insert(buf.as_str().into(), id);
        }
        // The first word of each event (as a token: without a possessive ending), so that
        // only runs starting with one are looked up whole.
        for e in lexicon::EVENTS {
            buf.clear();
            fold_into(e, &mut buf);
            if let Some(first) = buf.split([' ', '\'']).next() {
                *words.entry(first.into()).or_default() |= class::EVENT_START;
            }
        }
        for key in place_keys.keys() {
            if key.contains(' ') {
                if let Some(first) = key.split(' ').next() {
                    *words.entry(first.into()).or_default() |= class::PLACE_START;
                }
            }
        }
        // Tokens never hold a space, so keys with one can never be looked up as a token.
        let mut tokens: FxMap<u64, (u32, u32)> = FxMap::default();
        tokens.reserve(words.len() + place_keys.len());
        for (w, &bits) in &words {
            tokens.insert(Self::token_key(w.as_bytes()), (bits, NO_PLACE));
        }
        for (k, &id) in &place_keys {
            if !k.contains(' ') {
                tokens
                    .entry(Self::token_key(k.as_bytes()))
                    .or_insert((0, NO_PLACE))
                    .1 = id;
            }
        }
        Gazetteer {
            places,
            place_keys,
            words,
            tokens,
        }
    }

    /// The key [`Gazetteer::token_by_key`] looks a folded word up by (a 64-bit hash: the
    /// table holds keys, not words).
    #[inline]
    pub fn token_key(folded: &[u8]) -> u64 {
        xxhash_rust::xxh3::xxh3_64(folded)
    }

    /// Class bits and place of one folded token, by its [`Gazetteer::token_key`]: for a
    /// word `t`, `(self.word(t), self.place(t))` in one probe.
    #[inline]
    pub fn token_by_key(&self, key: u64) -> (u32, Option<&Place>) {
        match self.tokens.get(&key) {
            Some(&(bits, id)) => (bits, self.places.get(id as usize)),
            None => (0, None),
        }
    }

    /// Class bits of a folded word (0 when unknown).
    #[inline]
    pub fn word(&self, folded: &str) -> u32 {
        self.words.get(folded).copied().unwrap_or(0)
    }

    /// Whether a folded word is a nationality or regional adjective: listed, or a place name
    /// with an adjective ending ("tasmanian", "cuban", "victorian").
    pub fn is_demonym(&self, folded: &str) -> bool {
        if self.word(folded) & class::DEMONYM != 0 {
            return true;
        }
        let stems: &[(&str, &str)] = &[
            ("ian", "ia"),
            ("ian", ""),
            ("an", "a"),
            ("ans", "a"),
            ("ians", "ia"),
            ("ese", ""),
            ("ish", ""),
        ];
        // One buffer for every candidate: most words try two or three endings.
        let mut cand = String::new();
        for (suffix, add) in stems {
            if let Some(stem) = folded.strip_suffix(suffix) {
                if stem.len() >= 3 {
                    cand.clear();
                    cand.push_str(stem);
                    cand.push_str(add);
                    if self
                        .place(&cand)
                        .is_some_and(|p| p.class >= PlaceClass::City)
                    {
                        return true;
                    }
                }
            }
        }
        false
    }

    /// The place a folded name (words joined by single spaces) stands for.
    #[inline]
    pub fn place(&self, folded: &str) -> Option<&Place> {
        self.place_keys
            .get(folded)
            .map(|&id| &self.places[id as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_and_words_load() {
        let g = Gazetteer::get();
        assert_eq!(
            g.place("kazakhstan").map(|p| p.class),
            Some(PlaceClass::Country)
        );
        assert_eq!(
            g.place("russian federation").map(|p| &*p.canonical),
            Some("Russia")
        );
        assert_eq!(g.place("aqtobe").map(|p| &*p.canonical), Some("Aktobe"));
        assert_eq!(g.place("nur-sultan").map(|p| &*p.canonical), Some("Astana"));
        assert_eq!(
            g.place("u.s.").map(|p| &*p.canonical),
            Some("United States")
        );
        assert!(g.place("leadership").is_none());
        assert!(g.word("leadership") & class::COMMON != 0);
        // A city's alias made of English words is a translation, not the city: the White
        // House is its own place, not Casablanca; "Old Town" is not Baltimore.
        assert_eq!(
            g.place("white house").map(|p| &*p.canonical),
            Some("White House")
        );
        assert!(g
            .place("old town")
            .is_none_or(|p| &*p.canonical != "Baltimore"));
        assert!(g
            .place("park city")
            .is_none_or(|p| &*p.canonical != "Bridgeport"));
        // A name that folds to the primary name stays a name ("Can Tho" for Cần Thơ).
        assert!(g.place("can tho").is_some());
        // The list read directly agrees with the gazetteer built from it.
        for w in ["leadership", "court", "four", "aardvark", "a"] {
            assert!(common_word_listed(w), "{w}");
        }
        for w in ["tokayev", "leadershi", "eadership", "", "court\nfour"] {
            assert!(!common_word_listed(w), "{w}");
        }
        // The binary search finds every line of both lists, and nothing between them.
        for list in [COMMON_WORDS, SURNAMES] {
            for w in list.lines() {
                assert!(listed(list, w), "{w}");
                assert!(!listed(list, &format!("{w}\u{1}")), "{w}");
            }
        }
        // Common surnames only: a town's own name is not one, nor a rare family name.
        for w in ["smith", "rubio", "gallup", "conyers", "palin"] {
            assert!(is_surname(w), "{w}");
        }
        for w in ["charlottesville", "scarsdale", "obama", "smi", "mith", ""] {
            assert!(!is_surname(w), "{w}");
        }
        assert!(g.word("john") & class::GIVEN != 0);
        assert!(g.word("kazakh") & class::DEMONYM != 0);
        assert!(g.word("rio") & class::PLACE_START != 0);
    }

    #[test]
    fn token_lookup_is_word_and_place() {
        let g = Gazetteer::get();
        let same = |k: &str| {
            let (bits, place) = g.token_by_key(Gazetteer::token_key(k.as_bytes()));
            assert_eq!(bits, g.word(k), "{k}");
            assert_eq!(
                place.map(|p| &p.canonical),
                g.place(k).map(|p| &p.canonical),
                "{k}"
            );
        };
        for k in g.words.keys().chain(g.place_keys.keys()) {
            if !k.contains(' ') {
                same(k);
            }
        }
        same("no-such-word-anywhere");
    }
}
