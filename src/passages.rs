//! TEMPORARY interface stub (replaced by the passages branch): passage types the search layer uses.

pub struct MatchSpec {
    pub terms: Vec<TermSpec>,
    pub phrases: Vec<PhraseSpec>,
}
pub struct TermSpec {
    pub token: String,
    pub idf: f32,
    pub fuzzy: u8,
    pub prefix: bool,
    pub variants: Vec<String>,
}
pub struct PhraseSpec {
    pub tokens: Vec<String>,
    pub idf: f32,
    pub slop: u32,
}
pub struct PassageOptions {
    pub per_article: usize,
    pub context: usize,
    pub all: bool,
    pub max_chars: usize,
}
pub struct Passage {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub highlights: Vec<(usize, usize)>,
    pub score: f32,
    pub ordinal: usize,
    pub heading: Option<String>,
}
pub struct CorpusStats {
    pub avg_passage_tokens: f32,
}
pub fn passages(
    body: &str,
    _spec: &MatchSpec,
    _opts: &PassageOptions,
    _s: &CorpusStats,
) -> Vec<Passage> {
    let end = body.find("\n\n").unwrap_or(body.len());
    vec![Passage {
        start: 0,
        end,
        text: body[..end].to_string(),
        highlights: vec![],
        score: 1.0,
        ordinal: 0,
        heading: None,
    }]
}
pub fn highlight(_text: &str, _spec: &MatchSpec) -> Vec<(usize, usize)> {
    vec![]
}
pub fn combined_score(article_score: f32, _rank: usize, passage_score: f32) -> f32 {
    article_score * passage_score
}
