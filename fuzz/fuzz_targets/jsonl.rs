//! Arbitrary text as JSON Lines records: the reader's Value-free way (`simple_record` and
//! `json_string` in `src/read.rs`) must read every line exactly as the serde_json Value way
//! does (same articles, issues and counts), and neither may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for line in text.lines() {
        let (fast, slow) = riposte::read::jsonl_line_both_ways(line);
        assert_eq!(fast, slow, "{line:?}");
    }
});
