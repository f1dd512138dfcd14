//! The text analyzer shared by indexing, querying and highlighting, with a memoising English
//! stemmer.
//!
//! Snowball stemming is the costliest step of indexing (about a fifth of all indexing CPU,
//! measured with perf on the AllSides corpus). Word frequencies follow Zipf's law, so a
//! small per-thread cache of stems answers nearly every token with one hash lookup. The stems
//! are exactly the Snowball stems (the cache only remembers them), so an index built with or
//! without the cache is the same.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::mem;

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};

/// Words longer than this many bytes are dropped: they are never words (base64, URLs glued
/// together), and bounding them keeps the term dictionary clean.
pub const MAX_TOKEN_BYTES: usize = 64;

/// Cached stems per analyzer instance (each indexing thread has its own). English text has
/// well under this many distinct words in a segment's worth of articles; when it fills up it
/// is simply cleared, which costs a few re-computed stems.
const CACHE_ENTRIES: usize = 100_000;

/// Split on non-alphanumerics, drop over-long tokens, lowercase, fold to ASCII (`Žanaozen`
/// = `Zanaozen`), English stemming (`troops` = `troop`).
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(CachedStemmer)
        .build()
}

/// A multiply-rotate hash over eight bytes at a time: tokens are short, and for short keys
/// this beats SipHash by a wide margin; the keys are the user's own words, so resistance to
/// crafted collisions buys nothing here.
#[derive(Default)]
pub(crate) struct WordHash(u64);

impl Hasher for WordHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(29);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(29);
        }
        self.0 = (h ^ bytes.len() as u64).wrapping_mul(K);
    }
}

/// Word -> its stem, or `None` when the stem is the word itself (most words), which spares
/// a string comparison and a copy per token.
#[derive(Default)]
struct StemCache {
    /// Words of up to [`Packed::BYTES`] bytes (nearly all), keyed in place.
    short: HashMap<Packed, Option<Box<str>>, BuildHasherDefault<PackedHash>>,
    long: HashMap<Box<str>, Option<Box<str>>, BuildHasherDefault<WordHash>>,
}

impl StemCache {
    #[inline]
    fn get(&self, word: &str) -> Option<&Option<Box<str>>> {
        match Packed::new(word) {
            Some(p) => self.short.get(&p),
            None => self.long.get(word),
        }
    }

    fn insert(&mut self, word: &str, stem: Option<Box<str>>) {
        if self.short.len() + self.long.len() >= CACHE_ENTRIES {
            self.short.clear();
            self.long.clear();
        }
        match Packed::new(word) {
            Some(p) => self.short.insert(p, stem),
            None => self.long.insert(word.into(), stem),
        };
    }
}

/// A word of up to 24 bytes packed into three machine words, zero-padded (a token never
/// holds a NUL byte, so no two words pack alike). A probe compares it in place: the boxed
/// keys it replaces cost a pointer chase and a call to memcmp per token, a twentieth of all
/// indexing CPU in perf on the AllSides build.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Packed([u64; 3]);

impl Packed {
    const BYTES: usize = 24;

    #[inline]
    fn new(word: &str) -> Option<Packed> {
        let b = word.as_bytes();
        if b.len() > Self::BYTES {
            return None;
        }
        let mut buf = [0u8; Self::BYTES];
        buf[..b.len()].copy_from_slice(b);
        let word = |i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&buf[i * 8..i * 8 + 8]);
            u64::from_le_bytes(w)
        };
        Some(Packed([word(0), word(1), word(2)]))
    }
}

impl std::hash::Hash for Packed {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        const K: u64 = 0x9E37_79B9_7F4A_7C15;
        let [a, b, c] = self.0;
        state.write_u64((a.wrapping_mul(K).rotate_left(29) ^ b).wrapping_mul(K) ^ c);
    }
}

/// Finishes [`Packed`]'s one-word hash: hashbrown takes buckets from the low bits and tags
/// from the high ones, so both must depend on every byte.
#[derive(Default)]
struct PackedHash(u64);

impl Hasher for PackedHash {
    #[inline]
    fn finish(&self) -> u64 {
        let z = self.0;
        let z = (z ^ (z >> 31)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z ^ (z >> 29)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    #[inline]
    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
}

/// English Snowball stemming with memoised results.
#[derive(Clone, Copy, Debug, Default)]
pub struct CachedStemmer;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner: tokenizer,
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            cache: StemCache::default(),
        }
    }
}

pub struct CachedStemmerFilter<T> {
    inner: T,
    stemmer: frostem::Stemmer,
    cache: StemCache,
}

impl<T: Clone> Clone for CachedStemmerFilter<T> {
    fn clone(&self) -> Self {
        // A clone starts with an empty cache: clones go to other threads, and copying a
        // large map would cost more than refilling it.
        CachedStemmerFilter {
            inner: self.inner.clone(),
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            cache: StemCache::default(),
        }
    }
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: &self.stemmer,
            cache: &mut self.cache,
            buffer: String::new(),
        }
    }
}

pub struct CachedStemmerStream<'a, T> {
    tail: T,
    stemmer: &'a frostem::Stemmer,
    cache: &'a mut StemCache,
    buffer: String,
}

/// Snowball's English stemmer leaves words of one or two letters alone, and numbers too;
/// skipping them spares the cache its most common and least useful entries.
fn needs_stemming(word: &str) -> bool {
    word.len() > 2 && !word.bytes().all(|b| b.is_ascii_digit())
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if !needs_stemming(&token.text) {
            return true;
        }
        if let Some(cached) = self.cache.get(token.text.as_str()) {
            if let Some(stem) = cached {
                token.text.clear();
                token.text.push_str(stem);
            }
            return true;
        }
        let stem: Option<Box<str>> = match self.stemmer.stem(&token.text) {
            Cow::Borrowed(s) if s == token.text => None,
            Cow::Borrowed(s) => Some(s.into()),
            Cow::Owned(s) if s == token.text => None,
            Cow::Owned(s) => Some(s.into_boxed_str()),
        };
        if let Some(stem) = &stem {
            self.buffer.clear();
            self.buffer.push_str(stem);
        }
        self.cache.insert(&token.text, stem.clone());
        if stem.is_some() {
            mem::swap(&mut token.text, &mut self.buffer);
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(a: &mut TextAnalyzer, text: &str) -> Vec<String> {
        let mut s = a.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            out.push(s.token().text.clone());
        }
        out
    }

    /// The same words through tantivy's own stemmer: the cache must never change a stem.
    fn reference(text: &str) -> Vec<String> {
        let mut a = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(tantivy::tokenizer::Stemmer::default())
            .build();
        tokens(&mut a, text)
    }

    #[test]
    fn stems_like_snowball_and_folds() {
        let mut a = analyzer();
        let text = "Troops arrived; the troops' running, Žanaozen 3,000 protesters ran.";
        assert_eq!(tokens(&mut a, text), reference(text));
        // Twice: the second pass is served from the cache.
        assert_eq!(tokens(&mut a, text), reference(text));
        assert!(tokens(&mut a, "Troops").contains(&"troop".to_string()));
        assert!(tokens(&mut a, "Žanaozen").contains(&"zanaozen".to_string()));
    }

    #[test]
    fn words_either_side_of_the_packed_length_stem_alike() {
        let mut a = analyzer();
        // 23, 24, 25 and 30 bytes, each twice (the second from the cache), and words that
        // share a 24-byte prefix.
        let text = "counterrevolutionariesss counterrevolutionariesses \
                    counterrevolutionarieses counterrevolutionaries counterrevolutionariesses \
                    internationalizationsxyzzy internationalizationsxyzzz \
                    counterrevolutionariesss counterrevolutionarieses";
        assert_eq!(tokens(&mut a, text), reference(text));
        assert_eq!(tokens(&mut a, text), reference(text));
    }

    #[test]
    fn cache_overflow_keeps_results_right() {
        let mut a = analyzer();
        let mut text = String::new();
        for i in 0..(CACHE_ENTRIES + 50) {
            text.push_str(&format!("running{i}x "));
        }
        text.push_str("nations nationalities");
        let got = tokens(&mut a, &text);
        assert_eq!(got.len(), CACHE_ENTRIES + 52);
        assert_eq!(
            &got[got.len() - 2..],
            &reference("nations nationalities")[..]
        );
    }

    #[test]
    fn clones_start_cold_but_agree() {
        let mut a = analyzer();
        let _ = tokens(&mut a, "warming warmer warmest");
        let mut b = a.clone();
        assert_eq!(
            tokens(&mut b, "warming warmer warmest"),
            reference("warming warmer warmest")
        );
    }
}
