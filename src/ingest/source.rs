//! Opening a source file: gzip, the size limit, binary detection and text decoding
//! (UTF-8 with replacement characters and a warning when invalid; UTF-16 with a BOM).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};

use super::{SkipReason, SourceFile, MAX_TEXT_BYTES};

/// How much of a file's start is looked at to tell text from binary.
const SNIFF_BYTES: usize = 8192;

fn unreadable(e: &io::Error, gzip: bool) -> SkipReason {
    // flate2 reports a damaged stream as InvalidInput/InvalidData.
    if gzip
        && matches!(
            e.kind(),
            io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData
        )
    {
        SkipReason::Unreadable(format!("damaged gzip data ({e})"))
    } else {
        SkipReason::Unreadable(e.to_string())
    }
}

fn open_raw(file: &SourceFile) -> Result<Box<dyn Read>, SkipReason> {
    let f = File::open(&file.path).map_err(|e| unreadable(&e, false))?;
    Ok(if file.gzip {
        // Multi-member gzip (concatenated .gz files) is common in data dumps.
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            1 << 16,
            f,
        )))
    } else {
        Box::new(f)
    })
}

/// Binary data: a NUL byte (as git and ripgrep judge it), or mostly bytes that are neither
/// text controls nor valid UTF-8.
fn is_binary(head: &[u8]) -> bool {
    if memchr::memchr(0, head).is_some() {
        return true;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    if controls * 10 > head.len() {
        return true;
    }
    let lossy = String::from_utf8_lossy(head);
    let (bad, all) = lossy.chars().fold((0usize, 0usize), |(b, a), c| {
        (b + usize::from(c == char::REPLACEMENT_CHARACTER), a + 1)
    });
    // A cut multi-byte character at the end of the sample is one bad char, not binary.
    bad > 2 && bad * 4 > all
}

fn utf16(bytes: &[u8], little: bool) -> String {
    let units = bytes.chunks_exact(2).map(|p| {
        let pair: [u8; 2] = p.try_into().unwrap_or_default();
        if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Text of a decoded file, plus a warning when bytes had to be replaced.
pub(crate) fn decode(bytes: Vec<u8>) -> Result<(String, Option<String>), SkipReason> {
    if let Some(rest) = bytes.strip_prefix(&[0xff, 0xfe]) {
        return Ok((utf16(rest, true), None));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        return Ok((utf16(rest, false), None));
    }
    let start = if bytes.starts_with(&[0xef, 0xbb, 0xbf]) {
        3
    } else {
        0
    };
    let body = bytes.get(start..).unwrap_or(&[]);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(SkipReason::Empty);
    }
    if is_binary(body.get(..SNIFF_BYTES).unwrap_or(body)) {
        return Err(SkipReason::Binary);
    }
    let mut bytes = bytes;
    bytes.drain(..start);
    match String::from_utf8(bytes) {
        Ok(s) => Ok((s, None)),
        Err(e) => {
            let s = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let n = s.matches(char::REPLACEMENT_CHARACTER).count();
            Ok((
                s,
                Some(format!(
                    "invalid UTF-8: {n} bad byte sequence(s) replaced with U+FFFD"
                )),
            ))
        }
    }
}

/// Reads a single-article file whole (at most [`MAX_TEXT_BYTES`] after decompression).
pub(crate) fn read_text(file: &SourceFile) -> Result<(String, Option<String>), SkipReason> {
    read_text_within(file, MAX_TEXT_BYTES)
}

fn read_text_within(file: &SourceFile, limit: u64) -> Result<(String, Option<String>), SkipReason> {
    if !file.gzip && file.size > limit {
        return Err(SkipReason::TooLarge);
    }
    let mut bytes = Vec::new();
    // Decompression stops one byte past the limit: a gzip bomb costs at most that.
    open_raw(file)?
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(&e, file.gzip))?;
    if bytes.len() as u64 > limit {
        return Err(SkipReason::TooLarge);
    }
    if bytes.is_empty() {
        return Err(SkipReason::Empty);
    }
    decode(bytes)
}

/// Opens a multi-record file as a buffered stream, after checking that it starts like text.
pub(crate) fn open_stream(file: &SourceFile) -> Result<Box<dyn BufRead>, SkipReason> {
    let mut raw = open_raw(file)?;
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    (&mut raw)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| unreadable(&e, file.gzip))?;
    if head.iter().all(u8::is_ascii_whitespace) {
        return Err(SkipReason::Empty);
    }
    if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
        // UTF-16 record files are rare enough to be read whole, within the limit.
        let mut rest = Vec::new();
        raw.take(MAX_TEXT_BYTES)
            .read_to_end(&mut rest)
            .map_err(|e| unreadable(&e, file.gzip))?;
        head.extend_from_slice(&rest);
        let (text, _) = decode(head)?;
        return Ok(Box::new(Cursor::new(text.into_bytes())));
    }
    let sniff = head.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(&head);
    if is_binary(sniff) {
        return Err(SkipReason::Binary);
    }
    Ok(Box::new(BufReader::with_capacity(
        1 << 18,
        Cursor::new(head).chain(raw),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn gzip_bombs_stop_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bomb.txt.gz");
        let mut e = flate2::write::GzEncoder::new(
            File::create(&path).unwrap(),
            flate2::Compression::best(),
        );
        let zeros = vec![b'a'; 1 << 20];
        for _ in 0..4 {
            e.write_all(&zeros).unwrap();
        }
        e.finish().unwrap();
        let file = SourceFile {
            size: std::fs::metadata(&path).unwrap().len(),
            path,
            root: dir.path().to_path_buf(),
            rel: "bomb.txt.gz".into(),
            sig: 1,
            format: super::super::Format::Txt,
            gzip: true,
            manifest: None,
        };
        assert!(file.size < 64 * 1024, "compressed well");
        assert_eq!(read_text_within(&file, 1 << 20), Err(SkipReason::TooLarge));
        assert_eq!(read_text_within(&file, 8 << 20).unwrap().0.len(), 4 << 20);
    }

    #[test]
    fn decoding() {
        assert_eq!(decode(b"plain".to_vec()).unwrap(), ("plain".into(), None));
        assert_eq!(decode(b"\xef\xbb\xbfbom".to_vec()).unwrap().0, "bom");
        let (s, w) = decode(b"caf\xe9 au lait".to_vec()).unwrap();
        assert_eq!(s, "caf\u{fffd} au lait");
        assert!(w.unwrap().contains("invalid UTF-8"));
        assert_eq!(decode(b"a\0b".to_vec()), Err(SkipReason::Binary));
        assert_eq!(decode(b"  \n\t".to_vec()), Err(SkipReason::Empty));
        let noise: Vec<u8> = (0..4000u32)
            .map(|i| (i * 7919 % 251) as u8 | 0x80)
            .collect();
        assert_eq!(decode(noise), Err(SkipReason::Binary));
        let mut le = vec![0xff, 0xfe];
        for u in "Žanaozen".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(le).unwrap().0, "Žanaozen");
    }
}
