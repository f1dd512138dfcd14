//! Human-readable output, laid out like ripgrep's: a heading per hit, the passage with matches
//! coloured on a terminal and left plain when piped.

use std::io::Write;

use anyhow::Result;
use termcolor::{Color, ColorSpec, WriteColor};

use crate::indexer::IndexSummary;
use crate::search::{EntityRow, FacetCount, SearchResults, Stats};

fn spec(fg: Color, bold: bool) -> ColorSpec {
    let mut s = ColorSpec::new();
    s.set_fg(Some(fg)).set_bold(bold);
    s
}

/// Writes `text` with the byte ranges in `highlights` coloured.
fn write_highlighted(
    out: &mut dyn WriteColor,
    text: &str,
    highlights: &[[usize; 2]],
) -> Result<()> {
    let mut at = 0;
    for &[s, e] in highlights {
        if s < at
            || e > text.len()
            || s >= e
            || !text.is_char_boundary(s)
            || !text.is_char_boundary(e)
        {
            continue;
        }
        out.write_all(&text.as_bytes()[at..s])?;
        out.set_color(&spec(Color::Red, true))?;
        out.write_all(&text.as_bytes()[s..e])?;
        out.reset()?;
        at = e;
    }
    out.write_all(&text.as_bytes()[at..])?;
    Ok(())
}

fn facet_line(out: &mut dyn WriteColor, label: &str, values: &[FacetCount]) -> Result<()> {
    out.set_color(&spec(Color::Cyan, true))?;
    write!(out, "{label:>8}")?;
    out.reset()?;
    let parts: Vec<String> = values
        .iter()
        .map(|f| format!("{} ({})", f.value, f.count))
        .collect();
    writeln!(
        out,
        "  {}",
        if parts.is_empty() {
            "-".to_string()
        } else {
            parts.join(", ")
        }
    )?;
    Ok(())
}

/// Prints search results. `facets` adds the facet counts block.
pub fn search(out: &mut dyn WriteColor, r: &SearchResults, facets: bool) -> Result<()> {
    for w in &r.widened {
        out.set_color(&spec(Color::Yellow, false))?;
        writeln!(
            out,
            "note: `{}` also matched {}",
            w.word,
            w.variants.join(", ")
        )?;
        out.reset()?;
    }
    for hit in &r.hits {
        let a = &hit.article;
        out.set_color(&spec(Color::Magenta, true))?;
        write!(out, "{}", a.outlet)?;
        out.reset()?;
        if let Some(d) = &a.date {
            write!(out, "  ")?;
            out.set_color(&spec(Color::Green, false))?;
            write!(out, "{d}")?;
            out.reset()?;
        }
        if let Some(t) = &a.title {
            write!(out, "  ")?;
            out.set_color(ColorSpec::new().set_bold(true))?;
            write_highlighted(out, t, &a.title_highlights)?;
            out.reset()?;
        }
        writeln!(out)?;
        out.set_color(&spec(Color::Blue, false))?;
        write!(out, "{}", a.path)?;
        if let Some(u) = &a.url {
            if u != &a.path {
                write!(out, "  {u}")?;
            }
        }
        out.reset()?;
        writeln!(out)?;
        if let Some(h) = &hit.passage.heading {
            out.set_color(ColorSpec::new().set_italic(true).set_dimmed(true))?;
            write!(out, "  ")?;
            write_highlighted(out, h, &hit.passage.heading_highlights)?;
            out.reset()?;
            writeln!(out)?;
        }
        write!(out, "  ")?;
        let p = &hit.passage;
        if !p.context_before.is_empty() {
            out.set_color(ColorSpec::new().set_dimmed(true))?;
            write!(out, "{} ", p.context_before)?;
            out.reset()?;
        }
        write_highlighted(out, &p.text, &p.highlights)?;
        if !p.context_after.is_empty() {
            out.set_color(ColorSpec::new().set_dimmed(true))?;
            write!(out, " {}", p.context_after)?;
            out.reset()?;
        }
        writeln!(out)?;
        if let Some(a) = &p.attribution {
            out.set_color(ColorSpec::new().set_italic(true))?;
            write!(out, "  — {a}")?;
            out.reset()?;
            writeln!(out)?;
        }
        writeln!(out)?;
    }
    if facets {
        facet_line(out, "outlets", &r.facets.outlet)?;
        facet_line(out, "dates", &r.facets.date)?;
        let ents: Vec<FacetCount> = r
            .facets
            .entity
            .iter()
            .map(|e| FacetCount {
                value: format!("{} [{}]", e.value, e.kind),
                count: e.count,
            })
            .collect();
        facet_line(out, "entities", &ents)?;
        if let Some(sample) = &r.facet_sample {
            out.set_color(ColorSpec::new().set_dimmed(true))?;
            writeln!(
                out,
                "(facet counts estimated from {} of the {} matching articles)",
                sample.counted, sample.matched
            )?;
            out.reset()?;
        }
    }
    out.set_color(ColorSpec::new().set_dimmed(true))?;
    writeln!(
        out,
        "{} passage{} from {} matching article{}",
        r.hits.len(),
        if r.hits.len() == 1 { "" } else { "s" },
        r.total_articles,
        if r.total_articles == 1 { "" } else { "s" }
    )?;
    out.reset()?;
    Ok(())
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Prints `newsidx stats`.
pub fn stats(out: &mut dyn WriteColor, s: &Stats) -> Result<()> {
    writeln!(out, "index     {}", s.index)?;
    writeln!(out, "articles  {}", s.articles)?;
    writeln!(out, "outlets   {}", s.outlets)?;
    match (&s.first_date, &s.last_date) {
        (Some(a), Some(b)) => writeln!(out, "dates     {a} .. {b} ({} undated)", s.undated)?,
        _ => writeln!(out, "dates     none ({} undated)", s.undated)?,
    }
    writeln!(
        out,
        "size      {} in {} segment(s)",
        human_bytes(s.size_bytes),
        s.segments
    )?;
    if !s.top_outlets.is_empty() {
        writeln!(out, "top outlets:")?;
        let width = s
            .top_outlets
            .iter()
            .map(|f| f.count.to_string().len())
            .max()
            .unwrap_or(1);
        for f in &s.top_outlets {
            writeln!(out, "  {:>width$}  {}", f.count, f.value)?;
        }
    }
    Ok(())
}

/// Spellings listed per entity in the terminal.
const SHOWN_ALIASES: usize = 8;

/// Prints `newsidx entities`: count, kind, name, then the most used other spellings.
pub fn entities(out: &mut dyn WriteColor, rows: &[EntityRow]) -> Result<()> {
    let width = rows
        .iter()
        .map(|r| r.articles.to_string().len())
        .max()
        .unwrap_or(1);
    for r in rows {
        write!(out, "{:>width$}  ", r.articles)?;
        out.set_color(&spec(Color::Cyan, false))?;
        write!(out, "{:<12}", r.kind.as_str())?;
        out.reset()?;
        out.set_color(ColorSpec::new().set_bold(true))?;
        write!(out, " {}", r.name)?;
        out.reset()?;
        if !r.aliases.is_empty() {
            out.set_color(ColorSpec::new().set_dimmed(true))?;
            // The most used spellings come first; the tail of a big entity's list is
            // one-off spellings and extraction slips, which JSON output still lists whole.
            let shown = &r.aliases[..r.aliases.len().min(SHOWN_ALIASES)];
            write!(out, "  (also: {}", shown.join(", "))?;
            match r.aliases.len() - shown.len() {
                0 => write!(out, ")")?,
                more => write!(out, ", +{more} more)")?,
            }
            out.reset()?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// The one summary line that ends `newsidx index`.
pub fn index_summary(out: &mut dyn Write, s: &IndexSummary) -> Result<()> {
    let mut line = format!(
        "{} added, {} updated, {} removed, {} unchanged, {} skipped",
        s.added, s.updated, s.removed, s.unchanged, s.skipped
    );
    if !s.skip_reasons.is_empty() {
        let r: Vec<String> = s
            .skip_reasons
            .iter()
            .map(|(r, n)| format!("{n} {r}"))
            .collect();
        line.push_str(&format!(" ({})", r.join(", ")));
    }
    if s.warnings > 0 {
        line.push_str(&format!(
            ", {} warning{}",
            s.warnings,
            if s.warnings == 1 { "" } else { "s" }
        ));
    }
    if s.duplicates > 0 {
        line.push_str(&format!(
            ", {} duplicate id{} replaced",
            s.duplicates,
            if s.duplicates == 1 { "" } else { "s" }
        ));
    }
    let secs = s.elapsed.as_secs_f64();
    let mb = s.bytes_read as f64 / 1_048_576.0;
    line.push_str(&format!(
        " in {secs:.1}s ({} file{} read, {mb:.1} MB{})",
        s.files_read,
        if s.files_read == 1 { "" } else { "s" },
        if secs > 0.05 {
            format!(", {:.1} MB/s", mb / secs)
        } else {
            String::new()
        }
    ));
    writeln!(out, "{line}")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use termcolor::{Ansi, NoColor};

    #[test]
    fn highlights_are_coloured_only_when_asked() {
        let mut plain = NoColor::new(Vec::new());
        write_highlighted(&mut plain, "fuel prices rose", &[[0, 4]]).unwrap();
        assert_eq!(
            String::from_utf8(plain.into_inner()).unwrap(),
            "fuel prices rose"
        );
        let mut ansi = Ansi::new(Vec::new());
        write_highlighted(&mut ansi, "fuel prices rose", &[[0, 4]]).unwrap();
        let s = String::from_utf8(ansi.into_inner()).unwrap();
        assert!(s.contains("\x1b[") && s.ends_with(" prices rose"), "{s:?}");
    }

    #[test]
    fn bad_ranges_are_ignored_not_panicking() {
        let mut plain = NoColor::new(Vec::new());
        write_highlighted(&mut plain, "Žanaozen", &[[1, 2], [5, 100], [3, 1]]).unwrap();
        assert_eq!(String::from_utf8(plain.into_inner()).unwrap(), "Žanaozen");
    }

    #[test]
    fn long_alias_lists_are_cut_with_a_count() {
        let row = |n: usize| EntityRow {
            name: "Donald Trump".into(),
            kind: crate::article::EntityKind::Person,
            articles: 3,
            aliases: (0..n).map(|i| format!("a{i}")).collect(),
        };
        let mut out = NoColor::new(Vec::new());
        entities(&mut out, &[row(10), row(2)]).unwrap();
        let s = String::from_utf8(out.into_inner()).unwrap();
        let lines: Vec<&str> = s.lines().collect();
        assert!(
            lines[0].ends_with("(also: a0, a1, a2, a3, a4, a5, a6, a7, +2 more)"),
            "{s}"
        );
        assert!(lines[1].ends_with("(also: a0, a1)"), "{s}");
    }

    #[test]
    fn byte_sizes_read_well() {
        assert_eq!(human_bytes(12), "12 B");
        assert_eq!(human_bytes(2048), "2.0 KB");
    }
}
