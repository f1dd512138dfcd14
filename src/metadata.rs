//! Article metadata: field-name mapping, date parsing, outlet from URL/manifest/folder, and the
//! precedence rules that turn what a source says into a finished [`Article`].
//!
//! Precedence, field by field (the first that has a value wins):
//! 1. the folder's manifest (`manifest.csv` / `manifest.jsonl`) row for the file;
//! 2. the source itself (record fields, front matter, HTML meta tags, plain-text header lines);
//! 3. derived values: for the outlet, the URL's domain, else the top folder under the indexed
//!    root, else `unknown`.
//!
//! The id is the URL when known, else the path relative to the indexed root (plus `#N` for
//! record N of a multi-record file).

use chrono::{DateTime, Datelike, NaiveDate};
use serde_json::Value;

use crate::article::{Article, Entity, EntityKind};

/// What a source field means, with its rank among synonyms (lower wins when a source has
/// several, e.g. both `outlet` and `source_domain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Body(u8),
    Title(u8),
    Date(u8),
    /// Outlet by name (`source`, `publication`) or by domain (`source_domain`).
    Outlet(u8, OutletKind),
    Url(u8),
    Authors(u8),
    Entities,
    /// The file a manifest row describes.
    Path,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutletKind {
    Name,
    Domain,
}

/// Field names as real data sets and scrapers spell them (news-please, newspaper3k, webhose,
/// NewsAPI, JSON-LD, Kaggle CSVs), compared after lowercasing and dropping `_`, `-`, `.`, ` `
/// and `:` (so `date_publish`, `datePublish`, `article:published_time` all match).
const FIELDS: &[(&str, Field)] = &[
    ("text", Field::Body(0)),
    ("content", Field::Body(1)),
    ("contentoriginal", Field::Body(2)),
    ("maintext", Field::Body(3)),
    ("body", Field::Body(4)),
    ("article", Field::Body(5)),
    ("articletext", Field::Body(6)),
    ("articlebody", Field::Body(7)),
    ("fulltext", Field::Body(8)),
    ("story", Field::Body(9)),
    ("bodytext", Field::Body(10)),
    ("leadparagraph", Field::Body(19)),
    // A summary is a body only when nothing better is there.
    ("description", Field::Body(20)),
    ("summary", Field::Body(21)),
    ("shortdescription", Field::Body(22)),
    ("abstract", Field::Body(23)),
    ("snippet", Field::Body(24)),
    ("excerpt", Field::Body(25)),
    ("title", Field::Title(0)),
    ("headline", Field::Title(1)),
    ("ogtitle", Field::Title(2)),
    ("webtitle", Field::Title(3)),
    ("titlepage", Field::Title(6)),
    ("titlerss", Field::Title(7)),
    ("date", Field::Date(0)),
    ("published", Field::Date(1)),
    ("publishdate", Field::Date(2)),
    ("datepublish", Field::Date(3)),
    ("publishedat", Field::Date(4)),
    ("datepublished", Field::Date(5)),
    ("publisheddate", Field::Date(6)),
    ("publicationdate", Field::Date(7)),
    ("pubdate", Field::Date(8)),
    ("articlepublishedtime", Field::Date(9)),
    ("publishedtime", Field::Date(10)),
    ("datecreated", Field::Date(11)),
    ("createdat", Field::Date(12)),
    ("created", Field::Date(13)),
    ("webpublicationdate", Field::Date(14)),
    ("datetime", Field::Date(16)),
    ("timestamp", Field::Date(17)),
    ("outlet", Field::Outlet(0, OutletKind::Name)),
    ("source", Field::Outlet(1, OutletKind::Name)),
    ("sourcename", Field::Outlet(1, OutletKind::Name)),
    ("publication", Field::Outlet(2, OutletKind::Name)),
    ("publisher", Field::Outlet(3, OutletKind::Name)),
    ("sitename", Field::Outlet(4, OutletKind::Name)),
    ("ogsitename", Field::Outlet(4, OutletKind::Name)),
    ("site", Field::Outlet(5, OutletKind::Name)),
    ("newspaper", Field::Outlet(6, OutletKind::Name)),
    ("outletname", Field::Outlet(0, OutletKind::Name)),
    ("publishername", Field::Outlet(3, OutletKind::Name)),
    ("newssource", Field::Outlet(1, OutletKind::Name)),
    ("sitefull", Field::Outlet(9, OutletKind::Domain)),
    ("sourcedomain", Field::Outlet(10, OutletKind::Domain)),
    ("domain", Field::Outlet(11, OutletKind::Domain)),
    ("sourceurl", Field::Outlet(12, OutletKind::Domain)),
    ("url", Field::Url(0)),
    ("link", Field::Url(1)),
    ("canonicallink", Field::Url(2)),
    ("canonicalurl", Field::Url(3)),
    ("canonical", Field::Url(4)),
    ("articleurl", Field::Url(5)),
    ("permalink", Field::Url(6)),
    ("ogurl", Field::Url(7)),
    ("weburl", Field::Url(8)),
    ("author", Field::Authors(0)),
    ("authors", Field::Authors(0)),
    ("byline", Field::Authors(1)),
    ("creator", Field::Authors(2)),
    ("authorname", Field::Authors(0)),
    ("writer", Field::Authors(3)),
    ("writers", Field::Authors(3)),
    ("entities", Field::Entities),
    ("namedentities", Field::Entities),
    ("path", Field::Path),
    ("file", Field::Path),
    ("filename", Field::Path),
    ("filepath", Field::Path),
];

/// Maps a source's field name to its meaning; `None` for fields newsidx does not use.
pub fn field_of(name: &str) -> Option<Field> {
    // Field names are short: compare in a stack buffer instead of allocating per key.
    let mut buf = [0u8; 32];
    let mut n = 0;
    for b in name.bytes() {
        if matches!(b, b'_' | b'-' | b'.' | b' ' | b':' | b'@') {
            continue;
        }
        let slot = buf.get_mut(n)?;
        *slot = b.to_ascii_lowercase();
        n += 1;
    }
    let key = buf.get(..n)?;
    FIELDS
        .iter()
        .find(|(k, _)| k.as_bytes() == key)
        .map(|(_, f)| *f)
}

/// Metadata a source (or a manifest row) gives for one article. Empty means "not given".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    pub url: Option<String>,
    pub outlet: Option<String>,
    pub date: Option<NaiveDate>,
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub entities: Option<Vec<Entity>>,
}

impl Meta {
    /// Fills what `self` lacks from `other` (`self` has precedence).
    pub fn fill_from(&mut self, other: &Meta) {
        if self.url.is_none() {
            self.url.clone_from(&other.url);
        }
        if self.outlet.is_none() {
            self.outlet.clone_from(&other.outlet);
        }
        if self.date.is_none() {
            self.date = other.date;
        }
        if self.title.is_none() {
            self.title.clone_from(&other.title);
        }
        if self.authors.is_empty() {
            self.authors.clone_from(&other.authors);
        }
        if self.entities.is_none() {
            self.entities.clone_from(&other.entities);
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Meta::default()
    }
}

/// Collects a source's fields in any order, keeping the best-ranked value of each and noting
/// values that could not be read (an unreadable date becomes a warning, never a guess).
#[derive(Debug, Default, Clone)]
pub struct MetaBuilder {
    meta: Meta,
    url_rank: Option<u8>,
    outlet_rank: Option<u8>,
    date_rank: Option<u8>,
    title_rank: Option<u8>,
    authors_rank: Option<u8>,
    bad_date: Option<String>,
    problems: Vec<String>,
}

fn better(current: Option<u8>, rank: u8) -> bool {
    current.is_none_or(|c| rank < c)
}

impl MetaBuilder {
    pub fn new() -> MetaBuilder {
        MetaBuilder::default()
    }

    /// Offers a field given as text (CSV cells, HTML meta tags, header lines).
    pub fn offer_str(&mut self, field: Field, s: &str) {
        self.offer(field, &Text(s));
    }

    /// Offers a field given as JSON (or YAML/TOML converted to JSON).
    pub fn offer_value(&mut self, field: Field, v: &Value) {
        self.offer(field, &Json(v));
    }

    fn offer(&mut self, field: Field, v: &dyn FieldValue) {
        match field {
            Field::Title(rank) if better(self.title_rank, rank) => {
                if let Some(t) = v.text().map(|t| clean_line(&t)).filter(|t| !t.is_empty()) {
                    self.meta.title = Some(t);
                    self.title_rank = Some(rank);
                }
            }
            Field::Url(rank) if better(self.url_rank, rank) => {
                if let Some(u) = v.url() {
                    self.meta.url = Some(u);
                    self.url_rank = Some(rank);
                }
            }
            Field::Outlet(rank, kind) if better(self.outlet_rank, rank) => {
                if let Some(o) = v.outlet(kind) {
                    self.meta.outlet = Some(o);
                    self.outlet_rank = Some(rank);
                }
            }
            Field::Date(rank) if better(self.date_rank, rank) => match v.date() {
                DateValue::Date(d) => {
                    self.meta.date = Some(d);
                    self.date_rank = Some(rank);
                }
                DateValue::Absent => {}
                DateValue::Unreadable(raw) => {
                    if self.bad_date.is_none() {
                        self.bad_date = Some(raw);
                    }
                }
            },
            Field::Authors(rank) if better(self.authors_rank, rank) => {
                let a = v.authors();
                if !a.is_empty() {
                    self.meta.authors = a;
                    self.authors_rank = Some(rank);
                }
            }
            Field::Entities if self.meta.entities.is_none() => match v.entities() {
                Ok(e) => self.meta.entities = Some(e),
                Err(msg) => self.problems.push(msg),
            },
            _ => {}
        }
    }

    /// Takes from `other` every field this builder has not got (nested objects of a record,
    /// such as webhose's `thread` or the Guardian's `fields`, rank below its own fields).
    pub fn fill_from_builder(&mut self, other: MetaBuilder) {
        let MetaBuilder {
            meta,
            url_rank,
            outlet_rank,
            date_rank,
            title_rank,
            authors_rank,
            bad_date,
            problems,
        } = other;
        if self.url_rank.is_none() && url_rank.is_some() {
            self.meta.url = meta.url;
            self.url_rank = Some(u8::MAX);
        }
        if self.outlet_rank.is_none() && outlet_rank.is_some() {
            self.meta.outlet = meta.outlet;
            self.outlet_rank = Some(u8::MAX);
        }
        if self.date_rank.is_none() && date_rank.is_some() {
            self.meta.date = meta.date;
            self.date_rank = Some(u8::MAX);
        }
        if self.title_rank.is_none() && title_rank.is_some() {
            self.meta.title = meta.title;
            self.title_rank = Some(u8::MAX);
        }
        if self.authors_rank.is_none() && authors_rank.is_some() {
            self.meta.authors = meta.authors;
            self.authors_rank = Some(u8::MAX);
        }
        if self.meta.entities.is_none() {
            self.meta.entities = meta.entities;
        }
        if self.bad_date.is_none() {
            self.bad_date = bad_date;
        }
        self.problems.extend(problems);
    }

    /// Whether a title was given (plain-text readers then skip their title heuristic).
    pub fn has_title(&self) -> bool {
        self.meta.title.is_some()
    }

    pub fn has_date(&self) -> bool {
        self.meta.date.is_some()
    }

    /// The metadata, and the problems worth a warning.
    pub fn finish(mut self) -> (Meta, Vec<String>) {
        if self.meta.date.is_none() {
            if let Some(raw) = self.bad_date {
                self.problems.insert(
                    0,
                    format!("unreadable date {:?}; left empty", shorten(&raw)),
                );
            }
        }
        (self.meta, self.problems)
    }
}

fn shorten(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", s.get(..i).unwrap_or(s)),
        None => s.to_string(),
    }
}

/// Trims and collapses inner whitespace of a one-line value (titles, names).
pub fn clean_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split(|c: char| c.is_whitespace() || c.is_control()) {
        if w.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    crate::ingest::nfc(out)
}

enum DateValue {
    Date(NaiveDate),
    Absent,
    Unreadable(String),
}

/// A field value as given by some source format.
trait FieldValue {
    fn text(&self) -> Option<String>;
    fn url(&self) -> Option<String>;
    fn outlet(&self, kind: OutletKind) -> Option<String>;
    fn date(&self) -> DateValue;
    fn authors(&self) -> Vec<String>;
    fn entities(&self) -> Result<Vec<Entity>, String>;
}

struct Text<'a>(&'a str);
struct Json<'a>(&'a Value);

fn url_of(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty() && !s.contains(char::is_whitespace)).then(|| s.to_string())
}

fn outlet_of_str(s: &str, kind: OutletKind) -> Option<String> {
    let s = clean_line(s);
    if s.is_empty() {
        return None;
    }
    if looks_like_url(&s) || kind == OutletKind::Domain {
        return domain_of(&s).or(Some(s));
    }
    Some(s)
}

fn date_of_str(s: &str) -> DateValue {
    let t = s.trim();
    if t.is_empty() {
        return DateValue::Absent;
    }
    match parse_date(t) {
        Some(d) => DateValue::Date(d),
        None => DateValue::Unreadable(t.to_string()),
    }
}

impl FieldValue for Text<'_> {
    fn text(&self) -> Option<String> {
        Some(self.0.to_string())
    }
    fn url(&self) -> Option<String> {
        url_of(self.0)
    }
    fn outlet(&self, kind: OutletKind) -> Option<String> {
        outlet_of_str(self.0, kind)
    }
    fn date(&self) -> DateValue {
        date_of_str(self.0)
    }
    fn authors(&self) -> Vec<String> {
        split_authors(self.0)
    }
    fn entities(&self) -> Result<Vec<Entity>, String> {
        // A CSV cell or front-matter string holding JSON.
        let t = self.0.trim();
        if t.is_empty() {
            return Ok(Vec::new());
        }
        let v: Value = serde_json::from_str(t)
            .map_err(|e| format!("unreadable entities field ({e}); ignored"))?;
        entities_of(&v)
    }
}

/// The text of a JSON value that stands for a name: a string, a number, or an object's
/// `name`/`title`/`value`.
fn name_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(m) => [
            "name", "title", "main", "original", "value", "@value", "text",
        ]
        .iter()
        .find_map(|k| m.get(*k).and_then(name_of)),
        Value::Array(a) => a.iter().find_map(name_of),
        _ => None,
    }
}

impl FieldValue for Json<'_> {
    fn text(&self) -> Option<String> {
        name_of(self.0)
    }
    fn url(&self) -> Option<String> {
        match self.0 {
            Value::String(s) => url_of(s),
            Value::Object(m) => ["href", "url", "@id"]
                .iter()
                .find_map(|k| m.get(*k).and_then(Value::as_str).and_then(url_of)),
            Value::Array(a) => a.iter().find_map(|v| Json(v).url()),
            _ => None,
        }
    }
    fn outlet(&self, kind: OutletKind) -> Option<String> {
        match self.0 {
            Value::String(s) => outlet_of_str(s, kind),
            Value::Object(m) => {
                if let Some(n) = ["name", "title"]
                    .iter()
                    .find_map(|k| m.get(*k).and_then(Value::as_str))
                    .and_then(|s| outlet_of_str(s, OutletKind::Name))
                {
                    return Some(n);
                }
                ["domain", "url", "homepage", "href", "@id"]
                    .iter()
                    .find_map(|k| m.get(*k).and_then(Value::as_str))
                    .and_then(|s| outlet_of_str(s, OutletKind::Domain))
            }
            Value::Array(a) => a.iter().find_map(|v| Json(v).outlet(kind)),
            _ => None,
        }
    }
    fn date(&self) -> DateValue {
        match self.0 {
            Value::Null => DateValue::Absent,
            Value::String(s) => date_of_str(s),
            Value::Number(n) => match n.as_f64().and_then(date_from_epoch) {
                Some(d) => DateValue::Date(d),
                None => DateValue::Unreadable(n.to_string()),
            },
            Value::Object(m) => {
                // MongoDB extended JSON ({"$date": ...}, {"$numberLong": ...}) and TOML
                // datetimes as serde sees them (a one-key map).
                let inner = ["$date", "$numberLong", "date", "value", "@value"]
                    .iter()
                    .find_map(|k| m.get(*k))
                    .or_else(|| {
                        m.iter()
                            .find(|(k, _)| k.contains("datetime"))
                            .map(|(_, v)| v)
                    });
                match inner {
                    Some(v) => Json(v).date(),
                    None => DateValue::Unreadable(self.0.to_string()),
                }
            }
            Value::Array(a) => a
                .iter()
                .map(|v| Json(v).date())
                .find(|d| matches!(d, DateValue::Date(_)))
                .unwrap_or(DateValue::Absent),
            Value::Bool(_) => DateValue::Unreadable(self.0.to_string()),
        }
    }
    fn authors(&self) -> Vec<String> {
        let mut out = Vec::new();
        match self.0 {
            Value::String(s) => out = split_authors(s),
            Value::Array(a) => {
                for v in a {
                    if let Some(n) = name_of(v) {
                        for one in split_authors(&n) {
                            if !out.contains(&one) {
                                out.push(one);
                            }
                        }
                    }
                }
            }
            Value::Object(_) => {
                if let Some(n) = name_of(self.0) {
                    out = split_authors(&n);
                }
            }
            _ => {}
        }
        out
    }
    fn entities(&self) -> Result<Vec<Entity>, String> {
        match self.0 {
            Value::String(s) => Text(s).entities(),
            v => entities_of(v),
        }
    }
}

/// `[{"name", "kind"}]` or `{"person": [...], "organization": [...], ...}`; unknown kinds are
/// dropped (they are not an error: data sets have kinds newsidx does not facet on).
fn entities_of(v: &Value) -> Result<Vec<Entity>, String> {
    let mut out: Vec<Entity> = Vec::new();
    let mut push = |name: Option<String>, kind: Option<EntityKind>, aliases: Vec<String>| {
        let (Some(name), Some(kind)) = (name.map(|n| clean_line(&n)), kind) else {
            return;
        };
        if name.is_empty() || out.iter().any(|e| e.kind == kind && e.name == name) {
            return;
        }
        out.push(Entity {
            name,
            kind,
            aliases,
        });
    };
    let aliases_of = |m: &serde_json::Map<String, Value>| -> Vec<String> {
        m.get("aliases")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(clean_line)
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    match v {
        Value::Null => {}
        Value::Array(items) => {
            for it in items {
                match it {
                    Value::Object(m) => {
                        let kind = ["kind", "type", "label", "entity_type", "category"]
                            .iter()
                            .find_map(|k| m.get(*k).and_then(Value::as_str))
                            .and_then(EntityKind::parse);
                        let name = ["name", "text", "value", "entity"]
                            .iter()
                            .find_map(|k| m.get(*k).and_then(Value::as_str))
                            .map(str::to_string);
                        push(name, kind, aliases_of(m));
                    }
                    // ["Almaty", "location"] pairs.
                    Value::Array(pair) => {
                        let name = pair.first().and_then(Value::as_str).map(str::to_string);
                        let kind = pair
                            .get(1)
                            .and_then(Value::as_str)
                            .and_then(EntityKind::parse);
                        push(name, kind, Vec::new());
                    }
                    _ => return Err("entities: expected objects with name and kind".into()),
                }
            }
        }
        Value::Object(groups) => {
            for (k, list) in groups {
                let kind = EntityKind::parse(k);
                let items: Vec<&Value> = match list {
                    Value::Array(a) => a.iter().collect(),
                    other => vec![other],
                };
                for it in items {
                    match it {
                        Value::Object(m) => push(name_of(it), kind, aliases_of(m)),
                        _ => push(name_of(it), kind, Vec::new()),
                    }
                }
            }
        }
        _ => return Err("entities: expected a list or an object of lists".into()),
    }
    Ok(out)
}

/// Splits an author field into names: "A, B and C", "A; B", "By A". A lone "Last, First"
/// pair is indistinguishable from two one-word names, so commas always separate names.
pub fn split_authors(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split([',', ';', '|', '\n', '&']) {
        for piece in split_on_and(part) {
            let mut name = clean_line(piece.trim_matches(|c: char| {
                c.is_whitespace() || matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’' | '(' | ')')
            }));
            if let Some(rest) = strip_prefix_ci(&name, "by ") {
                name = rest.trim().to_string();
            }
            if !name.is_empty() && name.chars().any(char::is_alphabetic) && !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

fn split_on_and(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = find_ci(rest, " and ") {
        out.push(rest.get(..i).unwrap_or(""));
        rest = rest.get(i + 5..).unwrap_or("");
    }
    out.push(rest);
    out
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    if n.is_empty() || h.len() < n.len() {
        return None;
    }
    (0..=h.len() - n.len()).find(|&i| {
        h.get(i..i + n.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(n))
    })
}

/// `s` without `prefix` (ASCII case-insensitive).
pub fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

/// Whether `s` is a URL with an http(s) scheme (or a bare `www.` host).
pub fn looks_like_url(s: &str) -> bool {
    let s = s.trim();
    (strip_prefix_ci(s, "http://").is_some()
        || strip_prefix_ci(s, "https://").is_some()
        || strip_prefix_ci(s, "www.").is_some())
        && !s.contains(char::is_whitespace)
        && s.len() > 7
}

/// The outlet a URL stands for: its host, lowercased, without the port and without a
/// leading `www.`/`wwwN.`/`m.`/`amp.` (so `https://www.rnz.co.nz/news/x` is `rnz.co.nz`).
/// Other subdomains are kept: `edition.cnn.com` and `cnn.com` may be different desks.
pub fn domain_of(url: &str) -> Option<String> {
    let s = url.trim();
    let s = s
        .find("://")
        .and_then(|i| s.get(i + 3..))
        .or_else(|| s.strip_prefix("//"))
        .unwrap_or(s);
    let host = s.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = host.split(':').next().unwrap_or(host);
    let mut host = host.trim_end_matches('.').to_ascii_lowercase();
    loop {
        let label = host.split('.').next().unwrap_or("");
        let strip = label == "m"
            || label == "amp"
            || label
                .strip_prefix("www")
                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()));
        if strip && host.matches('.').count() >= 2 {
            host = host.get(label.len() + 1..).unwrap_or("").to_string();
        } else {
            break;
        }
    }
    let valid = host.contains('.')
        && !host.starts_with('.')
        && !host.contains("..")
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    valid.then_some(host)
}

// ---------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------

/// The day a Unix timestamp falls on (UTC): seconds, or milliseconds when the number is too
/// large to be seconds. Tiny values (before 1973) are placeholders, not dates.
pub fn date_from_epoch(n: f64) -> Option<NaiveDate> {
    if !n.is_finite() || n < 1e8 {
        return None;
    }
    let secs = if n < 1e11 {
        n
    } else if n < 1e14 {
        n / 1000.0
    } else {
        return None;
    };
    DateTime::from_timestamp(secs as i64, 0).map(|d| d.date_naive())
}

/// Reads a date in the spellings news data uses; `None` when it cannot be read.
///
/// ISO 8601 (`2022-01-07`, `2022-01-07T10:00:00+06:00`), RFC 2822, `January 7, 2022`,
/// `Jan. 7, 2022`, `7 Jan 2022`, `Friday, 7th January 2022`, `m/d/yyyy` (and `m/d/yy`, years
/// 00-69 being 2000-2069; `d/m/yyyy` when the first number cannot be a month), `yyyy/mm/dd`,
/// `dd.mm.yyyy`, `yyyymmdd`, and epoch seconds or milliseconds. A date with a time and zone
/// is the day as written (the publisher's local day), not converted to UTC.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.is_empty() || s.len() > 100 {
        return None;
    }
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    let dots = s.bytes().filter(|&b| b == b'.').count();
    if digits + dots == s.len() && dots <= 1 {
        if s.len() == 8 && dots == 0 {
            if let Some(d) = ymd_str(s.get(..4)?, s.get(4..6)?, s.get(6..)?) {
                return Some(d);
            }
        }
        return s.parse::<f64>().ok().and_then(date_from_epoch);
    }
    if let Some(d) = parse_numeric(s) {
        return Some(d);
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return Some(dt.date_naive());
    }
    parse_worded(s)
}

fn ymd(y: i64, m: i64, d: i64) -> Option<NaiveDate> {
    let y = i32::try_from(y).ok()?;
    if !(1000..=9999).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, u32::try_from(m).ok()?, u32::try_from(d).ok()?)
}

fn ymd_str(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    ymd(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Whether what follows a date is a time of day and/or zone (or nothing), so that
/// `2022-01-07T10:00:00Z` is a date and `2022-01-07abc` is not.
fn is_time_tail(rest: &str) -> bool {
    let r = rest.trim_start_matches(['T', 't', ' ', ',', '@']);
    if r.is_empty() {
        return true;
    }
    let first = r.chars().next().unwrap_or(' ');
    first.is_ascii_digit()
        && r.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | ',' | '+' | '-' | ' ' | '(' | ')')
        })
}

/// Dates made of numbers: `yyyy-mm-dd`, `yyyy/mm/dd`, `m/d/yyyy`, `dd.mm.yyyy`, with an
/// optional time after them.
fn parse_numeric(s: &str) -> Option<NaiveDate> {
    let bytes = s.as_bytes();
    // Split off the leading run of digits and separators.
    let end = bytes
        .iter()
        .position(|b| !(b.is_ascii_digit() || matches!(b, b'-' | b'/' | b'.')))
        .unwrap_or(bytes.len());
    let head = s.get(..end)?.trim_end_matches(['-', '.', '/']);
    let rest = s.get(head.len()..)?;
    let sep = head.bytes().find(|b| !b.is_ascii_digit())?;
    let parts: Vec<&str> = head.split(sep as char).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    if a.is_empty() || b.is_empty() || c.is_empty() || !is_time_tail(rest) {
        return None;
    }
    let (na, nb, nc): (i64, i64, i64) = (a.parse().ok()?, b.parse().ok()?, c.parse().ok()?);
    if a.len() == 4 {
        return ymd(na, nb, nc);
    }
    if b.len() > 2 || a.len() > 2 {
        return None;
    }
    let year = match c.len() {
        4 => nc,
        2 => {
            if nc <= 69 {
                2000 + nc
            } else {
                1900 + nc
            }
        }
        _ => return None,
    };
    // Slashes are American (m/d/y) unless the first number cannot be a month; dots and
    // dashes are European (d.m.y) unless the second cannot be a month.
    let month_first = if sep == b'/' { na <= 12 } else { nb > 12 };
    if month_first {
        ymd(year, na, nb)
    } else {
        ymd(year, nb, na)
    }
}

fn month_of(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let w = word.to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    if w == "sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| *m == w || (w.len() == 3 && m.starts_with(w.as_str())))
        .map(|i| i as u32 + 1)
}

fn is_weekday(word: &str) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let w = word.to_ascii_lowercase();
    w.len() >= 3
        && DAYS
            .iter()
            .any(|d| *d == w || d.starts_with(w.as_str()) && w.len() <= 4)
}

fn day_of(word: &str) -> Option<i64> {
    let w = word.to_ascii_lowercase();
    let digits = w
        .strip_suffix("st")
        .or_else(|| w.strip_suffix("nd"))
        .or_else(|| w.strip_suffix("rd"))
        .or_else(|| w.strip_suffix("th"))
        .unwrap_or(&w);
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|d| (1..=31).contains(d))
}

fn year_of(word: &str) -> Option<i64> {
    (word.len() == 4 && word.bytes().all(|b| b.is_ascii_digit()))
        .then(|| word.parse().ok())
        .flatten()
}

/// Words a date may carry after its day: a time, a zone, "at", "updated".
fn is_tail_word(word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    w.contains(':')
        || matches!(
            w.as_str(),
            "am" | "pm" | "a.m" | "p.m" | "at" | "utc" | "gmt" | "z" | "updated" | "published"
        )
        || (word.len() <= 5 && word.len() >= 2 && word.bytes().all(|b| b.is_ascii_uppercase()))
        || ((w.starts_with('+') || w.starts_with('-'))
            && w.len() > 1
            && w.get(1..)
                .is_some_and(|r| r.bytes().all(|b| b.is_ascii_digit() || b == b':')))
        || (w.len() <= 2 && w.bytes().all(|b| b.is_ascii_digit()))
}

/// Dates with a month name: "January 7, 2022", "Jan. 7 2022", "7 Jan 2022",
/// "Friday, 7th January 2022 10:30 GMT", "07-Jan-2022".
fn parse_worded(s: &str) -> Option<NaiveDate> {
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '/' | '|'))
        .flat_map(|w| {
            // "07-Jan-2022" splits on dashes; "+05:00" keeps its sign.
            if w.contains('-') && w.chars().any(char::is_alphabetic) {
                w.split('-').collect::<Vec<_>>()
            } else {
                vec![w]
            }
        })
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut i = 0;
    while words.get(i).is_some_and(|w| is_weekday(w)) {
        i += 1;
    }
    let w0 = *words.get(i)?;
    let w1 = *words.get(i + 1)?;
    let w2 = *words.get(i + 2)?;
    let (y, m, d) = if let Some(m) = month_of(w0) {
        (year_of(w2)?, m, day_of(w1)?)
    } else if let Some(m) = month_of(w1) {
        if let Some(y) = year_of(w0) {
            (y, m, day_of(w2)?)
        } else {
            (year_of(w2)?, m, day_of(w0)?)
        }
    } else {
        return None;
    };
    if !words.get(i + 3..)?.iter().all(|w| is_tail_word(w)) {
        return None;
    }
    ymd(y, i64::from(m), d)
}

/// Formats a date the way `parse_date` reads it back (used in messages and tests).
pub fn format_date(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

// ---------------------------------------------------------------------------------------
// Precedence
// ---------------------------------------------------------------------------------------

/// Where an article came from, for the derived fields (id, folder outlet).
pub struct Origin<'a> {
    /// The file's path as the user can open it.
    pub path: &'a str,
    /// Its path relative to the indexed root, `/`-separated.
    pub rel: &'a str,
    /// Record number inside a multi-record file.
    pub record: Option<u64>,
}

/// The one place metadata precedence is decided: manifest row, then the source, then what
/// the URL or the folder says.
pub fn resolve(origin: &Origin, manifest: Option<&Meta>, source: Meta, body: String) -> Article {
    let mut m = manifest.cloned().unwrap_or_default();
    m.fill_from(&source);
    let outlet = m
        .outlet
        .clone()
        .or_else(|| m.url.as_deref().and_then(domain_of))
        .or_else(|| top_folder(origin.rel))
        .unwrap_or_else(|| "unknown".to_string());
    let id = match (&m.url, origin.record) {
        (Some(u), _) => u.clone(),
        (None, Some(n)) => format!("{}#{n}", origin.rel),
        (None, None) => origin.rel.to_string(),
    };
    let body = strip_title_paragraph(body, m.title.as_deref());
    Article {
        id,
        path: origin.path.to_string(),
        record: origin.record,
        url: m.url,
        outlet: Some(outlet),
        date: m.date,
        title: m.title,
        authors: m.authors,
        body,
        given_entities: m.entities,
    }
}

/// The first folder of a relative path (`bbc/2022/x.txt` -> `bbc`); none for a file
/// directly under the root.
fn top_folder(rel: &str) -> Option<String> {
    let mut parts = rel.split('/').filter(|p| !p.is_empty() && *p != ".");
    let first = parts.next()?;
    parts.next()?;
    Some(first.to_string())
}

/// Many scrapes repeat the headline as the body's first paragraph; the title is stored on
/// its own, so the copy goes (unless it is all the body there is).
fn strip_title_paragraph(body: String, title: Option<&str>) -> String {
    let Some(title) = title else { return body };
    let Some((first, rest)) = body.split_once("\n\n") else {
        return body;
    };
    if squash_eq(first, title) && !rest.trim().is_empty() {
        rest.to_string()
    } else {
        body
    }
}

/// Equal when compared case-insensitively, ignoring whitespace and quote styles.
pub fn squash_eq(a: &str, b: &str) -> bool {
    fn norm(s: &str) -> impl Iterator<Item = char> + '_ {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '‘' | '’' | '\'' | '`' => '\'',
                '“' | '”' | '"' => '"',
                c => c,
            })
            .flat_map(char::to_lowercase)
    }
    norm(a).eq(norm(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn dates_in_many_spellings() {
        let want = d(2022, 1, 7);
        for s in [
            "2022-01-07",
            "2022-1-7",
            "2022-01-07T10:30:00Z",
            "2022-01-07T23:30:00-05:00",
            "2022-01-07 10:30:00.123+0600",
            "2022/01/07",
            "2022.01.07",
            "20220107",
            "Fri, 07 Jan 2022 10:00:00 +0000",
            "7 Jan 2022 10:00:00 GMT",
            "January 7, 2022",
            "Jan 7, 2022",
            "Jan. 7, 2022",
            "7 Jan 2022",
            "7 January 2022",
            "Friday, January 7, 2022",
            "Friday, 7th January 2022",
            "January 7th, 2022 at 10:30 AM EST",
            "07-Jan-2022",
            "1/7/2022",
            "01/07/2022",
            "1/7/22",
            "07.01.2022",
            "1641513600",
            "1641513600000",
            "1641513600.5",
            "2022 January 7",
        ] {
            assert_eq!(parse_date(s), want, "{s}");
        }
        // Day first when the first number cannot be a month.
        assert_eq!(parse_date("23/07/2017"), d(2017, 7, 23));
        assert_eq!(parse_date("7/23/17"), d(2017, 7, 23));
        assert_eq!(parse_date("12/31/99"), d(1999, 12, 31));
        assert_eq!(parse_date("Sept. 3, 2019"), d(2019, 9, 3));
    }

    #[test]
    fn non_dates_are_none() {
        for s in [
            "",
            "   ",
            "yesterday",
            "2022-13-01",
            "2022-02-30",
            "2022",
            "0",
            "12",
            "January 2022",
            "13/13/2022",
            "2022-01-07abc",
            "The 7 January 2022 protests were large",
            "May the force be with you",
            "99999999999999999999",
            "-1641513600",
        ] {
            assert_eq!(parse_date(s), None, "{s:?}");
        }
    }

    #[test]
    fn json_dates() {
        let date = |v: Value| {
            let mut b = MetaBuilder::new();
            b.offer_value(Field::Date(0), &v);
            b.finish()
        };
        assert_eq!(
            date(serde_json::json!({"$date": 1641513600000u64})).0.date,
            d(2022, 1, 7)
        );
        assert_eq!(
            date(serde_json::json!({"$date": "2022-01-07T00:00:00Z"}))
                .0
                .date,
            d(2022, 1, 7)
        );
        assert_eq!(
            date(serde_json::json!({"$date": {"$numberLong": "1641513600000"}}))
                .0
                .date,
            d(2022, 1, 7)
        );
        assert_eq!(date(serde_json::json!(1641513600)).0.date, d(2022, 1, 7));
        let (m, warn) = date(serde_json::json!("not a date"));
        assert_eq!(m.date, None);
        assert_eq!(warn.len(), 1);
        assert!(warn[0].contains("not a date"), "{warn:?}");
        // Empty is absent, not unreadable.
        let (m, warn) = date(serde_json::json!(""));
        assert_eq!((m.date, warn.len()), (None, 0));
        // A later good field makes an earlier bad one harmless.
        let mut b = MetaBuilder::new();
        b.offer_str(Field::Date(0), "garbage");
        b.offer_str(Field::Date(3), "2020-05-01");
        let (m, warn) = b.finish();
        assert_eq!((m.date, warn.len()), (d(2020, 5, 1), 0));
    }

    #[test]
    fn field_names_map() {
        assert_eq!(field_of("content_original"), Some(Field::Body(2)));
        assert_eq!(field_of("maintext"), Some(Field::Body(3)));
        assert_eq!(field_of("date_publish"), Some(Field::Date(3)));
        assert_eq!(field_of("datePublished"), Some(Field::Date(5)));
        assert_eq!(field_of("article:published_time"), Some(Field::Date(9)));
        assert_eq!(field_of("Published_At"), Some(Field::Date(4)));
        assert_eq!(
            field_of("source_domain"),
            Some(Field::Outlet(10, OutletKind::Domain))
        );
        assert_eq!(
            field_of("og:site_name"),
            Some(Field::Outlet(4, OutletKind::Name))
        );
        assert_eq!(field_of("canonical_link"), Some(Field::Url(2)));
        assert_eq!(field_of("Headline"), Some(Field::Title(1)));
        assert_eq!(field_of("bias_text"), None);
        assert_eq!(field_of("topic"), None);
        assert_eq!(field_of(&"x".repeat(100)), None);
        assert_eq!(field_of(""), None);
    }

    #[test]
    fn outlet_precedence_within_a_record() {
        let mut b = MetaBuilder::new();
        // AllSides: `source` is the outlet's name, `source_url` its domain.
        b.offer_str(Field::Outlet(12, OutletKind::Domain), "www.nytimes.com");
        b.offer_str(Field::Outlet(1, OutletKind::Name), "New York Times - News");
        assert_eq!(
            b.finish().0.outlet.as_deref(),
            Some("New York Times - News")
        );
        let mut b = MetaBuilder::new();
        b.offer_value(
            field_of("source").unwrap(),
            &serde_json::json!({"id": "bbc-news", "name": "BBC News"}),
        );
        assert_eq!(b.finish().0.outlet.as_deref(), Some("BBC News"));
        let mut b = MetaBuilder::new();
        b.offer_str(field_of("source_domain").unwrap(), "WWW.Reuters.com");
        assert_eq!(b.finish().0.outlet.as_deref(), Some("reuters.com"));
        let mut b = MetaBuilder::new();
        b.offer_str(field_of("site").unwrap(), "https://www.rnz.co.nz/news");
        assert_eq!(b.finish().0.outlet.as_deref(), Some("rnz.co.nz"));
    }

    #[test]
    fn domains() {
        assert_eq!(
            domain_of("https://www.rnz.co.nz/news/world/1").as_deref(),
            Some("rnz.co.nz")
        );
        assert_eq!(
            domain_of("http://user@WWW2.Example.com:8080/x?y").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            domain_of("https://m.bbc.co.uk/news").as_deref(),
            Some("bbc.co.uk")
        );
        assert_eq!(
            domain_of("https://edition.cnn.com/x").as_deref(),
            Some("edition.cnn.com")
        );
        assert_eq!(domain_of("www.com").as_deref(), Some("www.com"));
        assert_eq!(domain_of("not a url"), None);
        assert_eq!(domain_of("https:///x"), None);
        assert_eq!(domain_of(""), None);
    }

    #[test]
    fn authors_split() {
        assert_eq!(
            split_authors("Helene Cooper, Michael D. Shear"),
            vec!["Helene Cooper", "Michael D. Shear"]
        );
        assert_eq!(
            split_authors("By Jane Doe and John Roe"),
            vec!["Jane Doe", "John Roe"]
        );
        assert_eq!(
            split_authors("Guy Benson, \"Cortney OBrien\", Guy Benson"),
            vec!["Guy Benson", "Cortney OBrien"]
        );
        assert!(split_authors("").is_empty());
        assert!(split_authors(" , ; ").is_empty());
        let mut b = MetaBuilder::new();
        b.offer_value(
            Field::Authors(0),
            &serde_json::json!([{"@type": "Person", "name": "A B"}, "C D", {"name": "A B"}]),
        );
        assert_eq!(b.finish().0.authors, vec!["A B", "C D"]);
    }

    #[test]
    fn entities_both_shapes() {
        let mut b = MetaBuilder::new();
        b.offer_value(
            Field::Entities,
            &serde_json::json!([{"name": "Almaty", "kind": "LOC"}, {"name": "CSTO", "type": "org"},
                                {"name": "X", "kind": "weird"}]),
        );
        let e = b.finish().0.entities.unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(
            (e[0].name.as_str(), e[0].kind),
            ("Almaty", EntityKind::Location)
        );
        assert_eq!(e[1].kind, EntityKind::Organization);
        let mut b = MetaBuilder::new();
        b.offer_value(
            Field::Entities,
            &serde_json::json!({"person": ["Kassym-Jomart Tokayev", {"name": "Putin"}], "misc": ["x"]}),
        );
        let e = b.finish().0.entities.unwrap();
        let names: Vec<&str> = e.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, vec!["Kassym-Jomart Tokayev", "Putin"]);
        assert!(e.iter().all(|e| e.kind == EntityKind::Person));
        let mut b = MetaBuilder::new();
        b.offer_value(Field::Entities, &serde_json::json!(42));
        let (m, warn) = b.finish();
        assert!(m.entities.is_none());
        assert_eq!(warn.len(), 1);
    }

    #[test]
    fn precedence_manifest_source_derived() {
        let origin = Origin {
            path: "/c/bbc/a.txt",
            rel: "bbc/a.txt",
            record: None,
        };
        let source = Meta {
            outlet: Some("From File".into()),
            url: Some("https://www.example.org/a".into()),
            title: Some("T".into()),
            ..Meta::default()
        };
        let manifest = Meta {
            outlet: Some("Manifest Outlet".into()),
            ..Meta::default()
        };
        let a = resolve(&origin, Some(&manifest), source.clone(), "b".into());
        assert_eq!(a.outlet.as_deref(), Some("Manifest Outlet"));
        assert_eq!(a.title.as_deref(), Some("T"));
        assert_eq!(a.id, "https://www.example.org/a");
        let a = resolve(&origin, None, source.clone(), "b".into());
        assert_eq!(a.outlet.as_deref(), Some("From File"));
        let no_outlet = Meta {
            outlet: None,
            ..source
        };
        let a = resolve(&origin, None, no_outlet, "b".into());
        assert_eq!(a.outlet.as_deref(), Some("example.org"));
        let a = resolve(&origin, None, Meta::default(), "b".into());
        assert_eq!(a.outlet.as_deref(), Some("bbc"));
        assert_eq!(a.id, "bbc/a.txt");
        let flat = Origin {
            path: "/c/a.jsonl",
            rel: "a.jsonl",
            record: Some(3),
        };
        let a = resolve(&flat, None, Meta::default(), "b".into());
        assert_eq!(a.outlet.as_deref(), Some("unknown"));
        assert_eq!(a.id, "a.jsonl#3");
    }

    #[test]
    fn title_copy_leaves_the_body() {
        let origin = Origin {
            path: "a",
            rel: "a",
            record: None,
        };
        let meta = Meta {
            title: Some("Order ‘largely restored’".into()),
            ..Meta::default()
        };
        let a = resolve(
            &origin,
            None,
            meta.clone(),
            "order 'largely restored'\n\nBody.".into(),
        );
        assert_eq!(a.body, "Body.");
        // Not when it is all there is.
        let a = resolve(&origin, None, meta, "Order ‘largely restored’".into());
        assert_eq!(a.body, "Order ‘largely restored’");
    }

    proptest! {
        #[test]
        fn parse_date_never_panics(s in "\\PC{0,40}") {
            let _ = parse_date(&s);
        }

        #[test]
        fn parse_date_never_panics_on_date_like(s in "[0-9A-Za-z ,./:+-]{0,30}") {
            let _ = parse_date(&s);
        }

        #[test]
        fn formatted_dates_read_back(days in 0i64..(200 * 366), fmt in 0usize..9) {
            let base = NaiveDate::from_ymd_opt(1901, 1, 1).unwrap();
            let day = base + chrono::Duration::days(days);
            let s = match fmt {
                0 => format_date(day),
                1 => day.format("%B %-d, %Y").to_string(),
                2 => day.format("%-d %b %Y").to_string(),
                3 => day.format("%b. %-d, %Y").to_string(),
                4 => day.format("%m/%d/%Y").to_string(),
                5 => day.format("%Y/%m/%d").to_string(),
                6 => day.format("%a, %d %b %Y 12:00:00 +0100").to_string(),
                7 => day.format("%A, %-d %B %Y").to_string(),
                _ => day.format("%Y-%m-%dT13:14:15+09:00").to_string(),
            };
            prop_assert_eq!(parse_date(&s), Some(day), "{}", s);
        }

        #[test]
        fn field_mapping_never_panics(k in "\\PC{0,40}", v in "\\PC{0,40}") {
            let mut b = MetaBuilder::new();
            if let Some(f) = field_of(&k) {
                b.offer_str(f, &v);
                b.offer_value(f, &Value::String(v.clone()));
            }
            for f in [Field::Date(0), Field::Outlet(0, OutletKind::Domain), Field::Authors(0),
                      Field::Url(0), Field::Entities, Field::Title(0)] {
                b.offer_str(f, &v);
            }
            let (m, _) = b.finish();
            if let Some(o) = m.outlet { prop_assert!(!o.is_empty()); }
            prop_assert!(m.authors.iter().all(|a| !a.is_empty() && a.trim() == a));
        }

        #[test]
        fn domain_never_panics(s in "\\PC{0,60}") {
            if let Some(d) = domain_of(&s) {
                prop_assert!(!d.starts_with("www."));
                prop_assert!(d.contains('.'));
            }
        }
    }
}
