//! Printers: render engine results as text (coloured or plain) or JSON onto any writer.

pub mod json;
pub mod text;
