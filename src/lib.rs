//! riposte: extract claims and rebuttals from news text and pair them.
//!
//! The pipeline, one module per stage, each passing a small type on:
//! [`read`] (inputs → [`Article`]) → [`segment`] (paragraphs, quotes, sentences) →
//! [`attribute`] (speaker per sentence) → [`classify`] (disputes, [`Unit`]s) →
//! [`score`] (claim × rebuttal evidence) → [`pair`] (links, [`pair::Row`]s) → [`report`].
//! [`retrieve`] pairs two separate sources (claims from one, responses from the other) at scale.

// Short-lived tuples inside one stage read better inline than as named aliases.
#![allow(clippy::type_complexity)]

pub mod alloc;
pub mod article;
pub mod attribute;
pub mod benchdata;
pub mod chart;
pub mod classify;
pub mod config;
pub mod error;
pub mod eval;
pub mod extract;
pub mod html;
pub mod lexicon;
pub mod merge;
pub mod pair;
pub mod pipeline;
pub mod read;
pub mod report;
pub mod retrieve;
pub mod review;
pub mod score;
pub mod segment;
pub mod shard;
#[cfg(test)]
mod testrng;
pub mod text;
pub mod unit;
pub mod xlsx;

pub use article::Article;
pub use classify::Hints;
pub use lexicon::Lexicon;
pub use unit::{Role, Unit};
