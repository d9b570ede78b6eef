//! Arbitrary bytes through the whole library path a file takes: decode → extract → pair.
//! Any panic, overflow or hang here is a crash a batch run over scraped articles would hit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use riposte::pair::{pair_batch, PairOptions};
use riposte::read::{decode, ReadOptions};
use riposte::{Article, Hints, Lexicon};
use std::sync::OnceLock;

fn lex() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(Lexicon::builtin)
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks strict mode so both decode paths get explored.
    let strict = data.first().is_some_and(|b| b & 1 == 1);
    let opts = ReadOptions {
        strict,
        ..ReadOptions::default()
    };
    let Ok((text, _)) = decode(data, "fuzz", &opts) else {
        return;
    };
    let art = Article::new("fuzz", text);
    let Ok(ex) = riposte::extract::extract(&art, lex(), &Hints::default()) else {
        return;
    };
    let nchars = art.text.chars().count();
    for u in &ex.units {
        assert!(u.start <= u.end && u.end <= nchars, "unit range out of text");
    }
    let _ = pair_batch(&[("fuzz".to_string(), ex.units)], lex(), &PairOptions::default());
});
