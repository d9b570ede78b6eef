//! Runs the stages over a batch of articles in parallel. Output order never depends on
//! the thread count: articles are sorted by id before and results collected in that order.

use crate::article::Article;
use crate::classify::{Dispute, Hints};
use crate::error::InputIssue;
use crate::extract::{extract_with, Extraction, Limits};
use crate::lexicon::Lexicon;
use rayon::prelude::*;

#[derive(Debug, Clone)]
pub struct ArticleResult {
    pub id: String,
    pub origin: String,
    pub outcome: Result<Extraction, InputIssue>,
}

impl ArticleResult {
    pub fn disputes(&self) -> &[Dispute] {
        self.outcome
            .as_ref()
            .map(|e| e.disputes.as_slice())
            .unwrap_or(&[])
    }
}

/// Calls the progress callback when dropped, so every article counts however it ends.
struct Tick<'a>(&'a (dyn Fn() + Sync));

impl Drop for Tick<'_> {
    fn drop(&mut self) {
        (self.0)();
    }
}

pub fn extract_all(articles: &[Article], lex: &Lexicon, hints: &Hints) -> Vec<ArticleResult> {
    extract_all_with(articles, lex, hints, &Limits::default(), &|| {})
}

/// [`extract_all`] with explicit per-article caps, calling `done` once per article finished
/// (from worker threads) so a caller can drive a progress bar.
pub fn extract_all_with(
    articles: &[Article],
    lex: &Lexicon,
    hints: &Hints,
    limits: &Limits,
    done: &(dyn Fn() + Sync),
) -> Vec<ArticleResult> {
    articles
        .par_iter()
        .map(|a| {
            let _tick = Tick(done);
            extract_one(a, lex, hints, limits)
        })
        .collect()
}

/// Extracts one article. A panic in it must not take the batch down; it is reported as that
/// article's error instead.
pub fn extract_one(a: &Article, lex: &Lexicon, hints: &Hints, limits: &Limits) -> ArticleResult {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        extract_with(a, lex, hints, limits)
    }))
    .unwrap_or_else(|_| {
        Err(InputIssue::error(
            &a.origin,
            None,
            "internal",
            "internal error while extracting (please report this input)",
        ))
    });
    ArticleResult {
        id: a.id.clone(),
        origin: a.origin.clone(),
        outcome,
    }
}
