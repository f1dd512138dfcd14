//! Markdown articles: YAML (`---`) or TOML (`+++`) front matter, then the text with its
//! Markdown syntax stripped.

use crate::metadata::{Meta, MetaBuilder};

use super::Emitter;

pub(crate) fn read(
    text: &str,
    manifest: Option<&Meta>,
    _out: &mut Emitter,
) -> (MetaBuilder, String) {
    super::text::read(text, manifest)
}
