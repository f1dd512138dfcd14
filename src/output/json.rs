//! JSON output: one document per command, shaped for scripts (and the eval scorers).

use std::io::Write;

use anyhow::{Context, Result};
use serde::Serialize;

/// Writes `value` as one JSON document followed by a newline.
pub fn write<W: Write, T: Serialize>(out: &mut W, value: &T) -> Result<()> {
    // Serialise first, then write: an I/O error (a closed pipe) then surfaces as an
    // `io::Error` the caller can recognise, not wrapped inside a serde error.
    let mut bytes = serde_json::to_vec(value).context("cannot serialise JSON output")?;
    bytes.push(b'\n');
    out.write_all(&bytes).context("cannot write JSON output")?;
    Ok(())
}
