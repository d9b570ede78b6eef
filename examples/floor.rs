//! The floor of the speed benchmark (bench/speed.sh): read the same inputs `riposte pair`
//! reads, with the same reader, and split every article into words with riposte's own
//! tokenizer — and nothing else. `pair` cannot be faster than this; its time is reported as a
//! multiple of it.
//!
//!   cargo run --release --example floor -- INPUT... [--threads N]

use rayon::prelude::*;

// The allocator `riposte` itself runs on: on glibc's malloc this floor spent half its
// instructions allocating and freeing the tokens' norms, and was slower than it should be.
#[global_allocator]
static GLOBAL: riposte::alloc::Mimalloc = riposte::alloc::Mimalloc;

fn main() {
    riposte::alloc::lean_memory();
    let mut inputs = Vec::new();
    let mut threads = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--threads" {
            threads = args.next().and_then(|n| n.parse::<usize>().ok());
        } else {
            inputs.push(a);
        }
    }
    if let Some(t) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t.max(1))
            .build_global()
            .ok();
    }
    let started = std::time::Instant::now();
    let batch = riposte::read::read_inputs(&inputs, &Default::default());
    let words: usize = batch
        .articles
        .par_iter()
        .map(|a| {
            let normed = riposte::text::Normed::new(&a.text);
            riposte::text::tokenize(&normed, 0, a.text.len()).len()
        })
        .sum();
    eprintln!(
        "floor: {} articles, {} words, {:.3}s",
        batch.articles.len(),
        words,
        started.elapsed().as_secs_f64()
    );
}
