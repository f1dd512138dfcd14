//! The corpus alias table: article counts per (kind, article-level name) and per alias, the
//! clusters of names that are one entity across the corpus, and a compact binary form that
//! a search process loads in about a millisecond (one read, lookups by binary search over
//! fixed-size records, nothing decoded up front).
//!
//! Counts are authoritative (observe/forget add and subtract articles, so incremental
//! updates stay exact); clusters are derived from them whenever they change.

use std::path::Path;
use std::sync::OnceLock;

use anyhow::{bail, Context, Result};
use rayon::prelude::*;

use super::canonical::{fold, initials_fit, org_key, person_key, skeleton};
use super::gazetteer::{FxMap, FxSet, PlaceClass};
use crate::article::{Entity, EntityKind};
use crate::store::Bytes;

// 02: member references carry their name's kind (a cluster may join a place name to a
// person). Tables of 01, written before, are still read: their clusters hold one kind, so
// a member's kind is its cluster's.
const MAGIC: &[u8; 8] = b"NXENTS02";
const MAGIC_01: &[u8; 8] = b"NXENTS01";
const HEADER: usize = 8 + 8 + 4 * N_SECTIONS;
const N_SECTIONS: usize = 7;
// Section numbers.
const S_STR: usize = 0;
const S_NAMES: usize = 1;
const S_ALIASES: usize = 2;
const S_CLUSTERS: usize = 3;
const S_REFS: usize = 4;
const S_RESOLVE: usize = 5;
const S_VARIANTS: usize = 6;
// Record sizes.
const R_NAME: usize = 20; // kind u32, off u32, len u32, count u32, cluster u32
const R_ALIAS: usize = 24; // kind, name off, name len, alias off, alias len, count
const R_CLUSTER: usize = 28; // kind, canon off, canon len, members start, n, aliases start, n
const R_REF: usize = 8; // off, len (a member's: len | kind << KIND_SHIFT)
/// Member references keep their name's kind code in the top bits of the length.
const KIND_SHIFT: u32 = 30;
const LEN_MASK: u32 = (1 << KIND_SHIFT) - 1;
const R_RESOLVE: usize = 12; // key off, key len, cluster
const R_VARIANT: usize = 16; // skeleton off, len, word off, len

/// A name's key in the counts: its kind's code as one digit, then the name. Keys sort as
/// (kind, name) do, and a count is found from a `&str` without building a key per lookup.
type NameKey = Box<str>;
/// A name as the derivation reads it.
type NameRef<'a> = (EntityKind, &'a str);
type AliasKey = (EntityKind, Box<str>, Box<str>);

#[derive(Default, Clone, Debug)]
struct Counts {
    names: FxMap<NameKey, u32>,
    aliases: FxMap<AliasKey, u32>,
}

/// The derived, read-only view: the binary form itself.
struct Frozen {
    bytes: Bytes,
    sections: [(usize, usize); N_SECTIONS],
    /// Written as NXENTS01: member references carry no kind.
    v01: bool,
}

/// Corpus-level entity names: which article-level names are one entity, under which
/// canonical name, with which aliases.
#[derive(Default)]
pub struct EntityTable {
    counts: OnceLock<Counts>,
    frozen: OnceLock<Frozen>,
}

fn kind_code(k: EntityKind) -> u32 {
    match k {
        EntityKind::Person => 0,
        EntityKind::Organization => 1,
        EntityKind::Location => 2,
    }
}

/// Writes the counts key of a name into `buf`.
fn name_key_into(kind: EntityKind, name: &str, buf: &mut String) {
    buf.clear();
    buf.push(char::from(b'0' + kind_code(kind) as u8));
    buf.push_str(name);
}

/// The kind and name a counts key stands for.
fn name_of_key(key: &str) -> Option<NameRef<'_>> {
    let kind = kind_of_code(u32::from(key.as_bytes().first()?.wrapping_sub(b'0')))?;
    Some((kind, &key[1..]))
}

fn kind_of_code(c: u32) -> Option<EntityKind> {
    match c {
        0 => Some(EntityKind::Person),
        1 => Some(EntityKind::Organization),
        2 => Some(EntityKind::Location),
        _ => None,
    }
}

/// The key under which two names of one kind are the same entity.
fn match_key(kind: EntityKind, name: &str) -> String {
    match kind {
        EntityKind::Organization => org_key(name),
        _ => person_key(name),
    }
}

/// The key names are clustered by: the match key, except that a name of three or four
/// capitals is an acronym and keeps its letters ("DOJ" and "DOI", Justice and Interior, are
/// two bodies however alike "j" and "i" are in a transliteration, and "CYA" is not the CIA).
fn cluster_key(kind: EntityKind, name: &str) -> String {
    if (3..=4).contains(&name.len()) && name.bytes().all(|c| c.is_ascii_uppercase()) {
        return name.to_ascii_lowercase();
    }
    match_key(kind, name)
}

/// Titles a user may type before a name in `--entity`.
const QUERY_TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "dr",
    "president",
    "prime",
    "minister",
    "gen",
    "maj",
    "sen",
    "gov",
    "the",
    "king",
    "queen",
];

impl EntityTable {
    pub fn new() -> Self {
        EntityTable::default()
    }

    fn counts_mut(&mut self) -> &mut Counts {
        if self.counts.get().is_none() {
            let decoded = self.frozen.get().map(decode_counts).unwrap_or_default();
            let _ = self.counts.set(decoded);
        }
        // The derived view no longer matches once counts change.
        self.frozen = OnceLock::new();
        self.counts.get_mut().expect("counts were just set")
    }

    fn frozen(&self) -> &Frozen {
        self.frozen.get_or_init(|| {
            let empty = Counts::default();
            build(self.counts.get().unwrap_or(&empty))
        })
    }

    /// Counts one article's entities in.
    pub fn observe(&mut self, entities: &[Entity]) {
        let c = self.counts_mut();
        let mut seen: FxSet<(EntityKind, &str)> = FxSet::default();
        let mut key = String::new();
        for e in entities {
            if e.name.is_empty() || !seen.insert((e.kind, e.name.as_str())) {
                continue;
            }
            // Most names were seen before: count them without allocating a key.
            name_key_into(e.kind, &e.name, &mut key);
            match c.names.get_mut(key.as_str()) {
                Some(n) => *n += 1,
                None => {
                    c.names.insert(key.as_str().into(), 1);
                }
            }
            let mut seen_alias: FxSet<&str> = FxSet::default();
            for a in &e.aliases {
                if a != &e.name && !a.is_empty() && seen_alias.insert(a) {
                    *c.aliases
                        .entry((e.kind, e.name.as_str().into(), a.as_str().into()))
                        .or_default() += 1;
                }
            }
        }
    }

    /// Counts one article's entities out (the article was deleted or rewritten).
    pub fn forget(&mut self, entities: &[Entity]) {
        let c = self.counts_mut();
        let mut key = String::new();
        let mut seen: FxSet<(EntityKind, &str)> = FxSet::default();
        for e in entities {
            if !seen.insert((e.kind, e.name.as_str())) {
                continue;
            }
            name_key_into(e.kind, &e.name, &mut key);
            if let Some(n) = c.names.get_mut(key.as_str()) {
                *n -= 1;
                if *n == 0 {
                    c.names.remove(key.as_str());
                }
            }
            let mut seen_alias: FxSet<&str> = FxSet::default();
            for a in &e.aliases {
                if a == &e.name || !seen_alias.insert(a) {
                    continue;
                }
                let key = (e.kind, e.name.as_str().into(), a.as_str().into());
                if let Some(n) = c.aliases.get_mut(&key) {
                    *n -= 1;
                    if *n == 0 {
                        c.aliases.remove(&key);
                    }
                }
            }
        }
    }

    /// Number of distinct article-level names.
    pub fn len(&self) -> usize {
        self.frozen().count(S_NAMES, R_NAME)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The corpus-level entity an article-level name belongs to.
    pub fn canonical(&self, kind: EntityKind, name: &str) -> (EntityKind, String) {
        let f = self.frozen();
        match f.find_name(kind, name) {
            Some(i) => {
                let cl = f.u32(S_NAMES, R_NAME, i, 4) as usize;
                // A place name joined to a person ("Obama") is that person.
                let kind = kind_of_code(f.u32(S_CLUSTERS, R_CLUSTER, cl, 0)).unwrap_or(kind);
                (kind, f.cluster_name(cl).to_string())
            }
            None => (kind, name.to_string()),
        }
    }

    /// Corpus-level entity ids (clusters) of article-level names of one kind, one per name;
    /// `None` for a name the table does not hold. Names given in ascending byte order (the
    /// order facet counts come in) are looked up by galloping forward from the previous hit,
    /// so a broad query's tens of thousands of facet values cost a merge, not a search each.
    pub fn cluster_ids<'a>(
        &self,
        kind: EntityKind,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Vec<Option<u32>> {
        let f = self.frozen();
        let (start, end) = f.kind_range(kind);
        let mut lo = start;
        let mut prev: &[u8] = &[];
        names
            .into_iter()
            .map(|name| {
                let key = name.as_bytes();
                if key < prev {
                    lo = start; // out of order: start over rather than miss it
                }
                prev = key;
                lo = f.gallop(lo, end, key);
                (lo < end && f.bytes_at(S_NAMES, R_NAME, lo, 4) == key)
                    .then(|| f.u32(S_NAMES, R_NAME, lo, 4))
            })
            .collect()
    }

    /// The canonical name of a cluster id from [`EntityTable::cluster_ids`].
    pub fn cluster_canonical(&self, id: u32) -> &str {
        self.frozen().cluster_name(id as usize)
    }

    /// Number of corpus-level entities (cluster ids run from 0 to this).
    pub fn cluster_count(&self) -> usize {
        self.frozen().count(S_CLUSTERS, R_CLUSTER)
    }

    /// The kind of a cluster id from [`EntityTable::cluster_ids`].
    pub fn cluster_kind(&self, id: u32) -> Option<EntityKind> {
        kind_of_code(self.frozen().u32(S_CLUSTERS, R_CLUSTER, id as usize, 0))
    }

    /// Entities a user's name may mean (any alias, any case, diacritics and spelling
    /// variants folded), most mentioned first.
    pub fn resolve(&self, query: &str) -> Vec<(EntityKind, String)> {
        let f = self.frozen();
        let mut q = fold(query.trim());
        while let Some((first, rest)) = q.split_once(' ') {
            if !QUERY_TITLES.contains(&first.trim_end_matches('.')) {
                break;
            }
            q = rest.trim().to_string();
        }
        if q.is_empty() {
            return Vec::new();
        }
        let mut clusters = f.resolve_key(&q);
        if clusters.is_empty() {
            for k in [person_key(&q), org_key(&q)] {
                clusters.extend(f.resolve_key(&format!("~{k}")));
            }
        }
        clusters.sort_unstable();
        clusters.dedup();
        // A name that is some entity's own name means that entity, not every entity an
        // article once shortened to it: "Washington" is the place, not also the Washington
        // Post of the articles that called it "Washington" for short.
        let own: Vec<usize> = clusters
            .iter()
            .copied()
            .filter(|&c| f.refs(c, 3).any(|m| fold(m) == q))
            .collect();
        if !own.is_empty() {
            clusters = own;
        }
        let mut out: Vec<(u32, EntityKind, String)> = clusters
            .into_iter()
            .filter_map(|c| {
                let kind = kind_of_code(f.u32(S_CLUSTERS, R_CLUSTER, c, 0))?;
                Some((f.cluster_articles(c), kind, f.cluster_name(c).to_string()))
            })
            .collect();
        out.sort_by(|a, b| b.0.cmp(&a.0).then(a.2.cmp(&b.2)));
        out.into_iter().map(|(_, k, n)| (k, n)).collect()
    }

    /// Article-level names, with their kinds, that make up a canonical entity (what facet
    /// filters match).
    pub fn members(&self, kind: EntityKind, canonical: &str) -> Vec<(EntityKind, String)> {
        let f = self.frozen();
        match f.cluster_of(kind, canonical) {
            Some(c) => f.member_refs(c).map(|(k, m)| (k, m.to_string())).collect(),
            None => vec![(kind, canonical.to_string())],
        }
    }

    /// Every name and alias seen for a canonical entity, most frequent first.
    pub fn aliases(&self, kind: EntityKind, canonical: &str) -> Vec<String> {
        let f = self.frozen();
        match f.cluster_of(kind, canonical) {
            Some(c) => f.refs(c, 5).map(str::to_string).collect(),
            None => Vec::new(),
        }
    }

    /// Spelling variants of a query word that the table's names hold ("Tokajev" ->
    /// "tokayev"), lowercase; not the word itself.
    pub fn variants(&self, word: &str) -> Vec<String> {
        let f = self.frozen();
        let w = fold(word.trim());
        if w.chars().count() < 4 {
            return Vec::new();
        }
        let sk = skeleton(&w);
        let mut out: Vec<String> = Vec::new();
        let n = f.count(S_VARIANTS, R_VARIANT);
        let mut i = f.lower_bound(S_VARIANTS, R_VARIANT, n, sk.as_bytes());
        while i < n && f.str_at(S_VARIANTS, R_VARIANT, i, 0) == sk {
            let v = f.str_at(S_VARIANTS, R_VARIANT, i, 8);
            if v != w && !out.iter().any(|o| o == v) {
                out.push(v.to_string());
            }
            i += 1;
        }
        out
    }

    /// Writes the binary form, stamped with the index commit it describes.
    pub fn save(&self, path: &Path, opstamp: u64) -> Result<()> {
        // The derived view always matches the counts (changing them drops it), and it is
        // kept after the save: lookups follow. Only the stamp differs.
        let mut bytes = self.frozen().bytes.to_vec();
        bytes[8..16].copy_from_slice(&opstamp.to_le_bytes());
        crate::store::write_atomic(path, &bytes)
            .with_context(|| format!("cannot save the entity table {}", path.display()))
    }

    /// Reads a table saved by [`EntityTable::save`]: `(opstamp, table)`, or `None` when
    /// the file does not exist.
    pub fn load(path: &Path) -> Result<Option<(u64, EntityTable)>> {
        let Some(bytes) = crate::store::map_file(path)? else {
            return Ok(None);
        };
        let f = Frozen::parse(bytes)
            .with_context(|| format!("entity table {} is damaged", path.display()))?;
        let opstamp = u64::from_le_bytes(f.bytes[8..16].try_into().unwrap_or([0; 8]));
        let t = EntityTable {
            counts: OnceLock::new(),
            frozen: OnceLock::new(),
        };
        let _ = t.frozen.set(f);
        Ok(Some((opstamp, t)))
    }
}

impl std::fmt::Debug for EntityTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EntityTable({} names)", self.len())
    }
}

impl Frozen {
    fn parse(bytes: Bytes) -> Result<Frozen> {
        if bytes.len() < HEADER || (&bytes[..8] != MAGIC && &bytes[..8] != MAGIC_01) {
            bail!("not a newsidx entity table");
        }
        let v01 = &bytes[..8] == MAGIC_01;
        let mut sections = [(0usize, 0usize); N_SECTIONS];
        let mut start = HEADER;
        for (i, s) in sections.iter_mut().enumerate() {
            let o = 16 + 4 * i;
            let end = u32::from_le_bytes(bytes[o..o + 4].try_into().unwrap_or([0; 4])) as usize;
            if end < start || end > bytes.len() {
                bail!("section {i} out of bounds");
            }
            *s = (start, end);
            start = end;
        }
        let sizes = [1, R_NAME, R_ALIAS, R_CLUSTER, R_REF, R_RESOLVE, R_VARIANT];
        for (i, (a, b)) in sections.iter().enumerate() {
            if (b - a) % sizes[i] != 0 {
                bail!("section {i} has a partial record");
            }
        }
        Ok(Frozen {
            bytes,
            sections,
            v01,
        })
    }

    fn count(&self, sec: usize, rec: usize) -> usize {
        let (a, b) = self.sections[sec];
        (b - a) / rec
    }

    #[inline]
    fn u32(&self, sec: usize, rec: usize, i: usize, field: usize) -> u32 {
        let o = self.sections[sec].0 + i * rec + field * 4;
        self.bytes
            .get(o..o + 4)
            .and_then(|s| s.try_into().ok())
            .map(u32::from_le_bytes)
            .unwrap_or(0)
    }

    fn str_ref(&self, off: u32, len: u32) -> &str {
        let (a, b) = self.sections[S_STR];
        let s = a + off as usize;
        let e = s + len as usize;
        if e > b {
            return "";
        }
        std::str::from_utf8(&self.bytes[s..e]).unwrap_or("")
    }

    /// Raw bytes of a string reference: comparisons need no UTF-8 validation (that check
    /// was most of a broad query's facet merging when every probe made one).
    fn bytes_ref(&self, off: u32, len: u32) -> &[u8] {
        let (a, b) = self.sections[S_STR];
        let s = a + off as usize;
        let e = s + len as usize;
        if e > b {
            return &[];
        }
        &self.bytes[s..e]
    }

    fn bytes_at(&self, sec: usize, rec: usize, i: usize, byte_field: usize) -> &[u8] {
        let f = byte_field / 4;
        self.bytes_ref(self.u32(sec, rec, i, f), self.u32(sec, rec, i, f + 1))
    }

    /// The records `[start, end)` of the names section that have `kind`.
    fn kind_range(&self, kind: EntityKind) -> (usize, usize) {
        let n = self.count(S_NAMES, R_NAME);
        let k = kind_code(kind);
        let first = |code: u32| {
            let (mut lo, mut hi) = (0, n);
            while lo < hi {
                let mid = (lo + hi) / 2;
                if self.u32(S_NAMES, R_NAME, mid, 0) < code {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            lo
        };
        (first(k), first(k + 1))
    }

    /// First name record in `[lo, end)` whose name is >= `key`: exponential steps from `lo`,
    /// then a binary search inside the last step.
    fn gallop(&self, lo: usize, end: usize, key: &[u8]) -> usize {
        let less = |i: usize| self.bytes_at(S_NAMES, R_NAME, i, 4) < key;
        if lo >= end || !less(lo) {
            return lo;
        }
        // Invariant: record `a` is less than key; `b` is not (or is `end`).
        let (mut a, mut step) = (lo, 1usize);
        let mut b = loop {
            let probe = a.saturating_add(step);
            if probe >= end {
                break end;
            }
            if !less(probe) {
                break probe;
            }
            a = probe;
            step *= 2;
        };
        while b - a > 1 {
            let mid = a + (b - a) / 2;
            if less(mid) {
                a = mid;
            } else {
                b = mid;
            }
        }
        b
    }

    /// The string whose (offset, length) pair starts at 32-bit field `field`.
    fn str_at(&self, sec: usize, rec: usize, i: usize, byte_field: usize) -> &str {
        let f = byte_field / 4;
        self.str_ref(self.u32(sec, rec, i, f), self.u32(sec, rec, i, f + 1))
    }

    fn find_name(&self, kind: EntityKind, name: &str) -> Option<usize> {
        let n = self.count(S_NAMES, R_NAME);
        let k = kind_code(kind);
        let (mut lo, mut hi) = (0, n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let mk = self.u32(S_NAMES, R_NAME, mid, 0);
            let ord = mk
                .cmp(&k)
                .then_with(|| self.bytes_at(S_NAMES, R_NAME, mid, 4).cmp(name.as_bytes()));
            match ord {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    fn cluster_of(&self, kind: EntityKind, name: &str) -> Option<usize> {
        self.find_name(kind, name)
            .map(|i| self.u32(S_NAMES, R_NAME, i, 4) as usize)
    }

    fn cluster_name(&self, c: usize) -> &str {
        self.str_at(S_CLUSTERS, R_CLUSTER, c, 4)
    }

    /// Articles of a cluster: the sum over its member names.
    fn cluster_articles(&self, c: usize) -> u32 {
        let mut total = 0u32;
        for (k, m) in self.member_refs(c) {
            if let Some(i) = self.find_name(k, m) {
                total = total.saturating_add(self.u32(S_NAMES, R_NAME, i, 3));
            }
        }
        total
    }

    /// Member (field 3) or alias (field 5) strings of a cluster, with the kind code kept
    /// in a member reference's length.
    fn refs_coded(&self, c: usize, field: usize) -> impl Iterator<Item = (u32, &str)> {
        let start = self.u32(S_CLUSTERS, R_CLUSTER, c, field) as usize;
        let n = self.u32(S_CLUSTERS, R_CLUSTER, c, field + 1) as usize;
        let total = self.count(S_REFS, R_REF);
        let cluster_kind = self.u32(S_CLUSTERS, R_CLUSTER, c, 0);
        (start..(start + n).min(total)).map(move |i| {
            let len = self.u32(S_REFS, R_REF, i, 1);
            if self.v01 {
                return (
                    cluster_kind,
                    self.str_ref(self.u32(S_REFS, R_REF, i, 0), len),
                );
            }
            let s = self.str_ref(self.u32(S_REFS, R_REF, i, 0), len & LEN_MASK);
            (len >> KIND_SHIFT, s)
        })
    }

    /// Member (field 3) or alias (field 5) strings of a cluster.
    fn refs(&self, c: usize, field: usize) -> impl Iterator<Item = &str> {
        self.refs_coded(c, field).map(|(_, s)| s)
    }

    /// A cluster's member names with their kinds.
    fn member_refs(&self, c: usize) -> impl Iterator<Item = (EntityKind, &str)> {
        self.refs_coded(c, 3)
            .filter_map(|(k, s)| Some((kind_of_code(k)?, s)))
    }

    /// First record whose leading string is >= `key`.
    fn lower_bound(&self, sec: usize, rec: usize, n: usize, key: &[u8]) -> usize {
        let (mut lo, mut hi) = (0, n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.bytes_at(sec, rec, mid, 0) < key {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    fn resolve_key(&self, key: &str) -> Vec<usize> {
        let n = self.count(S_RESOLVE, R_RESOLVE);
        let mut i = self.lower_bound(S_RESOLVE, R_RESOLVE, n, key.as_bytes());
        let mut out = Vec::new();
        while i < n && self.str_at(S_RESOLVE, R_RESOLVE, i, 0) == key {
            out.push(self.u32(S_RESOLVE, R_RESOLVE, i, 2) as usize);
            i += 1;
        }
        out
    }
}

fn decode_counts(f: &Frozen) -> Counts {
    let mut c = Counts::default();
    for i in 0..f.count(S_NAMES, R_NAME) {
        if let Some(k) = kind_of_code(f.u32(S_NAMES, R_NAME, i, 0)) {
            let mut key = String::new();
            name_key_into(k, f.str_at(S_NAMES, R_NAME, i, 4), &mut key);
            c.names.insert(key.into(), f.u32(S_NAMES, R_NAME, i, 3));
        }
    }
    for i in 0..f.count(S_ALIASES, R_ALIAS) {
        if let Some(k) = kind_of_code(f.u32(S_ALIASES, R_ALIAS, i, 0)) {
            let name = f.str_at(S_ALIASES, R_ALIAS, i, 4);
            let alias = f.str_at(S_ALIASES, R_ALIAS, i, 12);
            c.aliases.insert(
                (k, name.into(), alias.into()),
                f.u32(S_ALIASES, R_ALIAS, i, 5),
            );
        }
    }
    c
}

struct UnionFind(Vec<u32>);

impl UnionFind {
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] as usize != x {
            let p = self.0[x] as usize;
            self.0[x] = self.0[p];
            x = p;
        }
        x
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.0[hi] = lo as u32;
        }
    }
}

/// The node of a (kind, name) among the names in (kind, name) order.
fn node_of(names: &[(NameRef, u32)], kind: EntityKind, name: &str) -> Option<usize> {
    names
        .binary_search_by(|((nk, nn), _)| {
            kind_code(*nk)
                .cmp(&kind_code(kind))
                .then_with(|| nn.as_bytes().cmp(name.as_bytes()))
        })
        .ok()
}

/// A person name's initials in order ("George H. W. Bush" -> "h v", after the skeleton's
/// rewrites), empty for a name without any.
fn initials_signature(name: &str) -> String {
    let sk = skeleton(name);
    let mut out = String::new();
    for w in sk.split(' ').filter(|w| w.len() == 1) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Joins the names that share a match key, and returns the node each key stands for.
///
/// A person's key leaves initials out, so "Donald J. Trump" is "Donald Trump"; but initials
/// that differ tell people apart: George W. Bush is not his father George H. W. Bush. When a
/// key's names carry more than one set of initials, each set is its own person, and the
/// names without initials join the set named in the most articles only when it has at least
/// three times the articles of the next ("George Bush" alone may be either).
fn union_by_key<'k>(
    names: &[(NameRef, u32)],
    keys: &'k [String],
    uf: &mut UnionFind,
) -> FxMap<(EntityKind, &'k str), usize> {
    // The names of one key are a run of the nodes sorted by (kind, key), each run in node
    // order. Runs are disjoint, so the order they are taken in changes nothing.
    let mut order: Vec<usize> = (0..names.len()).filter(|&i| !keys[i].is_empty()).collect();
    order.par_sort_unstable_by(|&a, &b| {
        (kind_code(names[a].0 .0), &keys[a], a).cmp(&(kind_code(names[b].0 .0), &keys[b], b))
    });
    let mut by_key = FxMap::with_capacity_and_hasher(order.len(), Default::default());
    for members in order.chunk_by(|&a, &b| names[a].0 .0 == names[b].0 .0 && keys[a] == keys[b]) {
        let (k, key) = (names[members[0]].0 .0, keys[members[0]].as_str());
        // Most keys have one name: nothing to join, no initials to read.
        if let [only] = members {
            by_key.insert((k, key), *only);
            continue;
        }
        let signature = |i: usize| match k {
            EntityKind::Person => initials_signature(names[i].0 .1),
            _ => String::new(),
        };
        // (initials, articles, nodes), nodes in name order.
        let mut sets: Vec<(String, u32, Vec<usize>)> = Vec::new();
        for &i in members {
            let sig = signature(i);
            match sets.iter_mut().find(|s| s.0 == sig) {
                Some(s) => {
                    s.1 = s.1.saturating_add(names[i].1);
                    s.2.push(i);
                }
                None => sets.push((sig, names[i].1, vec![i])),
            }
        }
        for (_, _, nodes) in &sets {
            for &i in &nodes[1..] {
                uf.union(nodes[0], i);
            }
        }
        let bare = sets.iter().position(|s| s.0.is_empty());
        let mut initialled: Vec<&(String, u32, Vec<usize>)> =
            sets.iter().filter(|s| !s.0.is_empty()).collect();
        initialled.sort_by(|a, b| b.1.cmp(&a.1).then(a.2[0].cmp(&b.2[0])));
        let joins = match initialled.as_slice() {
            [] => None,
            [only] => Some(only.2[0]),
            [a, b, ..] => (a.1 >= 3 * b.1.max(1)).then_some(a.2[0]),
        };
        let node = match (bare, joins) {
            (Some(b), Some(j)) => {
                uf.union(sets[b].2[0], j);
                sets[b].2[0]
            }
            (Some(b), None) => sets[b].2[0],
            (None, _) => initialled[0].2[0],
        };
        by_key.insert((k, key), node);
    }
    by_key
}

/// Entities named in at least this many articles (summed over the names that share a match
/// key) are established: an alias merges two of them only on the terms of
/// [`link_by_aliases`].
const MIN_ANCHOR_ARTICLES: u32 = 3;

/// How an alias relates to the article-level name it was seen with.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Link {
    /// One is an acronym of the other ("CSTO", "Collective Security Treaty Organization").
    Acronym,
    /// One's words are a run of the other's ("Senate" in "Senate Armed Services
    /// Committee", "Iran" in "Islamic Republic of Iran").
    Part,
    /// A part, and the rest only says what kind of body it is ("NBC News", "Treasury
    /// Department"): the same organisation.
    Designated,
    Other,
}

/// Words that add nothing to an organisation's name but what kind of body it is.
const DESIGNATORS: &[&str] = &[
    "department",
    "news",
    "inc",
    "corp",
    "corporation",
    "co",
    "ltd",
    "llc",
    "plc",
    "group",
    "network",
    "party",
];

/// The shape of an acronym: one word, at least two letters, all in capitals (also the
/// cheap first test of [`link_kind`]'s acronym link).
fn looks_like_acronym(s: &str) -> bool {
    !s.contains(' ')
        && s.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && s.chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase)
}

fn link_kind(name: &str, alias: &str) -> Link {
    let acronym_of = |long: &str, short: &str| {
        looks_like_acronym(short) && long.contains([' ', '-']) && initials_fit(long, short)
    };
    let words = |s: &str| -> Vec<String> {
        fold(s)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (a, b) = (words(name), words(alias));
    let (long, short) = if a.len() >= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    // First: a word of the name in capitals ("IRAN", "SENATE") is a part, not an acronym.
    if let Some(at) = (!short.is_empty())
        .then(|| {
            long.windows(short.len())
                .position(|w| w == short.as_slice())
        })
        .flatten()
    {
        let designator_only = long[..at]
            .iter()
            .chain(&long[at + short.len()..])
            .all(|w| DESIGNATORS.contains(&w.as_str()));
        return if designator_only {
            Link::Designated
        } else {
            Link::Part
        };
    }
    if acronym_of(name, alias) || acronym_of(alias, name) {
        return Link::Acronym;
    }
    Link::Other
}

/// Joins names through the aliases they were seen with: an alias whose match key is another
/// name's links the two ("CSTO" seen beside "Collective Security Treaty Organization" joins
/// the articles that only say "CSTO").
///
/// Plain union over every alias chains unrelated entities through one sloppy article or
/// one ambiguous alias: over AllSides' 37,000 articles "Senate Armed Services Committee"
/// (alias "Senate") pulled every Senate committee into the Senate, "S.C." pulled the
/// Supreme Court in too, and a run like "Ted Cruz Vice President Joe Biden" made Cruz
/// and Biden one person. So links are taken strongest first (most articles), and a link
/// that would merge two established entities ([`MIN_ANCHOR_ARTICLES`]) is taken only when
/// the alias mostly goes with this name and the two are a place and another name of it
/// ("America", "Islamic Republic of Iran") or an organisation and another wording of it
/// ("NBC News", "Ministry of Internal Affairs"), never a name inside another
/// organisation's nor two people. An acronym joins only the entity it is mostly seen with.
/// A name of a few articles still joins the first established entity it links to, and
/// only that one.
fn link_by_aliases(
    names: &[(NameRef, u32)],
    aliases: &[(&AliasKey, u32)],
    alias_keys: &[Option<String>],
    by_key: &FxMap<(EntityKind, &str), usize>,
    uf: &mut UnionFind,
) {
    let n = names.len();
    // Clusters by match key alone, and which of them are established.
    let base: Vec<usize> = (0..n).map(|i| uf.find(i)).collect();
    let mut total = vec![0u32; n];
    for (i, (_, cnt)) in names.iter().enumerate() {
        total[base[i]] = total[base[i]].saturating_add(*cnt);
    }
    let mut anchored: Vec<bool> = total.iter().map(|&t| t >= MIN_ANCHOR_ARTICLES).collect();
    // Candidate links: (articles, from node, to node, alias key index).
    let mut links: Vec<(u32, usize, usize, usize)> = Vec::new();
    // Per alias key, articles seen with it per base cluster: who an alias mostly means.
    let mut seen_with: FxMap<(EntityKind, &str), FxMap<usize, u32>> = FxMap::default();
    // The same for an acronym, counting only the names it abbreviates: "FBI" seen with
    // "FBI Laboratory" or "FBI Special Agent" says those belong to the FBI, not that "FBI"
    // means something else than the Federal Bureau of Investigation it is seen defining.
    let mut defines: FxMap<(EntityKind, &str), FxMap<usize, u32>> = FxMap::default();
    for (ai, (((k, name, alias), cnt), ak)) in aliases.iter().zip(alias_keys).enumerate() {
        let Some(ak) = ak else { continue };
        let Some(i) = node_of(names, *k, name) else {
            continue;
        };
        let Some(&j) = by_key.get(&(*k, ak.as_str())) else {
            continue;
        };
        *seen_with
            .entry((*k, ak.as_str()))
            .or_default()
            .entry(base[i])
            .or_default() += *cnt;
        if looks_like_acronym(alias) && link_kind(name, alias) == Link::Acronym {
            *defines
                .entry((*k, ak.as_str()))
                .or_default()
                .entry(base[i])
                .or_default() += *cnt;
        }
        if base[i] != base[j] {
            links.push((*cnt, i, j, ai));
        }
    }
    // Strongest evidence first; ties in a fixed order, so the result does not depend on
    // hash order.
    links.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    for (_, i, j, ai) in links {
        let (ri, rj) = (uf.find(i), uf.find(j));
        if ri == rj {
            continue;
        }
        let ((k, name, alias), _) = aliases[ai];
        // Whether the alias mostly stands for this name's entity wherever it is seen.
        let mostly = |seen: &FxMap<(EntityKind, &str), FxMap<usize, u32>>| {
            alias_keys[ai].as_deref().is_some_and(|ak| {
                let Some(by) = seen.get(&(*k, ak)) else {
                    return false;
                };
                let all: u32 = by.values().sum();
                let mine = by.get(&base[i]).copied().unwrap_or(0);
                3 * mine >= 2 * all
            })
        };
        let mostly_this = || mostly(&seen_with);
        // Two different acronyms are two bodies, even when one article's spelling rules
        // joined them ("DOJ" beside "DOI").
        let letters = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        if looks_like_acronym(name) && looks_like_acronym(alias) && letters(name) != letters(alias)
        {
            continue;
        }
        let allowed = match link_kind(name, alias) {
            // An acronym stands for many things ("AP", "S.C."): it joins only the entity
            // it mostly abbreviates, however small the name that brings it.
            // Two letters stand for too many bodies ("CA": Cambridge Analytica, a
            // California office) to leave out the names they are part of; a place's are
            // its own ("UK").
            Link::Acronym
                if *k == EntityKind::Location
                    || alias.chars().filter(|c| c.is_alphanumeric()).count() >= 3 =>
            {
                mostly(&defines)
            }
            Link::Acronym => mostly_this(),
            _ if !(anchored[ri] && anchored[rj]) => true,
            Link::Designated => mostly_this(),
            // Places have other names ("America", "Islamic Republic of Iran"), and
            // organisations differently worded ones ("Ministry of Internal Affairs" for
            // "Interior Ministry"); but a name inside another organisation's is usually a
            // different body ("Senate" and its committees), and people named alike are
            // not one.
            Link::Other if *k == EntityKind::Organization => mostly_this(),
            _ => *k == EntityKind::Location && mostly_this(),
        };
        if !allowed {
            continue;
        }
        uf.union(ri, rj);
        let r = uf.find(ri);
        anchored[r] = anchored[ri] || anchored[rj];
    }
}

/// Articles per cluster, at each cluster's root node (other nodes hold 0).
fn cluster_totals(names: &[(NameRef, u32)], uf: &mut UnionFind) -> Vec<u32> {
    let mut total = vec![0u32; names.len()];
    for (i, (_, cnt)) in names.iter().enumerate() {
        let r = uf.find(i);
        total[r] = total[r].saturating_add(*cnt);
    }
    total
}

/// Of the clusters of `nodes` (people sharing a surname), the one that has the surname to
/// itself or is named in three times the articles of any other: (its articles, its root).
fn dominant_cluster(
    nodes: &[usize],
    uf: &mut UnionFind,
    cluster_total: &[u32],
) -> Option<(u32, usize)> {
    let mut roots: Vec<(u32, usize)> = nodes
        .iter()
        .map(|&j| uf.find(j))
        .collect::<FxSet<usize>>()
        .into_iter()
        .map(|r| (cluster_total[r], r))
        .collect();
    roots.sort_unstable_by(|a, b| b.cmp(a));
    match roots.as_slice() {
        [only] => Some(*only),
        [a, b, ..] if a.0 >= 3 * b.0.max(1) => Some(*a),
        _ => None,
    }
}

/// Articles that must name a person in full before a lone surname elsewhere joins them.
const MIN_SURNAME_ARTICLES: u32 = 3;

/// A place name joins a person of that surname only when the person is named in full in
/// this many articles at least, and in this many times the place's articles.
const MIN_PLACE_SURNAME_ARTICLES: u32 = 20;
const PLACE_SURNAME_FACTOR: u32 = 2;

/// Derives clusters from counts and lays everything out in the binary form, stamped with
/// opstamp 0 ([`EntityTable::save`] stamps its copy). It runs once at the end of an index
/// run, after tantivy's commit: the sorts and the per-name key, folding and skeleton work
/// run on all cores; what depends on order stays serial.
fn build(c: &Counts) -> Frozen {
    // Names in (kind, name) order: node i.
    let mut names: Vec<(NameRef, u32)> = c
        .names
        .iter()
        .filter_map(|(k, v)| Some((name_of_key(k)?, *v)))
        .collect();
    names.par_sort_unstable_by(|a, b| {
        kind_code(a.0 .0)
            .cmp(&kind_code(b.0 .0))
            .then_with(|| a.0 .1.as_bytes().cmp(b.0 .1.as_bytes()))
    });
    let n = names.len();
    let mut uf = UnionFind((0..n as u32).collect());
    let keys: Vec<String> = names
        .par_iter()
        .map(|((k, name), _)| cluster_key(*k, name))
        .collect();
    let by_key = union_by_key(&names, &keys, &mut uf);
    let mut aliases: Vec<(&AliasKey, u32)> = c.aliases.iter().map(|(k, v)| (k, *v)).collect();
    aliases.par_sort_unstable_by(|a, b| {
        kind_code(a.0 .0)
            .cmp(&kind_code(b.0 .0))
            .then_with(|| a.0 .1.cmp(&b.0 .1))
            .then_with(|| a.0 .2.cmp(&b.0 .2))
    });
    // A surname alone links nobody: two Smiths must not become one through "Smith".
    let alias_keys: Vec<Option<String>> = aliases
        .par_iter()
        .map(|((k, _, alias), _)| {
            (*k != EntityKind::Person || alias.contains(' ')).then(|| cluster_key(*k, alias))
        })
        .collect();
    link_by_aliases(&names, &aliases, &alias_keys, &by_key, &mut uf);
    // Lone surnames join the one person of that surname who dominates the corpus.
    let mut surname_clusters: FxMap<String, Vec<usize>> = FxMap::default();
    for (i, ((k, _), _)) in names.iter().enumerate() {
        if *k != EntityKind::Person {
            continue;
        }
        if let Some((_, last)) = keys[i].rsplit_once(' ') {
            surname_clusters
                .entry(last.to_string())
                .or_default()
                .push(i);
        }
    }
    let cluster_total = cluster_totals(&names, &mut uf);
    for (i, ((k, _), _)) in names.iter().enumerate() {
        if *k != EntityKind::Person || keys[i].contains(' ') {
            continue;
        }
        let Some(full) = surname_clusters.get(&keys[i]) else {
            continue;
        };
        // Dominating takes being named in full in several articles: one or two articles
        // naming "Ariel Varela" say nothing about who "President Varela" is elsewhere,
        // and a wrong join turns one person into another.
        let dominant = dominant_cluster(full, &mut uf, &cluster_total)
            .filter(|d| d.0 >= MIN_SURNAME_ARTICLES)
            .map(|d| d.1);
        if let Some(r) = dominant {
            uf.union(i, r);
        }
    }

    // A one-word place name that is the surname of a person the corpus names far more
    // often is that person ("Obama": a town in Japan, and in a news archive the president
    // in thousands of articles that call him "Obama" with no cue the extractor can read).
    // A real place keeps its name: it must be outnumbered by the person's articles
    // ([`PLACE_SURNAME_FACTOR`]), the person well established ([`MIN_PLACE_SURNAME_ARTICLES`])
    // and named like a person (no English word first, no "of": not "Royal Hospital
    // Chelsea", not "Lindsey Graham of South Carolina"), the surname written exactly as the
    // place (not "Cameroon" for Cameron), and the place no country, region or large city.
    // Totals are taken again: the lone surnames above joined clusters.
    let cluster_total = cluster_totals(&names, &mut uf);
    let mut place_nodes: FxMap<usize, Vec<usize>> = FxMap::default();
    for (i, ((k, _), _)) in names.iter().enumerate() {
        if *k == EntityKind::Location {
            place_nodes.entry(uf.find(i)).or_default().push(i);
        }
    }
    let g = super::gazetteer::Gazetteer::get();
    let large_place = |folded: &str| {
        g.place(folded).is_some_and(|p| {
            matches!(
                p.class,
                PlaceClass::Country | PlaceClass::Region | PlaceClass::BigCity
            )
        })
    };
    let person_like = |name: &str, surname: &str| -> bool {
        use super::gazetteer::class;
        let words: Vec<&str> = name.split(' ').collect();
        // Words that make a name an institution, a place or a title ("Hospital").
        let not_personal = class::ORG_HEAD
            | class::ORG_HEAD_OF
            | class::PLACE_SUFFIX
            | class::TITLE_HEAD
            | class::FACILITY;
        words.len() >= 2
            && words
                .iter()
                .all(|w| w.starts_with(char::is_uppercase) && g.word(&fold(w)) & not_personal == 0)
            && {
                // A given name, or a word that is nothing else ("Barack"); not an English
                // word ("Royal Hospital Chelsea").
                let wc = g.word(&fold(words[0]));
                wc & class::GIVEN != 0 || wc == 0
            }
            && words.last().is_some_and(|w| fold(w) == surname)
    };
    for (i, ((k, name), _)) in names.iter().enumerate() {
        if *k != EntityKind::Location || name.contains([' ', '-']) {
            continue;
        }
        let Some(full) = surname_clusters.get(&keys[i]) else {
            continue;
        };
        let surname = fold(name);
        // Every name of the place's cluster counts: one that also holds "Cameroon" (or
        // "Central African Republic" by way of "CAR") must not follow "Cameron" (or
        // "Carr") into a person. Other spellings may be stray forms ("ObamaÃ", a
        // mis-decoded quote), but no more than a tenth of the cluster's articles.
        let root = uf.find(i);
        let members = place_nodes.get(&root).map_or(&[][..], Vec::as_slice);
        let mut other_spellings = 0u32;
        let mut large = false;
        for &j in members {
            let f = fold(names[j].0 .1);
            large |= large_place(&f);
            if f != surname {
                other_spellings = other_spellings.saturating_add(names[j].1);
            }
        }
        if large || other_spellings.saturating_mul(10) > cluster_total[root] {
            continue;
        }
        let place_articles = cluster_total[root];
        let Some((articles, r)) = dominant_cluster(full, &mut uf, &cluster_total) else {
            continue;
        };
        let named_so = full
            .iter()
            .any(|&j| uf.find(j) == r && person_like(names[j].0 .1, &surname));
        if named_so
            && articles >= MIN_PLACE_SURNAME_ARTICLES
            && articles >= PLACE_SURNAME_FACTOR * place_articles.max(1)
        {
            uf.union(i, r);
        }
    }

    // Clusters, numbered in order of their first node.
    let mut cluster_id: Vec<u32> = vec![u32::MAX; n];
    let mut clusters: Vec<Vec<usize>> = Vec::new();
    let mut root_cluster: FxMap<usize, u32> = FxMap::default();
    for (i, slot) in cluster_id.iter_mut().enumerate() {
        let r = uf.find(i);
        let id = *root_cluster.entry(r).or_insert_with(|| {
            clusters.push(Vec::new());
            (clusters.len() - 1) as u32
        });
        *slot = id;
        clusters[id as usize].push(i);
    }

    // Resolve keys and variant spellings are owned here, before the string writer that
    // borrows every string it stores (no copy per string, one hash lookup each).
    let mut resolve: Vec<(String, u32)> = Vec::new();
    let mut variants: Vec<(String, String)> = Vec::new();
    // Sized for the names and the aliases up front: growing the map string by string
    // rehashed it a dozen times, in the serial part of the build.
    let mut out = Writer {
        blob: Vec::new(),
        seen: FxMap::with_capacity_and_hasher(n + aliases.len(), Default::default()),
    };
    let mut name_recs: Vec<[u32; 5]> = Vec::with_capacity(n);
    for (i, ((k, name), cnt)) in names.iter().enumerate() {
        let (o, l) = out.intern(name);
        name_recs.push([kind_code(*k), o, l, *cnt, cluster_id[i]]);
    }
    let mut alias_recs: Vec<[u32; 6]> = Vec::with_capacity(aliases.len());
    for ((k, name, alias), cnt) in &aliases {
        let (no, nl) = out.intern(name);
        let (ao, al) = out.intern(alias);
        alias_recs.push([kind_code(*k), no, nl, ao, al, *cnt]);
    }
    // Each cluster's spellings with their article counts, for ordering its aliases: one
    // entry per spelling case aside, under the form seen first (names before aliases, each
    // in table order). A flat sorted list rather than a map per cluster: a few hundred
    // thousand small maps cost more than sorting once.
    let name_forms = names
        .par_iter()
        .enumerate()
        .map(|(i, ((_, name), cnt))| (cluster_id[i], name.to_lowercase(), i, *cnt, &**name));
    let alias_forms = aliases
        .par_iter()
        .enumerate()
        .filter_map(|(j, ((k, name, alias), cnt))| {
            node_of(&names, *k, name)
                .map(|i| (cluster_id[i], alias.to_lowercase(), n + j, *cnt, &**alias))
        });
    let mut forms: Vec<(u32, String, usize, u32, &str)> = name_forms.chain(alias_forms).collect();
    forms.par_sort_unstable_by(|a, b| (a.0, &a.1, a.2).cmp(&(b.0, &b.1, b.2)));
    // (count, form) per cluster, clusters in order: cluster c's are spellings[starts[c]..starts[c + 1]].
    let mut spellings: Vec<(u32, &str)> = Vec::with_capacity(forms.len());
    let mut starts: Vec<usize> = vec![0; clusters.len() + 1];
    for run in forms.chunk_by(|x, y| x.0 == y.0 && x.1 == y.1) {
        starts[run[0].0 as usize + 1] += 1;
        spellings.push((run.iter().map(|f| f.3).sum(), run[0].4));
    }
    for c in 0..clusters.len() {
        starts[c + 1] += starts[c];
    }
    let mut cluster_recs: Vec<[u32; 7]> = Vec::with_capacity(clusters.len());
    let mut refs: Vec<[u32; 2]> = Vec::new();
    // Per cluster, in parallel: the canonical member, the aliases in order, and for each
    // alias its folded form, match key and word skeletons.
    type Prepared<'s> = (usize, Vec<(&'s str, String, String)>, Vec<(String, String)>);
    let prepared: Vec<Prepared> = clusters
        .par_iter()
        .enumerate()
        .map(|(ci, members)| {
            let kind = names[members[0]].0 .0;
            // Canonical: for people a full name; then the most articles; then the longest.
            let best = members
                .iter()
                .copied()
                .max_by_key(|&i| {
                    let nm = &names[i].0 .1;
                    let full = kind != EntityKind::Person || nm.contains(' ');
                    (full, names[i].1, nm.len(), std::cmp::Reverse(i))
                })
                .unwrap_or(members[0]);
            let mut als: Vec<(u32, &str)> = spellings[starts[ci]..starts[ci + 1]].to_vec();
            als.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
            let mut words: Vec<(String, String)> = Vec::new();
            let als = als
                .into_iter()
                .map(|(_, a)| {
                    let fa = fold(a);
                    let key = format!("~{}", match_key(kind, &fa));
                    for w in fa.split(|c: char| c.is_whitespace() || c == '-') {
                        if w.chars().count() >= 4 && w.chars().all(char::is_alphanumeric) {
                            words.push((skeleton(w), w.to_string()));
                        }
                    }
                    (a, key, fa)
                })
                .collect();
            (best, als, words)
        })
        .collect();
    let mut variant_words: Vec<(String, String)> = Vec::new();
    for ((ci, members), (best, als, words)) in clusters.iter().enumerate().zip(prepared) {
        let kind = names[members[0]].0 .0;
        // Names were stored first: their records hold where (no second lookup).
        let [_, co, cl, _, _] = name_recs[best];
        let m_start = refs.len() as u32;
        for &i in members {
            let [_, o, l, _, _] = name_recs[i];
            refs.push([o, l | (kind_code(names[i].0 .0) << KIND_SHIFT)]);
        }
        let a_start = refs.len() as u32;
        let n_als = als.len() as u32;
        for (a, key, fa) in als {
            refs.push(pair(out.intern(a)));
            resolve.push((key, ci as u32));
            resolve.push((fa, ci as u32));
        }
        variant_words.extend(words);
        cluster_recs.push([
            kind_code(kind),
            co,
            cl,
            m_start,
            members.len() as u32,
            a_start,
            n_als,
        ]);
    }
    resolve.par_sort_unstable();
    resolve.dedup();
    let resolve_recs: Vec<[u32; 3]> = resolve
        .iter()
        .map(|(k, c)| {
            let (o, l) = out.intern(k);
            [o, l, *c]
        })
        .collect();
    // Skeletons that more than one word of the table spells: each of those words.
    variant_words.par_sort_unstable();
    variant_words.dedup();
    for run in variant_words.chunk_by(|x, y| x.0 == y.0) {
        if run.len() >= 2 {
            variants.extend(run.iter().cloned());
        }
    }
    let variant_recs: Vec<[u32; 4]> = variants
        .iter()
        .map(|(s, w)| {
            let (so, sl) = out.intern(s);
            let (wo, wl) = out.intern(w);
            [so, sl, wo, wl]
        })
        .collect();

    // Layout: header, strings, then the record sections.
    let mut bytes = Vec::with_capacity(HEADER + out.blob.len() + n * R_NAME * 4);
    bytes.extend_from_slice(MAGIC);
    bytes.resize(HEADER, 0);
    let mut ends = [0u32; N_SECTIONS];
    bytes.extend_from_slice(&out.blob);
    ends[S_STR] = bytes.len() as u32;
    let put = |bytes: &mut Vec<u8>, vals: &[u32]| {
        for v in vals {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
    };
    for r in &name_recs {
        put(&mut bytes, r);
    }
    ends[S_NAMES] = bytes.len() as u32;
    for r in &alias_recs {
        put(&mut bytes, r);
    }
    ends[S_ALIASES] = bytes.len() as u32;
    for r in &cluster_recs {
        put(&mut bytes, r);
    }
    ends[S_CLUSTERS] = bytes.len() as u32;
    for r in &refs {
        put(&mut bytes, r);
    }
    ends[S_REFS] = bytes.len() as u32;
    for r in &resolve_recs {
        put(&mut bytes, r);
    }
    ends[S_RESOLVE] = bytes.len() as u32;
    for r in &variant_recs {
        put(&mut bytes, r);
    }
    ends[S_VARIANTS] = bytes.len() as u32;
    for (i, e) in ends.iter().enumerate() {
        bytes[16 + 4 * i..20 + 4 * i].copy_from_slice(&e.to_le_bytes());
    }
    let _ = R_REF;
    Frozen::parse(Bytes::Owned(bytes)).unwrap_or_else(|_| Frozen {
        bytes: Bytes::Owned(Vec::new()),
        sections: [(0, 0); N_SECTIONS],
        v01: false,
    })
}

/// The string blob, each distinct string stored once (the first time it is interned).
#[derive(Default)]
struct Writer<'s> {
    blob: Vec<u8>,
    seen: FxMap<&'s str, (u32, u32)>,
}

impl<'s> Writer<'s> {
    fn intern(&mut self, s: &'s str) -> (u32, u32) {
        *self.seen.entry(s).or_insert_with(|| {
            let r = (self.blob.len() as u32, s.len() as u32);
            self.blob.extend_from_slice(s.as_bytes());
            r
        })
    }
}

fn pair(v: (u32, u32)) -> [u32; 2] {
    [v.0, v.1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ent(kind: EntityKind, name: &str, aliases: &[&str]) -> Entity {
        Entity {
            name: name.into(),
            kind,
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Observes the same article's entities `n` times.
    fn times(t: &mut EntityTable, n: usize, e: &[Entity]) {
        for _ in 0..n {
            t.observe(e);
        }
    }

    fn kz_table() -> EntityTable {
        let mut t = EntityTable::new();
        t.observe(&[
            ent(EntityKind::Person, "Kassym-Jomart Tokayev", &["Tokayev"]),
            ent(
                EntityKind::Organization,
                "Collective Security Treaty Organization",
                &["CSTO"],
            ),
        ]);
        t.observe(&[
            ent(EntityKind::Person, "Kasym-Zhomart Tokayev", &["Tokajev"]),
            ent(
                EntityKind::Organization,
                "Collective Security Treaty Organisation",
                &[],
            ),
        ]);
        t.observe(&[
            ent(EntityKind::Person, "Kassym-Jomart Tokayev", &[]),
            ent(EntityKind::Organization, "CSTO", &[]),
            ent(EntityKind::Person, "John Smith", &["Smith"]),
            ent(EntityKind::Person, "Jane Smith", &["Smith"]),
        ]);
        t.observe(&[ent(EntityKind::Person, "Smith", &[])]);
        t
    }

    #[test]
    fn variants_join_across_the_corpus() {
        let t = kz_table();
        let canon = |k, n| t.canonical(k, n).1;
        let p = EntityKind::Person;
        let o = EntityKind::Organization;
        assert_eq!(canon(p, "Kasym-Zhomart Tokayev"), "Kassym-Jomart Tokayev");
        assert_eq!(
            canon(o, "CSTO"),
            canon(o, "Collective Security Treaty Organisation")
        );
        assert_eq!(
            canon(o, "Collective Security Treaty Organization"),
            canon(o, "Collective Security Treaty Organisation")
        );
        // Two Smiths stay two, and the lone "Smith" is neither.
        assert_ne!(canon(p, "John Smith"), canon(p, "Jane Smith"));
        assert_eq!(canon(p, "Smith"), "Smith");
        let mut members: Vec<String> = t
            .members(p, "Kassym-Jomart Tokayev")
            .into_iter()
            .map(|(k, m)| {
                assert_eq!(k, p);
                m
            })
            .collect();
        members.sort();
        assert_eq!(
            members,
            vec!["Kassym-Jomart Tokayev", "Kasym-Zhomart Tokayev"]
        );
        assert!(t
            .aliases(p, "Kassym-Jomart Tokayev")
            .contains(&"Tokajev".to_string()));
    }

    #[test]
    fn aliases_do_not_chain_established_entities_together() {
        let (p, o, l) = (
            EntityKind::Person,
            EntityKind::Organization,
            EntityKind::Location,
        );
        let mut t = EntityTable::new();
        // Committees that an article shortened to "Senate" are not the Senate.
        times(&mut t, 5, &[ent(o, "Senate", &[])]);
        times(
            &mut t,
            4,
            &[ent(o, "Senate Armed Services Committee", &["Senate"])],
        );
        times(
            &mut t,
            3,
            &[ent(o, "Senate Banking Committee", &["Senate"])],
        );
        assert_eq!(t.canonical(o, "Senate").1, "Senate");
        assert_eq!(
            t.canonical(o, "Senate Armed Services Committee").1,
            "Senate Armed Services Committee"
        );
        // A sloppy run naming two people joins at most one of them.
        times(&mut t, 3, &[ent(p, "Ted Cruz", &["Cruz"])]);
        times(&mut t, 4, &[ent(p, "Joe Biden", &["Biden"])]);
        let both = ent(
            p,
            "Ted Cruz Vice President Joe Biden",
            &["Ted Cruz", "Joe Biden"],
        );
        t.observe(&[both]);
        assert_ne!(t.canonical(p, "Ted Cruz"), t.canonical(p, "Joe Biden"));
        // An acronym joins the entity it mostly stands for, and nothing else through it.
        times(&mut t, 5, &[ent(o, "Associated Press", &["AP"])]);
        times(&mut t, 3, &[ent(o, "AP", &[])]);
        t.observe(&[ent(o, "Ankit Panda", &["AP"])]);
        assert_eq!(t.canonical(o, "AP").1, "Associated Press");
        assert_eq!(t.canonical(o, "Ankit Panda").1, "Ankit Panda");
        // An organisation's other wording joins it when the alias goes with it.
        times(&mut t, 4, &[ent(o, "Interior Ministry", &[])]);
        times(
            &mut t,
            3,
            &[ent(
                o,
                "Ministry of Internal Affairs",
                &["Interior Ministry"],
            )],
        );
        assert_eq!(
            t.canonical(o, "Ministry of Internal Affairs"),
            t.canonical(o, "Interior Ministry")
        );
        // A place's longer name is still the place.
        times(&mut t, 6, &[ent(l, "Iran", &[])]);
        times(&mut t, 3, &[ent(l, "Islamic Republic of Iran", &["Iran"])]);
        assert_eq!(t.canonical(l, "Islamic Republic of Iran").1, "Iran");
    }

    #[test]
    fn an_acronym_joins_what_it_abbreviates_not_the_names_it_is_part_of() {
        let o = EntityKind::Organization;
        let mut t = EntityTable::new();
        // "FBI" is mostly seen beside names of FBI offices it is part of; of the names it
        // abbreviates, it goes with one.
        times(&mut t, 20, &[ent(o, "FBI", &[])]);
        times(
            &mut t,
            4,
            &[ent(o, "Federal Bureau of Investigation", &["FBI"])],
        );
        for office in [
            "FBI Laboratory",
            "FBI Special Agent",
            "FBI SWAT",
            "FBI Newark",
        ] {
            times(&mut t, 2, &[ent(o, office, &["FBI"])]);
        }
        assert_eq!(
            t.canonical(o, "Federal Bureau of Investigation"),
            t.canonical(o, "FBI")
        );
        // Acronyms one spelling rule apart are two bodies ("j" and "i" are one sound in
        // a transliteration, not in an acronym), and an article that joined them joins
        // nothing across the corpus.
        let mut t = EntityTable::new();
        times(&mut t, 5, &[ent(o, "DOJ", &[])]);
        times(&mut t, 4, &[ent(o, "Interior Department", &["DOI"])]);
        times(&mut t, 3, &[ent(o, "DOI", &[])]);
        t.observe(&[ent(o, "DOI", &["DOJ"])]);
        assert_ne!(t.canonical(o, "DOJ"), t.canonical(o, "DOI"));
        assert_ne!(t.canonical(o, "DOJ"), t.canonical(o, "Interior Department"));
    }

    #[test]
    fn a_name_means_its_own_entity_before_those_it_is_an_alias_of() {
        let (o, l) = (EntityKind::Organization, EntityKind::Location);
        let mut t = EntityTable::new();
        for _ in 0..5 {
            t.observe(&[ent(l, "Washington", &[])]);
            t.observe(&[ent(o, "Washington Post", &["Washington"])]);
        }
        assert_eq!(t.resolve("washington"), vec![(l, "Washington".to_string())]);
        // An alias nobody bears as a name still finds what it stands for.
        t.observe(&[ent(o, "Washington Post", &["WaPo"])]);
        assert_eq!(t.resolve("WaPo"), vec![(o, "Washington Post".to_string())]);
    }

    #[test]
    fn different_initials_are_different_people() {
        let p = EntityKind::Person;
        let mut t = EntityTable::new();
        for _ in 0..6 {
            t.observe(&[ent(p, "George W. Bush", &["Bush"])]);
        }
        for _ in 0..4 {
            t.observe(&[ent(p, "George H. W. Bush", &["Bush"])]);
        }
        t.observe(&[ent(p, "George Bush", &[])]);
        assert_ne!(
            t.canonical(p, "George W. Bush"),
            t.canonical(p, "George H. W. Bush")
        );
        // Neither set of initials dominates: a bare "George Bush" may be either.
        assert_eq!(t.canonical(p, "George Bush").1, "George Bush");
        // One set of initials only: the bare name and the initialled one are one person.
        for _ in 0..3 {
            t.observe(&[ent(p, "Donald J. Trump", &["Trump"])]);
            t.observe(&[ent(p, "Donald Trump", &["Trump"])]);
        }
        assert_eq!(
            t.canonical(p, "Donald J. Trump"),
            t.canonical(p, "Donald Trump")
        );
    }

    #[test]
    fn link_kinds() {
        assert_eq!(
            link_kind("Collective Security Treaty Organization", "CSTO"),
            Link::Acronym
        );
        assert_eq!(
            link_kind("CSTO", "Collective Security Treaty Organization"),
            Link::Acronym
        );
        assert_eq!(
            link_kind("Senate Armed Services Committee", "Senate"),
            Link::Part
        );
        assert_eq!(link_kind("Islamic Republic of Iran", "IRAN"), Link::Part);
        assert_eq!(
            link_kind("Senate Armed Services Committee", "SENATE"),
            Link::Part
        );
        assert_eq!(link_kind("Motor City", "Detroit"), Link::Other);
        assert_eq!(link_kind("NBC News", "NBC"), Link::Designated);
        assert_eq!(
            link_kind("Treasury", "Treasury Department"),
            Link::Designated
        );
    }

    #[test]
    fn a_lone_surname_joins_only_a_person_named_in_several_articles() {
        let p = EntityKind::Person;
        let mut t = EntityTable::new();
        // Named in full once: a bare "Quintero" elsewhere may be anyone.
        t.observe(&[ent(p, "Marta Quintero", &[])]);
        t.observe(&[ent(p, "Quintero", &[])]);
        assert_eq!(t.canonical(p, "Quintero").1, "Quintero");
        // Named in full in three articles: the bare surname is that person.
        for _ in 0..3 {
            t.observe(&[ent(p, "Olaf Brennholt", &["Brennholt"])]);
        }
        t.observe(&[ent(p, "Brennholt", &[])]);
        assert_eq!(t.canonical(p, "Brennholt").1, "Olaf Brennholt");
    }

    #[test]
    fn resolve_any_alias_any_case_and_spelling() {
        let t = kz_table();
        let want = vec![(EntityKind::Person, "Kassym-Jomart Tokayev".to_string())];
        assert_eq!(t.resolve("tokajev"), want);
        assert_eq!(t.resolve("Mr Tokayev"), want);
        assert_eq!(t.resolve("KASSYM-JOMART TOKAYEV"), want);
        // Not seen anywhere, but a spelling variant of a seen name.
        assert_eq!(t.resolve("Kasym-Jomart Tokaev"), want);
        assert!(t.resolve("Nazarbayev").is_empty());
        assert!(t.variants("Tokajev").contains(&"tokayev".to_string()));
    }

    #[test]
    fn a_place_name_that_is_mostly_a_persons_surname_is_that_person() {
        let (p, l) = (EntityKind::Person, EntityKind::Location);
        let mut t = EntityTable::new();
        for _ in 0..40 {
            t.observe(&[ent(p, "Barack Obama", &["Obama"])]);
        }
        for _ in 0..10 {
            t.observe(&[ent(l, "Obama", &[])]);
        }
        // A place named about as often as the person stays a place.
        for _ in 0..25 {
            t.observe(&[ent(p, "George Washington", &["Washington"])]);
        }
        for _ in 0..30 {
            t.observe(&[ent(l, "Washington", &[])]);
        }
        // A person named in a few articles does not take a town's name.
        for _ in 0..5 {
            t.observe(&[ent(p, "Ana Lugo", &[])]);
        }
        t.observe(&[ent(l, "Lugo", &[])]);
        // Two people of one surname, neither dominating: the place stays a place.
        for _ in 0..30 {
            t.observe(&[ent(p, "Hillary Clinton", &[])]);
            t.observe(&[ent(p, "Bill Clinton", &[])]);
        }
        t.observe(&[ent(l, "Clinton", &[])]);

        assert_eq!(t.canonical(l, "Obama"), (p, "Barack Obama".to_string()));
        assert_eq!(t.resolve("Obama"), vec![(p, "Barack Obama".to_string())]);
        // The filter for the person matches the place-typed articles too.
        let members = t.members(p, "Barack Obama");
        assert!(members.contains(&(l, "Obama".to_string())), "{members:?}");
        assert!(
            members.contains(&(p, "Barack Obama".to_string())),
            "{members:?}"
        );
        assert_eq!(t.canonical(l, "Washington"), (l, "Washington".to_string()));
        assert_eq!(t.canonical(l, "Lugo"), (l, "Lugo".to_string()));
        assert_eq!(t.canonical(l, "Clinton"), (l, "Clinton".to_string()));

        // Member kinds survive the binary form.
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("entities.table");
        t.save(&path, 7).expect("save");
        let (_, loaded) = EntityTable::load(&path).expect("load").expect("present");
        assert_eq!(loaded.members(p, "Barack Obama"), members);
        assert_eq!(
            loaded.canonical(l, "Obama"),
            (p, "Barack Obama".to_string())
        );
    }

    #[test]
    fn forget_is_counted_and_save_load_round_trips() {
        let mut t = kz_table();
        // "Tokajev" came from one article; forgetting it drops the alias, not the person.
        t.forget(&[ent(
            EntityKind::Person,
            "Kasym-Zhomart Tokayev",
            &["Tokajev"],
        )]);
        assert_eq!(
            t.members(EntityKind::Person, "Kassym-Jomart Tokayev"),
            vec![(EntityKind::Person, "Kassym-Jomart Tokayev".to_string())]
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("entities.table");
        t.save(&path, 42).expect("save");
        let (stamp, loaded) = EntityTable::load(&path).expect("load").expect("present");
        assert_eq!(stamp, 42);
        assert_eq!(loaded.len(), t.len());
        assert_eq!(
            loaded.canonical(EntityKind::Organization, "CSTO"),
            t.canonical(EntityKind::Organization, "CSTO")
        );
        // A loaded table keeps counting: observe after load, forget back to the same state.
        let mut loaded = loaded;
        let extra = [ent(EntityKind::Location, "Aqtobe", &["Aktobe"])];
        loaded.observe(&extra);
        assert_eq!(
            loaded.resolve("aktobe"),
            vec![(EntityKind::Location, "Aqtobe".to_string())]
        );
        loaded.forget(&extra);
        assert_eq!(loaded.len(), t.len());
        // A table written before member references carried kinds (NXENTS01) still reads:
        // its clusters hold one kind each.
        let mut p_only = EntityTable::new();
        for _ in 0..2 {
            p_only.observe(&[ent(
                EntityKind::Person,
                "Kassym-Jomart Tokayev",
                &["Tokajev"],
            )]);
        }
        p_only.save(&path, 9).expect("save");
        let mut old = std::fs::read(&path).expect("read");
        old[..8].copy_from_slice(b"NXENTS01");
        std::fs::write(&path, &old).expect("write");
        let (_, v01) = EntityTable::load(&path).expect("load").expect("present");
        assert_eq!(
            v01.members(EntityKind::Person, "Kassym-Jomart Tokayev"),
            vec![(EntityKind::Person, "Kassym-Jomart Tokayev".to_string())]
        );
        assert_eq!(
            v01.resolve("tokajev"),
            vec![(EntityKind::Person, "Kassym-Jomart Tokayev".to_string())]
        );
        // Damaged files are errors, not panics.
        std::fs::write(&path, b"NXENTS01garbage").expect("write");
        assert!(EntityTable::load(&path).is_err());
        assert!(EntityTable::load(&dir.path().join("missing"))
            .expect("ok")
            .is_none());
    }
}
