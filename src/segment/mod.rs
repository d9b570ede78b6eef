//! Stage 2 — segment: paragraphs → quote spans → sentences, all as byte ranges into the
//! original text.

pub mod paragraphs;
pub mod quotes;
pub mod sentences;

pub use paragraphs::{ParaKind, Paragraph};
pub use quotes::Quote;
pub use sentences::Sentence;

use crate::error::InputIssue;
use crate::lexicon::Lexicon;

/// An article cut into its parts. Everything downstream indexes into these vectors.
#[derive(Debug, Clone, Default)]
pub struct Segmented {
    pub paragraphs: Vec<Paragraph>,
    pub quotes: Vec<Quote>,
    pub sentences: Vec<Sentence>,
    /// Unbalanced quote marks and the like; never fatal.
    pub warnings: Vec<InputIssue>,
}

pub fn segment(article_id: &str, text: &str, lex: &Lexicon) -> Segmented {
    let paragraphs = paragraphs::split(text, lex);
    let (quotes, warnings) = quotes::find(article_id, text, &paragraphs);
    let sentences = sentences::split(text, &paragraphs, &quotes, lex);
    Segmented {
        paragraphs,
        quotes,
        sentences,
        warnings,
    }
}
