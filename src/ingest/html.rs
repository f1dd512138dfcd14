//! HTML pages: the main text without navigation, headers, footers, asides, scripts, styles
//! and forms, and the page's metadata (title, `og:title`, `og:site_name`,
//! `article:published_time`, canonical link, meta author, JSON-LD `NewsArticle` fields).
//!
//! The main text comes from the element marked `itemprop="articleBody"`, else the largest
//! `<article>`, else `<main>` / `role="main"`, else `<body>`. Paragraphs come from block
//! elements (`<p>`, headings, `<li>`, `<blockquote>`, `<div>`, table rows, `<br>`); text of
//! inline elements runs on as a browser shows it, so words are never glued across blocks.
//! The DOM is walked iteratively: deeply nested pages cannot overflow the stack.

use ego_tree::iter::Edge;
use ego_tree::NodeRef;
use scraper::{Html, Node};
use serde_json::Value;

use crate::metadata::{field_of, Field, MetaBuilder};

use super::body::{join_paragraphs, normalise_body};

/// Elements whose content is never article text.
const SKIP_TAGS: &[&str] = &[
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "select",
    "option",
    "textarea",
    "input",
    "iframe",
    "svg",
    "canvas",
    "figure",
    "figcaption",
    "picture",
    "video",
    "audio",
    "object",
    "embed",
    "map",
    "dialog",
    "menu",
    "head",
    "title",
    "meta",
    "link",
];

/// Elements that end a paragraph.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "table",
    "tr",
    "thead",
    "tbody",
    "tfoot",
    "caption",
    "address",
    "center",
    "details",
    "summary",
    "hr",
    "br",
    "body",
    "html",
];

/// Roles of page furniture.
const SKIP_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "menu",
    "menubar",
    "dialog",
    "alertdialog",
    "toolbar",
];

/// Class or id words of page furniture (`class="share-tools"`, `id="related-links"`).
const SKIP_WORDS: &[&str] = &[
    "share",
    "sharing",
    "social",
    "related",
    "newsletter",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "cookie",
    "cookies",
    "consent",
    "comments",
    "promo",
    "subscribe",
    "breadcrumb",
    "breadcrumbs",
    "sidebar",
    "navbar",
    "menu",
    "masthead",
    "popup",
    "modal",
    "sponsored",
    "outbrain",
    "taboola",
    "recommended",
    "trending",
];

/// Meta tag names for dates, authors and titles that `field_of` does not know (names after
/// lowercasing, separators dropped).
fn html_meta_field(name: &str) -> Option<Field> {
    let key: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let f = match key.as_str() {
        "dcdate"
        | "dcdateissued"
        | "dctermscreated"
        | "dctermsissued"
        | "sailthrudate"
        | "parselypubdate"
        | "publishdate"
        | "articlepublished"
        | "ogarticlepublishedtime"
        | "originalpublicationdate"
        | "displaydate"
        | "itempropdatepublished" => Field::Date(15),
        "byl" | "parselyauthor" | "sailthruauthor" | "dccreator" | "dctermscreator" => {
            Field::Authors(3)
        }
        "twittertitle" | "parselytitle" | "sailthrutitle" => Field::Title(3),
        "applicationname" | "twittersite" => Field::Outlet(8, crate::metadata::OutletKind::Name),
        _ => return None,
    };
    Some(f)
}

fn skip_element(el: &scraper::node::Element) -> bool {
    let name = el.name();
    if SKIP_TAGS.contains(&name) {
        return true;
    }
    if el.attr("hidden").is_some() || el.attr("aria-hidden") == Some("true") {
        return true;
    }
    if let Some(role) = el.attr("role") {
        if SKIP_ROLES.contains(&role.trim().to_ascii_lowercase().as_str()) {
            return true;
        }
    }
    if let Some(style) = el.attr("style") {
        let s: String = style.chars().filter(|c| !c.is_whitespace()).collect();
        if s.to_ascii_lowercase().contains("display:none") {
            return true;
        }
    }
    if matches!(name, "p" | "h1" | "h2" | "h3" | "li" | "blockquote") {
        return false;
    }
    let words = el
        .attr("class")
        .into_iter()
        .chain(el.attr("id"))
        .flat_map(|s| s.split(|c: char| !c.is_ascii_alphanumeric()))
        .map(str::to_ascii_lowercase);
    for w in words {
        if SKIP_WORDS.contains(&w.as_str()) {
            return true;
        }
    }
    false
}

/// Text of a node's subtree as paragraphs, page furniture left out.
fn paragraphs(root: NodeRef<Node>) -> Vec<String> {
    let mut paras = Vec::new();
    let mut cur = String::new();
    let mut skipping: Option<ego_tree::NodeId> = None;
    let flush = |cur: &mut String, paras: &mut Vec<String>| {
        if !cur.trim().is_empty() {
            paras.push(std::mem::take(cur));
        }
        cur.clear();
    };
    for edge in root.traverse() {
        match edge {
            Edge::Open(n) => {
                if skipping.is_some() {
                    continue;
                }
                match n.value() {
                    Node::Element(el) => {
                        if n.id() != root.id() && skip_element(el) {
                            skipping = Some(n.id());
                            continue;
                        }
                        let name = el.name();
                        if BLOCK_TAGS.contains(&name) {
                            flush(&mut cur, &mut paras);
                        } else if matches!(name, "td" | "th") {
                            cur.push(' ');
                        }
                    }
                    Node::Text(t) => cur.push_str(t),
                    _ => {}
                }
            }
            Edge::Close(n) => {
                if let Some(id) = skipping {
                    if id == n.id() {
                        skipping = None;
                    }
                    continue;
                }
                if let Node::Element(el) = n.value() {
                    if BLOCK_TAGS.contains(&el.name()) {
                        flush(&mut cur, &mut paras);
                    } else if matches!(el.name(), "td" | "th") {
                        cur.push(' ');
                    }
                }
            }
        }
    }
    flush(&mut cur, &mut paras);
    paras
}

fn text_len(paras: &[String]) -> usize {
    paras.iter().map(String::len).sum()
}

/// Whether a JSON-LD object is an article.
fn is_article_type(v: &Value) -> bool {
    let is = |t: &str| {
        let t = t.rsplit('/').next().unwrap_or(t);
        t.ends_with("Article") || matches!(t, "BlogPosting" | "LiveBlogPosting" | "Report")
    };
    match v.get("@type") {
        Some(Value::String(t)) => is(t),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).any(is),
        _ => false,
    }
}

/// Article objects inside a JSON-LD value (top level, arrays, `@graph`).
fn ld_articles<'v>(v: &'v Value, out: &mut Vec<&'v serde_json::Map<String, Value>>, depth: u8) {
    if depth > 8 {
        return;
    }
    match v {
        Value::Array(a) => a.iter().for_each(|x| ld_articles(x, out, depth + 1)),
        Value::Object(m) => {
            if is_article_type(v) {
                out.push(m);
            }
            if let Some(g) = m.get("@graph") {
                ld_articles(g, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// Nesting beyond which the page is not given to the HTML5 parser: its scope checks walk the
/// stack of open elements, so parsing time grows with the square of the depth (20,000 nested
/// tags take a minute). Real pages nest a few dozen deep.
const MAX_DEPTH: usize = 1000;

/// Elements that never nest (void) or that close themselves implicitly when sloppy HTML
/// leaves them open; they do not count towards the depth estimate.
const FLAT_TAGS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "option", "tr", "td", "th",
];

/// Whether the page's tags nest deeper than `limit` (a byte scan: no parsing).
fn nests_deeper_than(text: &str, limit: usize) -> bool {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(off) = b.get(i..).and_then(|rest| memchr::memchr(b'<', rest)) {
        i += off + 1;
        let closing = b.get(i) == Some(&b'/');
        let start = if closing { i + 1 } else { i };
        let end = b
            .get(start..)
            .and_then(|r| r.iter().position(|c| !c.is_ascii_alphanumeric()))
            .map_or(b.len(), |p| start + p);
        let Some(name) = text
            .get(start..end)
            .filter(|n| n.as_bytes().first().is_some_and(u8::is_ascii_alphabetic))
        else {
            continue;
        };
        if FLAT_TAGS.iter().any(|t| t.eq_ignore_ascii_case(name)) {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            let self_closing = b
                .get(end..)
                .and_then(|r| memchr::memchr(b'>', r).map(|p| (p, r)))
                .is_some_and(|(p, r)| p > 0 && r.get(p - 1) == Some(&b'/'));
            if !self_closing {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
        }
    }
    false
}

/// Text of a page too deeply nested to parse: tags removed, block tags as line breaks.
fn flat_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() / 2);
    let mut rest = text;
    let mut skip_until: Option<&str> = None;
    while let Some(lt) = rest.find('<') {
        if skip_until.is_none() {
            out.push_str(rest.get(..lt).unwrap_or(""));
        }
        let after = rest.get(lt + 1..).unwrap_or("");
        let gt = after.find('>').unwrap_or(after.len());
        let tag = after.get(..gt).unwrap_or("").to_ascii_lowercase();
        rest = after.get(gt + 1..).unwrap_or("");
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        match skip_until {
            Some(end) if tag.starts_with('/') && name == end => skip_until = None,
            Some(_) => {}
            None if !tag.starts_with('/') && matches!(name.as_str(), "script" | "style") => {
                skip_until = Some(if name == "script" { "script" } else { "style" });
            }
            None if BLOCK_TAGS.contains(&name.as_str()) => out.push_str("\n\n"),
            None => {}
        }
    }
    if skip_until.is_none() {
        out.push_str(rest);
    }
    out
}

/// Reads an HTML page into its metadata and normalised main text.
pub(crate) fn read(text: &str) -> (MetaBuilder, String) {
    if nests_deeper_than(text, MAX_DEPTH) {
        return (MetaBuilder::new(), normalise_body(&flat_text(text)));
    }
    let doc = Html::parse_document(text);
    let mut meta = MetaBuilder::new();
    let mut ld_body: Option<String> = None;
    let mut first_h1: Option<String> = None;
    let mut first_time: Option<String> = None;
    let mut body_marked = None;
    let mut articles = Vec::new();
    let mut mains = Vec::new();
    let mut body_el = None;
    for n in doc.tree.root().descendants() {
        let Node::Element(el) = n.value() else {
            continue;
        };
        match el.name() {
            "title"
                if n.parent().is_some_and(|p| {
                    p.value().as_element().is_some_and(|e| e.name() == "head")
                }) =>
            {
                let t: String = n
                    .descendants()
                    .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
                    .collect();
                meta.offer_str(Field::Title(10), &t);
            }
            "meta" => {
                let key = el
                    .attr("property")
                    .or_else(|| el.attr("name"))
                    .or_else(|| el.attr("itemprop"));
                if let (Some(k), Some(v)) = (key, el.attr("content")) {
                    match field_of(k).or_else(|| html_meta_field(k)) {
                        Some(Field::Body(_) | Field::Path | Field::Entities) | None => {}
                        // `article:author` is usually a profile URL, not a name.
                        Some(Field::Authors(_)) if v.trim_start().starts_with("http") => {}
                        Some(f) => meta.offer_str(f, v),
                    }
                }
            }
            "link" => {
                let canonical = el.attr("rel").is_some_and(|r| {
                    r.split_whitespace()
                        .any(|x| x.eq_ignore_ascii_case("canonical"))
                });
                if let (true, Some(href)) = (canonical, el.attr("href")) {
                    meta.offer_str(Field::Url(2), href);
                }
            }
            "script" if el.attr("type").is_some_and(|t| t.contains("ld+json")) => {
                let raw: String = n
                    .children()
                    .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                    .collect();
                if let Ok(v) = serde_json::from_str::<Value>(raw.trim()) {
                    let mut found = Vec::new();
                    ld_articles(&v, &mut found, 0);
                    for art in found {
                        for (k, val) in art {
                            match field_of(k) {
                                Some(Field::Body(_)) => {
                                    if k.eq_ignore_ascii_case("articleBody") {
                                        if let Some(s) = val.as_str() {
                                            ld_body.get_or_insert_with(|| normalise_body(s));
                                        }
                                    }
                                }
                                Some(Field::Path | Field::Entities) | None => {
                                    if k == "mainEntityOfPage" {
                                        meta.offer_value(Field::Url(1), val);
                                    }
                                }
                                Some(f) => meta.offer_value(f, val),
                            }
                        }
                    }
                }
            }
            "h1" if first_h1.is_none() => {
                let t: String = n
                    .descendants()
                    .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
                    .collect::<Vec<_>>()
                    .join(" ");
                if !t.trim().is_empty() {
                    first_h1 = Some(t);
                }
            }
            "time" if first_time.is_none() => {
                first_time = el.attr("datetime").map(str::to_string);
            }
            "article" => articles.push(n),
            "main" => mains.push(n),
            "body" if body_el.is_none() => body_el = Some(n),
            _ => {}
        }
        if body_marked.is_none() && el.attr("itemprop") == Some("articleBody") {
            body_marked = Some(n);
        }
        if el.attr("role") == Some("main") && el.name() != "main" {
            mains.push(n);
        }
    }
    if !meta.has_title() {
        if let Some(h) = first_h1 {
            meta.offer_str(Field::Title(20), &h);
        }
    }
    if !meta.has_date() {
        if let Some(t) = first_time {
            meta.offer_str(Field::Date(30), &t);
        }
    }
    let best = |nodes: &[NodeRef<Node>]| -> Option<Vec<String>> {
        nodes
            .iter()
            .map(|n| paragraphs(*n))
            .max_by_key(|p| text_len(p))
            .filter(|p| !p.is_empty())
    };
    let paras = body_marked
        .map(paragraphs)
        .filter(|p| !p.is_empty())
        .or_else(|| best(&articles))
        .or_else(|| best(&mains))
        .or_else(|| body_el.map(paragraphs))
        .unwrap_or_else(|| paragraphs(doc.tree.root()));
    let mut body = join_paragraphs(paras.iter().map(String::as_str));
    if body.is_empty() {
        body = ld_body.unwrap_or_default();
    }
    (meta, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::Meta;
    use proptest::prelude::*;

    fn page(html: &str) -> (Meta, String) {
        let (m, body) = read(html);
        (m.finish().0, body)
    }

    const PAGE: &str = r##"<!doctype html><html><head>
<title>Troops arrive | Example News</title>
<meta property="og:title" content="Troops arrive in Almaty">
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2022-01-07T08:00:00+06:00">
<meta name="author" content="Jane Doe">
<meta name="description" content="A summary that is not the body.">
<link rel="canonical" href="https://example.com/troops">
<style>p { color: red }</style><script>var x = "not text";</script>
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
<div class="share-tools">Share on Twitter</div>
<article>
  <h1>Troops arrive in Almaty</h1>
  <p>First <b>paragraph</b> with <a href="#">a link</a>.</p>
  <p>Second paragraph.<br>After a break.</p>
  <ul><li>One</li><li>Two</li></ul>
  <figure><img src="x.jpg"><figcaption>A caption</figcaption></figure>
  <aside>Related: other story</aside>
  <form><input value="email"><button>Subscribe</button></form>
  <table><tr><td>cell one</td><td>cell two</td></tr></table>
</article>
<footer>Copyright Example</footer>
</body></html>"##;

    #[test]
    fn main_text_and_metadata() {
        let (m, body) = page(PAGE);
        assert_eq!(m.title.as_deref(), Some("Troops arrive in Almaty"));
        assert_eq!(m.outlet.as_deref(), Some("Example News"));
        assert_eq!(m.date, chrono::NaiveDate::from_ymd_opt(2022, 1, 7));
        assert_eq!(m.url.as_deref(), Some("https://example.com/troops"));
        assert_eq!(m.authors, vec!["Jane Doe"]);
        assert_eq!(
            body,
            "Troops arrive in Almaty\n\nFirst paragraph with a link.\n\nSecond paragraph.\n\nAfter a break.\n\nOne\n\nTwo\n\ncell one cell two"
        );
    }

    #[test]
    fn json_ld_news_article() {
        let (m, body) = page(
            r#"<html><head><script type="application/ld+json">
            {"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"Site"},
             {"@type":"NewsArticle","headline":"LD headline","datePublished":"2021-03-04T10:00:00Z",
              "author":[{"@type":"Person","name":"A Writer"}],
              "publisher":{"@type":"Organization","name":"LD News"},
              "articleBody":"Body from JSON-LD."}]}
            </script></head><body><div class="menu">Menu</div></body></html>"#,
        );
        assert_eq!(m.title.as_deref(), Some("LD headline"));
        assert_eq!(m.date, chrono::NaiveDate::from_ymd_opt(2021, 3, 4));
        assert_eq!(m.authors, vec!["A Writer"]);
        assert_eq!(m.outlet.as_deref(), Some("LD News"));
        assert_eq!(body, "Body from JSON-LD.");
    }

    #[test]
    fn no_words_glued_across_blocks() {
        let (_, body) = page("<body><div>alpha</div><div>beta</div><p>gamma<br/>delta</p><h2>epsilon</h2>zeta<li>eta</li></body>");
        assert_eq!(
            body,
            "alpha\n\nbeta\n\ngamma\n\ndelta\n\nepsilon\n\nzeta\n\neta"
        );
        // Inline elements run on as displayed.
        let (_, body) = page("<p>Kazakh<i>stan</i> and <b>CSTO</b></p>");
        assert_eq!(body, "Kazakhstan and CSTO");
    }

    #[test]
    fn hidden_and_fallbacks() {
        let (m, body) = page(
            "<html><head><title>Only Title</title></head><body><p hidden>secret</p><p style=\"display: none\">gone</p><p>Shown <time datetime=\"2020-02-02\">today</time>.</p></body></html>",
        );
        assert_eq!(m.title.as_deref(), Some("Only Title"));
        assert_eq!(m.date, chrono::NaiveDate::from_ymd_opt(2020, 2, 2));
        assert_eq!(body, "Shown today.");
    }

    #[test]
    fn depth_estimate() {
        assert!(!nests_deeper_than("<div><p>a<p>b<br><img src=x/></div>", 1));
        assert!(nests_deeper_than("<div><section>x</section></div>", 1));
        assert!(!nests_deeper_than(&"<p>unclosed ".repeat(5000), 10));
        assert!(!nests_deeper_than("a < b and <3 <", 0));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = format!(
            "{}text{}",
            "<div><span>".repeat(20_000),
            "</span></div>".repeat(20_000)
        );
        let (_, body) = page(&html);
        assert_eq!(body, "text");
    }

    proptest! {
        #[test]
        fn never_panics(s in "[<>/a-z =\"'!\\-\\PC]{0,300}") {
            let (_, body) = page(&s);
            prop_assert!(!body.contains("\n\n\n"));
        }

        #[test]
        fn paragraph_words_survive(paras in proptest::collection::vec("[a-z]{1,8}( [a-z]{1,8}){0,8}", 1..8)) {
            let html: String = paras.iter().map(|p| format!("<p>{p}</p>")).collect();
            let (_, body) = page(&format!("<html><body><article>{html}</article></body></html>"));
            prop_assert_eq!(body, paras.join("\n\n"));
        }
    }
}
