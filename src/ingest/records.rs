//! Multi-record formats: JSON (one article, an array, or an object wrapping an array), JSON
//! Lines and CSV/TSV. All stream: a record becomes an article and goes to the sink before
//! the next is read, so a file of any size is read in bounded memory.
//!
//! Records are decoded straight from the line with a field-mapping visitor: the body (the
//! big field) is normalised from the parser's string without an intermediate JSON value, and
//! fields newsidx does not use are skipped unparsed.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use crate::metadata::{field_of, Field, MetaBuilder};

use super::body::{join_paragraphs, normalise_body};
use super::{Emitter, SkipReason, MAX_TEXT_BYTES};

/// Why a reader stopped early.
pub(crate) enum Stop {
    /// The sink failed (the indexer stopped): give up at once.
    Sink(anyhow::Error),
    /// The file cannot be read on (damaged stream): what was read so far stands.
    Skip(SkipReason),
}

/// One record's fields, as mapped while parsing.
#[derive(Default)]
pub(crate) struct Record {
    pub meta: MetaBuilder,
    body: Option<(u8, String)>,
    /// Objects nested under [`NESTED_KEYS`] (or an object where a body was expected): their
    /// fields fill what the record itself lacks.
    nested: Vec<Record>,
}

/// Keys of objects that carry more of the same article's fields: webhose `thread`, the
/// Guardian API's `fields`, Elasticsearch `_source`, generic `meta`/`metadata`.
const NESTED_KEYS: &[&str] = &[
    "thread",
    "fields",
    "_source",
    "source_data",
    "meta",
    "metadata",
    "attributes",
    "document",
    "doc",
];

impl Record {
    fn offer_body(&mut self, rank: u8, text: String) {
        if text.is_empty() {
            return;
        }
        if self.body.as_ref().is_none_or(|(r, _)| rank < *r) {
            self.body = Some((rank, text));
        }
    }

    fn has_text(&self) -> bool {
        self.body.is_some() || self.meta.has_title()
    }

    /// Folds nested objects into the record, the record's own fields first.
    fn flatten(mut self) -> Record {
        for n in std::mem::take(&mut self.nested) {
            let n = n.flatten();
            if self.body.is_none() {
                self.body = n.body;
            }
            self.meta.fill_from_builder(n.meta);
        }
        self
    }

    /// Offers one field given as text (CSV cells).
    fn offer_text(&mut self, field: Field, value: &str) {
        match field {
            Field::Body(rank) => self.offer_body(rank, normalise_body(value)),
            Field::Path => {}
            f => self.meta.offer_str(f, value),
        }
    }
}

/// A map key, borrowed from the input when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A body field: a string (normalised as it is read), a list of paragraphs, nothing, or an
/// object holding the article's fields (`{"article": {"title": ..., "text": ...}}`).
enum BodyText {
    Text(String),
    Nested(Box<Record>),
}

impl<'de> Deserialize<'de> for BodyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BodyText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("article text")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<BodyText, E> {
                Ok(BodyText::Text(normalise_body(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<BodyText, E> {
                Ok(BodyText::Text(String::new()))
            }
            fn visit_none<E: de::Error>(self) -> Result<BodyText, E> {
                Ok(BodyText::Text(String::new()))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<BodyText, E> {
                Ok(BodyText::Text(String::new()))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<BodyText, E> {
                Ok(BodyText::Text(String::new()))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<BodyText, E> {
                Ok(BodyText::Text(String::new()))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<BodyText, E> {
                Ok(BodyText::Text(String::new()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<BodyText, A::Error> {
                let mut paras: Vec<String> = Vec::new();
                while let Some(v) = seq.next_element::<Value>()? {
                    match v {
                        Value::String(s) => paras.push(s),
                        Value::Object(m) => {
                            if let Some(Value::String(s)) = m.get("text") {
                                paras.push(s.clone());
                            }
                        }
                        _ => {}
                    }
                }
                Ok(BodyText::Text(join_paragraphs(
                    paras.iter().map(String::as_str),
                )))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<BodyText, A::Error> {
                fill_record(map).map(|r| BodyText::Nested(Box::new(r)))
            }
        }
        d.deserialize_any(V)
    }
}

/// Reads the value of one field of a record, `key` being its name.
fn take_field<'de, A: MapAccess<'de>>(
    rec: &mut Record,
    key: &str,
    field: Option<Field>,
    map: &mut A,
) -> Result<(), A::Error> {
    // Before the field mapping: `_source` would otherwise read as `source`.
    if NESTED_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key)) {
        if let Item::Article(r) = map.next_value::<Item>()? {
            rec.nested.push(*r);
        }
        return Ok(());
    }
    match field {
        Some(Field::Body(rank)) => match map.next_value()? {
            BodyText::Text(t) => rec.offer_body(rank, t),
            BodyText::Nested(r) => rec.nested.push(*r),
        },
        Some(Field::Path) | None => {
            map.next_value::<IgnoredAny>()?;
        }
        Some(f) => {
            let v: Value = map.next_value()?;
            rec.meta.offer_value(f, &v);
        }
    }
    Ok(())
}

fn fill_record<'de, A: MapAccess<'de>>(mut map: A) -> Result<Record, A::Error> {
    let mut rec = Record::default();
    while let Some(key) = map.next_key::<Key>()? {
        take_field(&mut rec, &key.0, field_of(&key.0), &mut map)?;
    }
    Ok(rec)
}

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Record;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an article object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Record, A::Error> {
                fill_record(map)
            }
        }
        d.deserialize_map(V)
    }
}

/// Hands a record to the emitter, or warns that it has no text.
fn emit(
    out: &mut Emitter,
    rec: Record,
    record: Option<u64>,
    line: Option<u64>,
) -> Result<(), Stop> {
    let rec = rec.flatten();
    if !rec.has_text() {
        let what = match record {
            Some(n) => format!("record {n} has no text (no body or title field); skipped"),
            None => "no text (no body or title field)".to_string(),
        };
        out.warn(line, what);
        return Ok(());
    }
    let body = rec.body.map(|(_, b)| b).unwrap_or_default();
    out.emit(rec.meta, body, record, line).map_err(Stop::Sink)
}

enum Got {
    Eof,
    Line,
    TooLong,
}

/// Reads one line into `buf` (without its newline), never holding more than `max` bytes.
fn read_line_bounded(r: &mut dyn BufRead, buf: &mut Vec<u8>, max: usize) -> io::Result<Got> {
    buf.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let avail = match r.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok(match (any, too_long) {
                (false, _) => Got::Eof,
                (true, true) => Got::TooLong,
                (true, false) => Got::Line,
            });
        }
        any = true;
        let (chunk, used, done) = match memchr::memchr(b'\n', avail) {
            Some(i) => (avail.get(..i).unwrap_or(&[]), i + 1, true),
            None => (avail, avail.len(), false),
        };
        if !too_long {
            if buf.len() + chunk.len() > max {
                too_long = true;
                buf.clear();
                buf.shrink_to(1 << 16);
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        r.consume(used);
        if done {
            return Ok(if too_long { Got::TooLong } else { Got::Line });
        }
    }
}

fn io_stop(e: &io::Error) -> Stop {
    Stop::Skip(SkipReason::Unreadable(e.to_string()))
}

/// JSON Lines: one article object per line; record N is line N.
pub(crate) fn read_jsonl(mut r: Box<dyn BufRead>, out: &mut Emitter) -> Result<(), Stop> {
    let mut buf = Vec::with_capacity(1 << 16);
    let mut line_no = 0u64;
    loop {
        let kind = read_line_bounded(&mut *r, &mut buf, MAX_TEXT_BYTES as usize)
            .map_err(|e| io_stop(&e))?;
        line_no += 1;
        match kind {
            Got::Eof => return Ok(()),
            Got::TooLong => {
                out.warn(
                    Some(line_no),
                    format!("line over {} MiB; skipped", MAX_TEXT_BYTES >> 20),
                );
                continue;
            }
            Got::Line => {}
        }
        let line = buf.trim_ascii();
        if line.is_empty() {
            continue;
        }
        let parsed = match std::str::from_utf8(line) {
            Ok(s) => serde_json::from_str::<Record>(s),
            Err(_) => {
                out.warn(
                    Some(line_no),
                    "invalid UTF-8: bad bytes replaced with U+FFFD",
                );
                serde_json::from_str::<Record>(&String::from_utf8_lossy(line))
            }
        };
        match parsed {
            Ok(rec) => emit(out, rec, Some(line_no), Some(line_no))?,
            Err(e) => out.warn(Some(line_no), format!("malformed JSON line: {e}; skipped")),
        }
    }
}

/// A reader that fails once more than [`MAX_TEXT_BYTES`] are read without a reset: the JSON
/// and CSV parsers buffer a whole record (an unclosed CSV quote makes the rest of the file
/// one record), so this bounds what one record may cost in memory.
struct Budget<R> {
    inner: R,
    used: Rc<Cell<u64>>,
    limit: u64,
}

impl<R: Read> Read for Budget<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let used = self.used.get() + n as u64;
        self.used.set(used);
        if used > self.limit {
            return Err(io::Error::other(format!(
                "a record over {} MiB",
                self.limit >> 20
            )));
        }
        Ok(n)
    }
}

/// Wraps `r` in a [`Budget`]; the cell is reset after each record.
type Budgeted = BufReader<Budget<Box<dyn BufRead>>>;

fn budgeted(r: Box<dyn BufRead>, limit: u64) -> (Budgeted, Rc<Cell<u64>>) {
    let used = Rc::new(Cell::new(0));
    let reader = BufReader::with_capacity(
        1 << 16,
        Budget {
            inner: r,
            used: Rc::clone(&used),
            limit,
        },
    );
    (reader, used)
}

/// Where JSON readers keep what outlives one visitor: the emitter, the record count, and a
/// sink failure (which serde can only carry as a message).
struct JsonState<'a, 'b> {
    out: &'a mut Emitter<'b>,
    records: u64,
    sink_error: Option<anyhow::Error>,
    budget: Rc<Cell<u64>>,
}

impl JsonState<'_, '_> {
    fn emit<E: de::Error>(&mut self, rec: Record, record: Option<u64>) -> Result<(), E> {
        self.budget.set(0);
        match emit(self.out, rec, record, None) {
            Ok(()) => Ok(()),
            Err(Stop::Sink(e)) => {
                self.sink_error = Some(e);
                Err(E::custom("indexing stopped"))
            }
            Err(Stop::Skip(r)) => Err(E::custom(r)),
        }
    }
}

/// Keys under which JSON exports wrap their list of articles.
const WRAPPER_KEYS: &[&str] = &[
    "articles",
    "hits",
    "items",
    "data",
    "results",
    "docs",
    "documents",
    "records",
    "entries",
    "posts",
    "news",
    "stories",
    "value",
    "rows",
    "response",
    "feed",
];

/// A JSON value that holds articles: an array streams its elements; an object is either an
/// article or wraps the articles under one of [`WRAPPER_KEYS`] (recursively).
struct Articles<'s, 'a, 'b> {
    state: &'s mut JsonState<'a, 'b>,
    top: bool,
}

/// An array element: an article object or something else (counted, warned about).
enum Item {
    Article(Box<Record>),
    Other,
}

impl<'de> Deserialize<'de> for Item {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Item;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an article object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Item, A::Error> {
                fill_record(map).map(|r| Item::Article(Box::new(r)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Item, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Item::Other)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Item, E> {
                Ok(Item::Other)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Item, E> {
                Ok(Item::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Item, E> {
                Ok(Item::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Item, E> {
                Ok(Item::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Item, E> {
                Ok(Item::Other)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Item, E> {
                Ok(Item::Other)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> DeserializeSeed<'de> for Articles<'_, '_, '_> {
    type Value = u64;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Articles<'_, '_, '_> {
    /// How many articles were found.
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an article object or an array of them")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u64, A::Error> {
        let mut found = 0;
        let mut others = 0u64;
        while let Some(item) = seq.next_element::<Item>()? {
            self.state.records += 1;
            match item {
                Item::Article(rec) => {
                    let n = self.state.records;
                    self.state.emit(*rec, Some(n))?;
                    found += 1;
                }
                Item::Other => others += 1,
            }
        }
        if others > 0 && self.top {
            self.state.out.warn(
                None,
                format!("{others} array element(s) are not article objects; skipped"),
            );
        }
        Ok(found)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<u64, A::Error> {
        let mut rec = Record::default();
        let mut found = 0;
        while let Some(key) = map.next_key::<Key>()? {
            let field = field_of(&key.0);
            if field.is_none() && WRAPPER_KEYS.iter().any(|k| k.eq_ignore_ascii_case(&key.0)) {
                found += map.next_value_seed(Articles {
                    state: &mut *self.state,
                    top: false,
                })?;
            } else {
                take_field(&mut rec, &key.0, field, &mut map)?;
            }
        }
        if found == 0 && rec.has_text() {
            // A lone article object is not a "record" of a multi-record file.
            let record = (!self.top).then(|| {
                self.state.records += 1;
                self.state.records
            });
            self.state.emit(rec, record)?;
            found = 1;
        }
        Ok(found)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<u64, E> {
        Ok(0)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<u64, E> {
        Ok(0)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<u64, E> {
        Ok(0)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<u64, E> {
        Ok(0)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<u64, E> {
        Ok(0)
    }
    fn visit_unit<E: de::Error>(self) -> Result<u64, E> {
        Ok(0)
    }
}

/// A `.json` file: one article object, an array of them, or an object wrapping an array
/// (`{"articles": [...]}`, `{"data": {"items": [...]}}`). Streamed from the reader.
pub(crate) fn read_json(r: Box<dyn BufRead>, out: &mut Emitter) -> Result<(), Stop> {
    read_json_within(r, out, MAX_TEXT_BYTES)
}

fn read_json_within(r: Box<dyn BufRead>, out: &mut Emitter, limit: u64) -> Result<(), Stop> {
    let (r, budget) = budgeted(r, limit);
    let over_budget = |b: &Cell<u64>| b.get() > limit;
    let mut state = JsonState {
        out,
        records: 0,
        sink_error: None,
        budget: Rc::clone(&budget),
    };
    let mut de = serde_json::Deserializer::from_reader(r);
    let res = Articles {
        state: &mut state,
        top: true,
    }
    .deserialize(&mut de)
    .and_then(|n| de.end().map(|()| n));
    if let Some(e) = state.sink_error.take() {
        return Err(Stop::Sink(e));
    }
    match res {
        Ok(0) => {
            state.out.warn(None, "no article objects found");
            Err(Stop::Skip(SkipReason::NoText))
        }
        Ok(_) => Ok(()),
        Err(e) if e.is_io() && over_budget(&budget) => Err(Stop::Skip(SkipReason::TooLarge)),
        Err(e) if e.is_io() => Err(Stop::Skip(SkipReason::Unreadable(e.to_string()))),
        Err(e) => {
            // Articles before the damage are kept; the rest cannot be found reliably.
            let line = u64::try_from(e.line()).ok();
            state.out.warn(
                line,
                format!("malformed JSON: {e}; the rest of the file is skipped"),
            );
            if state.out.articles == 0 {
                Err(Stop::Skip(SkipReason::Unreadable(format!(
                    "malformed JSON: {e}"
                ))))
            } else {
                Ok(())
            }
        }
    }
}

/// CSV (or TSV) with a header row; record N is data row N. Rows with the wrong number of
/// cells are reported with their line number and skipped.
pub(crate) fn read_csv(r: Box<dyn BufRead>, delimiter: u8, out: &mut Emitter) -> Result<(), Stop> {
    read_csv_within(r, delimiter, out, MAX_TEXT_BYTES)
}

fn read_csv_within(
    r: Box<dyn BufRead>,
    delimiter: u8,
    out: &mut Emitter,
    limit: u64,
) -> Result<(), Stop> {
    let (r, budget) = budgeted(r, limit);
    let over_budget = |b: &Cell<u64>| b.get() > limit;
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(false)
        .from_reader(r);
    let headers = match rdr.byte_headers() {
        Ok(h) => h.clone(),
        Err(_) if over_budget(&budget) => return Err(Stop::Skip(SkipReason::TooLarge)),
        Err(e) => return Err(Stop::Skip(SkipReason::Unreadable(e.to_string()))),
    };
    budget.set(0);
    let fields: Vec<Option<Field>> = headers
        .iter()
        .map(|h| {
            let name = String::from_utf8_lossy(h);
            field_of(name.trim_start_matches('\u{feff}').trim())
        })
        .collect();
    if !fields
        .iter()
        .any(|f| matches!(f, Some(Field::Body(_) | Field::Title(_))))
    {
        // No column holds text (text, content, body, title, ...): not an article file.
        return Err(Stop::Skip(SkipReason::NoText));
    }
    let mut row = csv::ByteRecord::new();
    let mut n = 0u64;
    loop {
        match rdr.read_byte_record(&mut row) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                budget.set(0);
                n += 1;
                let line = row.position().map(|p| p.line());
                let mut rec = Record::default();
                let mut bad_utf8 = false;
                for (cell, field) in row.iter().zip(&fields) {
                    let Some(field) = field else { continue };
                    let text = match std::str::from_utf8(cell) {
                        Ok(s) => Cow::Borrowed(s),
                        Err(_) => {
                            bad_utf8 = true;
                            String::from_utf8_lossy(cell)
                        }
                    };
                    rec.offer_text(*field, &text);
                }
                if bad_utf8 {
                    out.warn(line, "invalid UTF-8: bad bytes replaced with U+FFFD");
                }
                emit(out, rec, Some(n), line)?;
            }
            Err(e) => {
                let line = e.position().map(|p| p.line());
                match e.kind() {
                    csv::ErrorKind::Io(_) if over_budget(&budget) => {
                        return Err(Stop::Skip(SkipReason::TooLarge))
                    }
                    csv::ErrorKind::Io(io) => return Err(io_stop(io)),
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => {
                        n += 1;
                        out.warn(
                            line,
                            format!(
                                "malformed CSV row: {len} cells where the header has {expected_len}; skipped"
                            ),
                        );
                    }
                    _ => {
                        n += 1;
                        out.warn(line, format!("malformed CSV row: {e}; skipped"));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_fields_are_mapped_while_parsing() {
        let rec: Record = serde_json::from_str(
            r#"{"ID":"x","source":"NPR","source_url":"www.npr.org","url":"http://www.npr.org/a",
               "date":"2014-05-06","authors":"Anya K, B C","title":"T","topic":"t",
               "content_original":"T\n\nA first paragraph that was wrapped at a fixed\nwidth, still first.\n\nSecond.","nested":{"a":[1,2]}}"#,
        )
        .unwrap();
        let (m, warn) = rec.meta.finish();
        assert!(warn.is_empty());
        assert_eq!(m.outlet.as_deref(), Some("NPR"));
        assert_eq!(m.url.as_deref(), Some("http://www.npr.org/a"));
        assert_eq!(m.date, chrono::NaiveDate::from_ymd_opt(2014, 5, 6));
        assert_eq!(m.authors, vec!["Anya K", "B C"]);
        assert_eq!(
            rec.body.unwrap().1,
            "T\n\nA first paragraph that was wrapped at a fixed width, still first.\n\nSecond."
        );
    }

    #[test]
    fn body_as_a_list_of_paragraphs_and_best_ranked_body() {
        let rec: Record = serde_json::from_str(
            r#"{"description":"Short.","maintext":["One.","Two."],"text":null}"#,
        )
        .unwrap();
        assert_eq!(rec.body.unwrap().1, "One.\n\nTwo.");
        let rec: Record = serde_json::from_str(r#"{"description":"Only a summary."}"#).unwrap();
        assert_eq!(rec.body.unwrap().1, "Only a summary.");
    }

    #[test]
    fn nested_objects_fill_what_the_record_lacks() {
        // webhose: the site and section title live under `thread`.
        let rec: Record = serde_json::from_str(
            r#"{"url": "https://x.example/a", "title": "Own title", "text": "Body.",
               "thread": {"site": "x.example", "title": "Thread title", "published": "2016-11-01T02:44:00.000+02:00"},
               "entities": {"persons": [{"name": "Ann Example", "sentiment": "none"}], "locations": []}}"#,
        )
        .unwrap();
        let rec = rec.flatten();
        let (m, _) = rec.meta.finish();
        assert_eq!(m.title.as_deref(), Some("Own title"));
        assert_eq!(m.outlet.as_deref(), Some("x.example"));
        assert_eq!(m.date, chrono::NaiveDate::from_ymd_opt(2016, 11, 1));
        assert_eq!(m.entities.unwrap()[0].name, "Ann Example");
        // The Guardian API, NYT-style objects.
        let rec: Record = serde_json::from_str(
            r#"{"webTitle": "G title", "webUrl": "https://g.example/1", "webPublicationDate": "2020-05-06T07:08:09Z",
               "fields": {"bodyText": "Guardian body.", "byline": "Jo Bloggs"},
               "headline": {"main": "Main headline", "kicker": "k"}}"#,
        )
        .unwrap();
        let rec = rec.flatten();
        assert_eq!(rec.body.as_ref().unwrap().1, "Guardian body.");
        let (m, _) = rec.meta.finish();
        assert_eq!(m.title.as_deref(), Some("Main headline"));
        assert_eq!(m.url.as_deref(), Some("https://g.example/1"));
        assert_eq!(m.authors, vec!["Jo Bloggs"]);
        // An object where the body was expected.
        let rec: Record =
            serde_json::from_str(r#"{"article": {"title": "Inner", "text": "Inner body."}}"#)
                .unwrap();
        let rec = rec.flatten();
        assert_eq!(rec.body.as_ref().unwrap().1, "Inner body.");
        assert_eq!(rec.meta.finish().0.title.as_deref(), Some("Inner"));
    }

    /// Record number and title of each article read.
    type Read = Vec<(Option<u64>, String)>;

    /// Runs one reader over `data`: the articles, the warnings, how it ended.
    fn run(kind: &str, data: &[u8]) -> (Read, Vec<String>, Result<(), String>) {
        let file = super::super::SourceFile {
            path: "t".into(),
            root: ".".into(),
            rel: "t".into(),
            size: data.len() as u64,
            sig: 1,
            format: super::super::Format::Json,
            gzip: false,
            manifest: None,
        };
        let mut got = Vec::new();
        let mut sink = |a: crate::article::Article| {
            got.push((a.record, a.title.unwrap_or_default()));
            Ok(())
        };
        let mut out = Emitter::new(&file, &mut sink);
        let r: Box<dyn BufRead> = Box::new(io::Cursor::new(data.to_vec()));
        let res = match kind {
            "json" => read_json(r, &mut out),
            "jsonl" => read_jsonl(r, &mut out),
            _ => read_csv(r, b',', &mut out),
        };
        let warnings = out.take_warnings().into_iter().map(|w| w.message).collect();
        drop(out);
        let res = res.map_err(|e| match e {
            Stop::Sink(e) => e.to_string(),
            Stop::Skip(r) => r.to_string(),
        });
        (got, warnings, res)
    }

    #[test]
    fn json_shapes() {
        let (got, _, res) = run("json", br#"{"title": "One", "text": "x"}"#);
        assert_eq!((got, res), (vec![(None, "One".to_string())], Ok(())));
        let (got, w, _) = run(
            "json",
            br#"[{"title": "A", "text": "x"}, 3, {"title": "B"}]"#,
        );
        assert_eq!(
            got,
            vec![(Some(1), "A".to_string()), (Some(3), "B".to_string())]
        );
        assert_eq!(w.len(), 1, "{w:?}");
        let (got, _, _) = run(
            "json",
            br#"{"took": 3, "hits": {"total": 2, "hits": [
                {"_id": "1", "_source": {"headline": "ES one", "body": "b"}},
                {"_id": "2", "_source": {"headline": "ES two", "body": "b"}}]}}"#,
        );
        let titles: Vec<&str> = got.iter().map(|g| g.1.as_str()).collect();
        assert_eq!(titles, vec!["ES one", "ES two"]);
        let (got, _, res) = run(
            "json",
            br#"{"data": {"items": [{"title": "Deep", "text": "x"}]}}"#,
        );
        assert_eq!(got.len(), 1);
        assert!(res.is_ok());
        // Damage after the first article keeps it and warns.
        let (got, w, res) = run("json", br#"[{"title": "Kept", "text": "x"}, {"title": "#);
        assert_eq!(got.len(), 1);
        assert!(res.is_ok());
        assert!(w.iter().any(|m| m.contains("malformed JSON")), "{w:?}");
        let (got, _, res) = run("json", b"42");
        assert!(got.is_empty());
        assert_eq!(res, Err("no article text".to_string()));
    }

    #[test]
    fn one_record_cannot_exceed_the_budget() {
        let file = super::super::SourceFile {
            path: "t".into(),
            root: ".".into(),
            rel: "t".into(),
            size: 0,
            sig: 1,
            format: super::super::Format::Csv,
            gzip: false,
            manifest: None,
        };
        let mut n = 0;
        let mut sink = |_a: crate::article::Article| {
            n += 1;
            Ok(())
        };
        let mut out = Emitter::new(&file, &mut sink);
        // An unclosed quote: the rest of the file would be one cell.
        let mut csv = b"title,text\nA,fine\nB,\"never closed ".to_vec();
        csv.extend(std::iter::repeat_n(b'x', 1 << 20));
        let r: Box<dyn BufRead> = Box::new(io::Cursor::new(csv));
        let res = read_csv_within(r, b',', &mut out, 256 << 10);
        assert!(matches!(res, Err(Stop::Skip(SkipReason::TooLarge))));
        assert_eq!(out.articles, 1);
        // Many small records within the budget are fine: it is per record.
        let mut json = b"[".to_vec();
        for i in 0..2000 {
            json.extend_from_slice(
                format!(
                    "{{\"title\": \"t{i}\", \"text\": \"{}\"}},",
                    "y".repeat(200)
                )
                .as_bytes(),
            );
        }
        json.extend_from_slice(b"{\"title\": \"last\"}]");
        let r: Box<dyn BufRead> = Box::new(io::Cursor::new(json));
        assert!(read_json_within(r, &mut out, 64 << 10).is_ok());
        let one_big = format!(
            "{{\"title\": \"x\", \"text\": \"{}\"}}",
            "z".repeat(1 << 20)
        );
        let r: Box<dyn BufRead> = Box::new(io::Cursor::new(one_big.into_bytes()));
        let res = read_json_within(r, &mut out, 256 << 10);
        assert!(matches!(res, Err(Stop::Skip(SkipReason::TooLarge))));
        drop(out);
        assert_eq!(n, 1 + 2001);
    }

    #[test]
    fn csv_rows() {
        let (got, w, res) = run(
            "csv",
            b"\xef\xbb\xbfHeadline,Content\nA,\"x, y\"\nbad\nB,\"multi\nline\"\n",
        );
        assert!(res.is_ok());
        assert_eq!(
            got,
            vec![(Some(1), "A".to_string()), (Some(3), "B".to_string())]
        );
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("malformed CSV row"), "{w:?}");
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_records_never_panic(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            for kind in ["json", "jsonl", "csv"] {
                let _ = run(kind, &data);
            }
        }

        #[test]
        fn json_like_records_never_panic(s in "[\\[\\]{}\":,a-z0-9 \n\\\\]{0,200}") {
            for kind in ["json", "jsonl", "csv"] {
                let _ = run(kind, s.as_bytes());
            }
        }

        #[test]
        fn every_good_jsonl_line_is_read(titles in proptest::collection::vec("[A-Za-z]{1,10}", 1..20), bad in 0usize..20) {
            let mut text = String::new();
            let mut want = Vec::new();
            for (i, t) in titles.iter().enumerate() {
                if i == bad {
                    text.push_str("{\"title\": broken\n");
                } else {
                    text.push_str(&format!("{{\"title\": \"{t}\", \"text\": \"b\"}}\n"));
                    want.push((Some(i as u64 + 1), t.clone()));
                }
            }
            let (got, w, _) = run("jsonl", text.as_bytes());
            proptest::prop_assert_eq!(got, want);
            proptest::prop_assert_eq!(w.len(), usize::from(bad < titles.len()));
        }
    }

    #[test]
    fn bounded_lines() {
        let mut r = io::Cursor::new(b"short\nthis one is long\nok".to_vec());
        let mut buf = Vec::new();
        assert!(matches!(
            read_line_bounded(&mut r, &mut buf, 8).unwrap(),
            Got::Line
        ));
        assert_eq!(buf, b"short");
        assert!(matches!(
            read_line_bounded(&mut r, &mut buf, 8).unwrap(),
            Got::TooLong
        ));
        assert!(matches!(
            read_line_bounded(&mut r, &mut buf, 8).unwrap(),
            Got::Line
        ));
        assert_eq!(buf, b"ok");
        assert!(matches!(
            read_line_bounded(&mut r, &mut buf, 8).unwrap(),
            Got::Eof
        ));
    }
}
