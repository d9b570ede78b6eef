//! Stage 1a — read: turn command-line inputs (files, directories, `-`, JSONL, CSV) into
//! [`Article`]s, decoding bytes robustly and reporting every input that cannot be used.

use crate::article::Article;
use crate::error::InputIssue;
use crate::shard::Shard;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Default cap on one article's size; above it the article is reported, not half-processed.
pub const DEFAULT_MAX_ARTICLE_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct ReadOptions {
    pub max_article_bytes: usize,
    /// Turn repaired encodings into errors.
    pub strict: bool,
    /// Keep only the articles (and the problems) this shard owns; see [`crate::shard`].
    pub shard: Option<Shard>,
}

impl ReadOptions {
    /// Whether this worker owns `key`: an article id, or the input name when a problem
    /// concerns no known article. Every article and every problem belongs to exactly one
    /// shard, so summed shard stats and concatenated error files equal a single run's.
    pub fn owns(&self, key: &str) -> bool {
        self.shard.is_none_or(|s| s.owns(key))
    }
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_article_bytes: DEFAULT_MAX_ARTICLE_BYTES,
            strict: false,
            shard: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Jsonl,
    Csv,
}

/// One thing to read: a file (with the id it gives its article) or standard input.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: Option<PathBuf>,
    /// Shown in messages.
    pub display: String,
    pub id: String,
    pub format: Format,
}

/// Everything read from the inputs: articles plus an account of what could not be read.
#[derive(Debug, Default)]
pub struct Batch {
    pub articles: Vec<Article>,
    pub issues: Vec<InputIssue>,
    /// Inputs (files, lines, records) that yielded no article.
    pub failed: usize,
    /// Inputs seen: every file, non-blank JSONL line and CSV record, plus every path or
    /// directory entry that could not be opened. Counted on its own so that
    /// `given == articles + failed` checks that nothing was dropped silently.
    pub given: usize,
}

/// `ELOOP`: the OS refused a path because its symbolic links go round in a circle.
fn is_symlink_loop(e: &std::io::Error) -> bool {
    let eloop = if cfg!(target_os = "linux") {
        Some(40)
    } else if cfg!(any(
        target_os = "macos",
        target_os = "freebsd",
        target_os = "ios"
    )) {
        Some(62)
    } else {
        None
    };
    eloop.is_some() && e.raw_os_error() == eloop
}

fn format_of(path: &Path) -> Format {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("jsonl") | Some("ndjson") => Format::Jsonl,
        Some("csv") => Format::Csv,
        _ => Format::Text,
    }
}

fn id_of(rel: &Path) -> String {
    let no_ext = rel.with_extension("");
    no_ext
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Expands the inputs into sources. Directories are walked recursively for .txt/.md (and
/// .jsonl/.csv) files in sorted order; problems are pushed to `issues` and counted in
/// `failed` (one per path that yields no source).
pub fn discover(
    inputs: &[String],
    issues: &mut Vec<InputIssue>,
    failed: &mut usize,
) -> Vec<Source> {
    let mut out = Vec::new();
    for r in Discover::new(inputs) {
        match r {
            Ok(s) => out.push(s),
            Err(i) => {
                issues.push(i);
                *failed += 1;
            }
        }
    }
    out
}

/// [`discover`] one source (or problem) at a time, in the same order: a streamed run walks
/// its inputs this way so that a directory of any size is never listed in memory (issue 7).
#[derive(Debug)]
pub struct Discover {
    inputs: Vec<String>,
    next: usize,
    walk: Option<Walk>,
}

struct Walk {
    it: walkdir::IntoIter,
    root: PathBuf,
    input: String,
    found: usize,
}

impl std::fmt::Debug for Walk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Walk").field("input", &self.input).finish()
    }
}

impl Discover {
    pub fn new(inputs: &[String]) -> Self {
        Discover {
            inputs: inputs.to_vec(),
            next: 0,
            walk: None,
        }
    }
}

impl Iterator for Discover {
    type Item = Result<Source, InputIssue>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(w) = &mut self.walk {
                match w.it.next() {
                    Some(Err(e)) => {
                        let where_ = e
                            .path()
                            .map(|p| p.display().to_string())
                            .unwrap_or_else(|| w.input.clone());
                        let kind = if e.loop_ancestor().is_some()
                            || e.io_error().is_some_and(is_symlink_loop)
                        {
                            "symlink-loop"
                        } else {
                            "unreadable"
                        };
                        return Some(Err(InputIssue::error(where_, None, kind, e.to_string())));
                    }
                    Some(Ok(entry)) => {
                        if !entry.file_type().is_file() {
                            continue;
                        }
                        let p = entry.path();
                        let ext = p
                            .extension()
                            .and_then(|e| e.to_str())
                            .map(|e| e.to_ascii_lowercase());
                        if !matches!(
                            ext.as_deref(),
                            Some("txt") | Some("md") | Some("jsonl") | Some("ndjson") | Some("csv")
                        ) {
                            continue;
                        }
                        let rel = p.strip_prefix(&w.root).unwrap_or(p);
                        w.found += 1;
                        return Some(Ok(Source {
                            path: Some(p.to_path_buf()),
                            display: p.display().to_string(),
                            id: id_of(rel),
                            format: format_of(p),
                        }));
                    }
                    None => {
                        let done = self.walk.take()?;
                        if done.found == 0 {
                            return Some(Err(InputIssue::error(
                                done.input,
                                None,
                                "empty-directory",
                                "no .txt, .md, .jsonl or .csv files found",
                            )));
                        }
                        continue;
                    }
                }
            }
            let input = self.inputs.get(self.next)?.clone();
            self.next += 1;
            let input = &input;
            if input == "-" {
                return Some(Ok(Source {
                    path: None,
                    display: "<stdin>".into(),
                    id: "stdin".into(),
                    format: Format::Text,
                }));
            }
            let path = PathBuf::from(input);
            let meta = match std::fs::metadata(&path) {
                Ok(m) => m,
                Err(e) => {
                    let kind = if is_symlink_loop(&e) {
                        "symlink-loop"
                    } else {
                        "unreadable"
                    };
                    return Some(Err(InputIssue::error(
                        input.clone(),
                        None,
                        kind,
                        format!("cannot open: {e}"),
                    )));
                }
            };
            if meta.is_dir() {
                self.walk = Some(Walk {
                    it: walkdir::WalkDir::new(&path)
                        .follow_links(true)
                        .sort_by_file_name()
                        .into_iter(),
                    root: path,
                    input: input.clone(),
                    found: 0,
                });
                continue;
            }
            let id = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| input.clone());
            return Some(Ok(Source {
                format: format_of(&path),
                path: Some(path),
                display: input.clone(),
                id,
            }));
        }
    }
}

/// `std::str::from_utf8(b).ok()`, checked by encoding_rs, which hands inputs of 64 bytes or
/// more to simdutf8 (AVX2 or SSE 4.2, as the CPU has them): std's check goes a word at a
/// time only through ASCII, and news text has a curly quote or a dash every few words. Every
/// line of a JSON Lines input is checked twice (issue 7).
fn utf8(b: &[u8]) -> Option<&str> {
    if encoding_rs::Encoding::utf8_valid_up_to(b) == b.len() {
        // SAFETY: checked to be UTF-8 just above.
        Some(unsafe { std::str::from_utf8_unchecked(b) })
    } else {
        None
    }
}

/// Decodes bytes: UTF-8 (BOM stripped), UTF-16 with BOM, else Windows-1252 with a warning.
/// Binary data (NUL bytes outside UTF-16) is refused. Every repair is reported with the byte
/// offset (from the start of the input, BOM included) of the first bad sequence; `strict`
/// turns repairs into errors.
pub fn decode(
    bytes: &[u8],
    display: &str,
    opts: &ReadOptions,
) -> Result<(String, Option<InputIssue>), InputIssue> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return decode_8bit(rest, 3, display, opts);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let le = bytes[0] == 0xFF;
        let enc = if le {
            encoding_rs::UTF_16LE
        } else {
            encoding_rs::UTF_16BE
        };
        let (text, _) = enc.decode_without_bom_handling(&bytes[2..]);
        let Some((off, line)) = utf16_error_offset(&bytes[2..], le) else {
            return Ok((text.into_owned(), None));
        };
        let off = off + 2;
        if opts.strict {
            return Err(InputIssue::error(
                display,
                Some(line),
                "encoding",
                format!("invalid UTF-16 at byte offset {off} (--strict)"),
            ));
        }
        return Ok((
            text.into_owned(),
            Some(InputIssue::warning(
                display,
                Some(line),
                "encoding",
                format!("invalid UTF-16 at byte offset {off}; replaced with U+FFFD"),
            )),
        ));
    }
    decode_8bit(bytes, 0, display, opts)
}

/// Byte offset (in `body`, after the BOM) and line of the first unpaired surrogate or odd
/// final byte.
fn utf16_error_offset(body: &[u8], le: bool) -> Option<(usize, usize)> {
    let units = body.chunks_exact(2).map(|c| {
        if le {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    let (mut off, mut line) = (0, 1);
    for r in char::decode_utf16(units) {
        match r {
            Ok(c) => {
                off += 2 * c.len_utf16();
                line += usize::from(c == '\n');
            }
            Err(_) => return Some((off, line)),
        }
    }
    (body.len() % 2 == 1).then(|| (body.len() - 1, line))
}

/// UTF-8, else Windows-1252 or replacement characters. `base` is the length of a stripped BOM,
/// so reported offsets count from the start of the input.
fn decode_8bit(
    bytes: &[u8],
    base: usize,
    display: &str,
    opts: &ReadOptions,
) -> Result<(String, Option<InputIssue>), InputIssue> {
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(InputIssue::error(
            display,
            None,
            "binary",
            format!(
                "binary data (NUL byte at offset {}); not a text file",
                base + pos
            ),
        ));
    }
    if let Some(s) = utf8(bytes) {
        return Ok((s.to_string(), None));
    }
    // Not UTF-8 (found above by the fast check): std's check says where the first bad
    // sequence is, for the report. Its `Ok` arm is kept for a check that disagrees.
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_string(), None)),
        Err(e) => {
            let off = base + e.valid_up_to();
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            if opts.strict {
                return Err(InputIssue::error(
                    display,
                    Some(line),
                    "encoding",
                    format!("invalid UTF-8 at byte offset {off} (--strict)"),
                ));
            }
            // Windows-1252 maps every byte but five; when those are absent it is the likely
            // encoding of a non-UTF-8 news text, otherwise fall back to replacement characters.
            let (text, _, had_errors) = encoding_rs::WINDOWS_1252.decode(bytes);
            let fits = !had_errors
                && !bytes
                    .iter()
                    .any(|b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D));
            if fits {
                Ok((
                    text.into_owned(),
                    Some(InputIssue::warning(
                        display,
                        Some(line),
                        "encoding",
                        format!("invalid UTF-8 at byte offset {off}; decoded as Windows-1252"),
                    )),
                ))
            } else {
                let lossy = String::from_utf8_lossy(bytes).into_owned();
                Ok((
                    lossy,
                    Some(InputIssue::warning(
                        display,
                        Some(line),
                        "encoding",
                        format!("invalid UTF-8 at byte offset {off}; replaced with U+FFFD"),
                    )),
                ))
            }
        }
    }
}

/// What [`read_bytes`] reads of a file before it asks the file's size.
const FIRST_READ: usize = 32 << 10;

fn read_bytes(src: &Source) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    match &src.path {
        Some(p) => {
            // An article fits the first read, and the read after it finds the end: open, two
            // reads, close. `File::read_to_end` first asks the file's size and position (statx
            // and lseek), two calls more for each of a directory's files (issue 7: ~1.5 % of a
            // run over 10,000 files). A larger file is read on with its size asked.
            let mut f = std::fs::File::open(p)?;
            buf.reserve_exact(FIRST_READ);
            (&mut f).take(FIRST_READ as u64).read_to_end(&mut buf)?;
            if buf.len() == FIRST_READ {
                f.read_to_end(&mut buf)?;
            }
        }
        None => {
            std::io::stdin().lock().read_to_end(&mut buf)?;
        }
    }
    Ok(buf)
}

/// Reads one source into zero or more articles, pushing problems into `batch`.
pub fn load(src: &Source, opts: &ReadOptions, batch: &mut Batch) {
    // A text file is one article whose id is known from its path: another shard's file is
    // not even opened.
    if src.path.is_some() && src.format == Format::Text && !opts.owns(&src.id) {
        return;
    }
    let before = (batch.given, batch.articles.len(), batch.failed);
    load_source(src, opts, batch);
    // A shard that owns none of a JSONL/CSV file's records has nothing to account for.
    let untouched = (batch.articles.len(), batch.failed) == (before.1, before.2);
    if batch.given == before.0 && !(opts.shard.is_some() && untouched) {
        // A text file, or a JSONL/CSV file that failed as a whole or held no records: one
        // input either way.
        batch.given += 1;
        if (batch.articles.len(), batch.failed) == (before.1, before.2) {
            // Only a JSONL/CSV file with no records gets here; it must not vanish unreported.
            batch.issues.push(InputIssue::error(
                &src.display,
                None,
                "empty",
                "no records (only blank lines or a header)",
            ));
            batch.failed += 1;
        }
    }
}

fn load_source(src: &Source, opts: &ReadOptions, batch: &mut Batch) {
    let bytes = match read_bytes(src) {
        Ok(b) => b,
        Err(e) => {
            let key = if src.path.is_some() && src.format == Format::Text {
                &src.id
            } else {
                &src.display
            };
            if opts.owns(key) {
                batch.issues.push(InputIssue::error(
                    &src.display,
                    None,
                    "unreadable",
                    format!("cannot read: {e}"),
                ));
                batch.failed += 1;
            }
            return;
        }
    };
    let fmt = if src.path.is_none() {
        sniff(&bytes)
    } else {
        src.format
    };
    // Problems with the file as a whole belong to its article (text) or to the file's name
    // (JSONL, CSV: many articles, each filtered by its own id below).
    let owns_file = opts.owns(if fmt == Format::Text {
        &src.id
    } else {
        &src.display
    });
    if fmt == Format::Text && !owns_file {
        return;
    }
    if fmt == Format::Text && bytes.len() > opts.max_article_bytes {
        batch.issues.push(InputIssue::error(
            &src.display,
            None,
            "too-large",
            format!(
                "{} bytes exceeds --max-article-bytes {}",
                bytes.len(),
                opts.max_article_bytes
            ),
        ));
        batch.failed += 1;
        return;
    }
    let text = match decode(&bytes, &src.display, opts) {
        Ok((t, warn)) => {
            batch.issues.extend(warn.filter(|_| owns_file));
            t
        }
        Err(issue) => {
            if owns_file {
                batch.issues.push(issue);
                batch.failed += 1;
            }
            return;
        }
    };
    drop(bytes);
    match fmt {
        Format::Text => push_article(
            batch,
            Article {
                id: src.id.clone(),
                text,
                origin: src.display.clone(),
                ..Default::default()
            },
            opts,
        ),
        Format::Jsonl => load_jsonl(&text, &src.display, opts, batch),
        Format::Csv => load_csv(&text, &src.display, opts, batch),
    }
}

/// Standard input carries no extension: a first non-blank line that is a JSON object means JSONL.
fn sniff(bytes: &[u8]) -> Format {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let first = head
        .trim_start_matches('\u{feff}')
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    if first.trim_start().starts_with('{') {
        Format::Jsonl
    } else {
        Format::Text
    }
}

fn push_article(batch: &mut Batch, art: Article, opts: &ReadOptions) {
    let facts = TextFacts::of(&art.text);
    push_judged(batch, art, facts, opts);
}

/// [`push_article`] judging the text by `facts`, which are the text's own unless the text
/// was left out (a plan's first pass, which keeps only ids).
fn push_judged(batch: &mut Batch, art: Article, facts: TextFacts, opts: &ReadOptions) {
    if !opts.owns(&art.id) {
        return;
    }
    // one input (file, line or record) given to this worker
    batch.given += 1;
    if facts.blank {
        batch
            .issues
            .push(InputIssue::error(&art.origin, None, "empty", "empty text"));
        batch.failed += 1;
    } else if facts.len > opts.max_article_bytes {
        batch.issues.push(InputIssue::error(
            &art.origin,
            None,
            "too-large",
            format!(
                "{} bytes exceeds --max-article-bytes {}",
                facts.len, opts.max_article_bytes
            ),
        ));
        batch.failed += 1;
    } else {
        batch.articles.push(art);
    }
}

fn json_str(v: &serde_json::Value, key: &str) -> Option<String> {
    match v.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn load_jsonl(text: &str, display: &str, opts: &ReadOptions, batch: &mut Batch) {
    for (i, line) in text.lines().enumerate() {
        jsonl_line(line, i + 1, display, opts, batch);
    }
}

/// JSON's four whitespace bytes from `i` on.
fn skip_json_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// What judging an article's text asks of it (see [`push_judged`]): its length and whether
/// it is blank (`trim().is_empty()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TextFacts {
    len: usize,
    blank: bool,
}

impl TextFacts {
    fn of(text: &str) -> Self {
        TextFacts {
            len: text.len(),
            blank: text.trim().is_empty(),
        }
    }
}

/// Where a decoded JSON string goes: built as a `String`, or only measured
/// ([`TextFacts`]) where the plan's first pass needs no more of an article's text than
/// that. Building every text there only to drop it was a copy of the whole input.
trait JsonText: Sized {
    /// A string without escapes.
    fn whole(s: &str) -> Self;
    /// An empty string, to hold the decoded pieces of one with escapes: `room` bytes at
    /// most (decoding never lengthens).
    fn with_room(room: usize) -> Self;
    fn push_piece(&mut self, s: &str);
    fn push_char(&mut self, c: char);
    /// Takes in the plain bytes of `line` from `i` (after an escape) up to the next stop
    /// (see [`string_stop`]), and returns where that is.
    fn run(&mut self, line: &str, i: usize) -> Option<usize> {
        let k = string_stop(line.as_bytes(), i)?;
        self.push_piece(line.get(i..k)?);
        Some(k)
    }
    /// The string is complete.
    fn done(&mut self) {}
    /// The article's text and its facts.
    fn text(self) -> (String, TextFacts);
    /// A member other than the text (title, date, source), if kept.
    fn field(self) -> Option<String>;
}

impl JsonText for String {
    fn whole(s: &str) -> Self {
        s.to_string()
    }
    fn with_room(room: usize) -> Self {
        String::with_capacity(room)
    }
    fn push_piece(&mut self, s: &str) {
        self.push_str(s);
    }
    fn push_char(&mut self, c: char) {
        self.push(c);
    }
    /// Copies each block of sixteen bytes as it is scanned, and keeps the bytes up to the
    /// stop: a text is a hundred-byte piece between each two `\n` escapes, and a search
    /// and then a copy of each piece read every byte twice and paid for a call to `memcpy`
    /// (three quarters of decoding a text).
    #[cfg(target_arch = "x86_64")]
    fn run(&mut self, line: &str, mut i: usize) -> Option<usize> {
        use core::arch::x86_64::*;
        let b = line.as_bytes();
        // SAFETY: the bytes kept are those of `line` from `i` to a stop, which is ASCII, so
        // they end at a character boundary and the string stays UTF-8 (bytes past its
        // length may be written, not kept). Room: the string has room for the rest of the
        // line (made sure of first; `with_room` gave it already, as an escape stands for no
        // more bytes than its own), and each block written takes as many bytes of the line
        // as of the room, so a block at the string's end fits while `i + 16` is within the
        // line.
        unsafe {
            let out = self.as_mut_vec();
            if out.capacity() - out.len() < b.len() - i {
                out.reserve(b.len() - i);
            }
            let (dst, mut len) = (out.as_mut_ptr(), out.len());
            while i + 16 <= b.len() {
                let v = _mm_loadu_si128(b.as_ptr().add(i) as *const __m128i);
                _mm_storeu_si128(dst.add(len) as *mut __m128i, v);
                let bits = stop_mask(v);
                if bits != 0 {
                    let t = bits.trailing_zeros() as usize;
                    out.set_len(len + t);
                    return Some(i + t);
                }
                len += 16;
                i += 16;
            }
            // Fewer than sixteen bytes are left: string_stop's byte-wise tail.
            let k = string_stop(b, i)?;
            std::ptr::copy_nonoverlapping(b.as_ptr().add(i), dst.add(len), k - i);
            out.set_len(len + k - i);
            Some(k)
        }
    }
    fn done(&mut self) {
        if self.capacity() > 2 * self.len() + 64 {
            self.shrink_to_fit();
        }
    }
    fn text(self) -> (String, TextFacts) {
        let facts = TextFacts::of(&self);
        (self, facts)
    }
    fn field(self) -> Option<String> {
        Some(self)
    }
}

impl JsonText for TextFacts {
    fn whole(s: &str) -> Self {
        TextFacts::of(s)
    }
    fn with_room(_: usize) -> Self {
        TextFacts::of("")
    }
    fn push_piece(&mut self, s: &str) {
        self.len += s.len();
        // Once a character is not whitespace, the rest need not be read.
        self.blank = self.blank && s.trim().is_empty();
    }
    fn push_char(&mut self, c: char) {
        self.len += c.len_utf8();
        self.blank = self.blank && c.is_whitespace();
    }
    fn text(self) -> (String, TextFacts) {
        (String::new(), self)
    }
    fn field(self) -> Option<String> {
        None
    }
}

/// The bytes of `v` that end a run of a JSON string's plain bytes (see [`string_stop`]), as
/// bits.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn stop_mask(v: core::arch::x86_64::__m128i) -> u32 {
    use core::arch::x86_64::*;
    // SAFETY: SSE2 is baseline on x86_64.
    unsafe {
        // A control byte is its own minimum with 0x1F, unsigned.
        let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
        let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)) as u32
    }
}

/// The first byte of `b` at or after `i` that ends a run of a JSON string's plain bytes: a
/// quote, a backslash or a control byte (below 0x20, which JSON forbids raw). Sixteen bytes
/// at a time with SSE2 (part of every x86_64): a search for the quote and the backslash and
/// a check of the bytes before it for control bytes read every byte twice, and most strings
/// are pieces of a hundred bytes between `\n` escapes, where the calls cost as much.
fn string_stop(b: &[u8], mut i: usize) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is baseline on x86_64; each load reads bytes i..i+16, inside `b`.
    unsafe {
        use core::arch::x86_64::*;
        while i + 16 <= b.len() {
            let bits = stop_mask(_mm_loadu_si128(b.as_ptr().add(i) as *const __m128i));
            if bits != 0 {
                return Some(i + bits.trailing_zeros() as usize);
            }
            i += 16;
        }
    }
    b.get(i..)?
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .map(|p| i + p)
}

/// The JSON string that starts at byte `start` of `line` (at its opening quote), decoded,
/// and the byte after its closing quote. `None` for a byte JSON forbids in a string, an
/// unknown escape or a surrogate escape that is not a pair: cases left to serde_json.
fn json_string<T: JsonText>(line: &str, start: usize) -> Option<(T, usize)> {
    let b = line.as_bytes();
    if b.get(start) != Some(&b'"') {
        return None;
    }
    let hex4 = |h: &[u8]| -> Option<u32> {
        h.iter()
            .try_fold(0u32, |v, &c| Some(v * 16 + (c as char).to_digit(16)?))
    };
    let mut i = start + 1;
    let mut k = string_stop(b, i)?;
    if b[k] < 0x20 {
        return None;
    }
    // `i` follows a quote and `k` is at one or at an escape: both are character bounds.
    if b[k] == b'"' {
        return Some((T::whole(&line[i..k]), k + 1));
    }
    let mut out = T::with_room(b.len() - i);
    out.push_piece(&line[i..k]);
    loop {
        // At an escape.
        i = k + 2;
        match *b.get(k + 1)? {
            b'"' => out.push_char('"'),
            b'\\' => out.push_char('\\'),
            b'/' => out.push_char('/'),
            b'b' => out.push_char('\u{8}'),
            b'f' => out.push_char('\u{c}'),
            b'n' => out.push_char('\n'),
            b'r' => out.push_char('\r'),
            b't' => out.push_char('\t'),
            b'u' => {
                let hi = hex4(b.get(k + 2..k + 6)?)?;
                i = k + 6;
                let c = if (0xD800..0xDC00).contains(&hi) {
                    if b.get(i..i + 2)? != b"\\u" {
                        return None;
                    }
                    let lo = hex4(b.get(i + 2..i + 6)?)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return None;
                    }
                    i += 6;
                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                } else {
                    // A lone low surrogate has no char.
                    char::from_u32(hi)?
                };
                out.push_char(c);
            }
            _ => return None,
        }
        k = out.run(line, i)?;
        if b[k] < 0x20 {
            return None;
        }
        if b[k] == b'"' {
            out.done();
            return Some((out, k + 1));
        }
    }
}

/// The `id`, `text`, `title`, `date` and `source` of a JSON Lines record in its common shape,
/// read without serde_json: an object of string members under distinct keys among those
/// five, written without escapes. `None` for any other line (other keys or values, repeated
/// keys, anything `json_string` leaves alone, malformed JSON), which the Value way reads as
/// before. Parsing every line into a Value a byte at a time and copying the text out of it
/// was most of reading, and every line is read twice (the plan's first pass and its batch).
/// The id is always decoded; the other four as `T` asks.
#[allow(clippy::type_complexity)]
fn simple_record<T: JsonText>(line: &str) -> Option<(Option<String>, [Option<T>; 4])> {
    let b = line.as_bytes();
    let mut i = skip_json_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_json_ws(b, i + 1);
    let mut id: Option<String> = None;
    let mut fields: [Option<T>; 4] = [None, None, None, None];
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let key_end = i + 1 + memchr::memchr2(b'"', b'\\', &b[i + 1..])?;
        let slot = match &b[i + 1..key_end] {
            b"id" => 0,
            b"text" => 1,
            b"title" => 2,
            b"date" => 3,
            b"source" => 4,
            _ => return None,
        };
        let taken = if slot == 0 {
            id.is_some()
        } else {
            fields[slot - 1].is_some()
        };
        if b[key_end] != b'"' || taken {
            return None;
        }
        i = skip_json_ws(b, key_end + 1);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let at = skip_json_ws(b, i + 1);
        let next = if slot == 0 {
            let (value, next) = json_string(line, at)?;
            id = Some(value);
            next
        } else {
            let (value, next) = json_string(line, at)?;
            fields[slot - 1] = Some(value);
            next
        };
        i = skip_json_ws(b, next);
        match b.get(i) {
            Some(b',') => i = skip_json_ws(b, i + 1),
            Some(b'}') => break,
            _ => return None,
        }
    }
    (skip_json_ws(b, i + 1) == b.len()).then_some((id, fields))
}

fn jsonl_line(line: &str, lineno: usize, display: &str, opts: &ReadOptions, batch: &mut Batch) {
    jsonl_line_as::<String>(line, lineno, display, opts, batch);
}

/// [`jsonl_line`], with the text (and title, date and source) of a line [`simple_record`]
/// reads kept as `T` keeps them: the issues and counts are the same either way, and an
/// article without its text is all the plan's first pass needs.
fn jsonl_line_as<T: JsonText>(
    line: &str,
    lineno: usize,
    display: &str,
    opts: &ReadOptions,
    batch: &mut Batch,
) {
    if line.trim().is_empty() {
        return;
    }
    let origin = format!("{display}:{lineno}");
    if let Some((id, [Some(text), title, date, source])) = simple_record::<T>(line) {
        let (text, facts) = text.text();
        let fields = [title, date, source].map(|f| f.and_then(T::field));
        push_record(
            batch, opts, display, lineno, origin, id, text, facts, fields,
        );
        return;
    }
    jsonl_value(line, lineno, origin, display, opts, batch)
}

/// One JSON Lines line read both ways, [`jsonl_line`] (which takes the Value-free way when it
/// can) and [`jsonl_value`], as what each put in a batch (articles, issues, counts), for the
/// fuzz target `jsonl` to compare. Not for other use.
#[doc(hidden)]
pub fn jsonl_line_both_ways(line: &str) -> (String, String) {
    let opts = ReadOptions::default();
    let (mut fast, mut slow) = (Batch::default(), Batch::default());
    jsonl_line(line, 1, "fuzz", &opts, &mut fast);
    if !line.trim().is_empty() {
        jsonl_value(line, 1, "fuzz:1".to_string(), "fuzz", &opts, &mut slow);
    }
    (format!("{fast:?}"), format!("{slow:?}"))
}

/// [`jsonl_line`] through a `serde_json::Value`: every line [`simple_record`] leaves alone,
/// and the reference it is tested against.
fn jsonl_value(
    line: &str,
    lineno: usize,
    origin: String,
    display: &str,
    opts: &ReadOptions,
    batch: &mut Batch,
) {
    let v: serde_json::Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => {
            if !opts.owns(&origin) {
                return;
            }
            batch.given += 1;
            batch.issues.push(InputIssue::error(
                display,
                Some(lineno),
                "malformed-json",
                e.to_string(),
            ));
            batch.failed += 1;
            return;
        }
    };
    let Some(text) = v.get("text").and_then(|t| t.as_str()) else {
        if !opts.owns(&json_str(&v, "id").unwrap_or_else(|| origin.clone())) {
            return;
        }
        batch.given += 1;
        batch.issues.push(InputIssue::error(
            display,
            Some(lineno),
            "missing-field",
            "no string field `text`",
        ));
        batch.failed += 1;
        return;
    };
    let fields = [
        json_str(&v, "title"),
        json_str(&v, "date"),
        json_str(&v, "source"),
    ];
    let id = json_str(&v, "id");
    let facts = TextFacts::of(text);
    push_record(
        batch,
        opts,
        display,
        lineno,
        origin,
        id,
        text.to_string(),
        facts,
        fields,
    );
}

/// A JSON Lines record's article, however it was read: named `line{lineno}` (with a
/// warning) when it has no `id`, and left to another shard when this one does not own it.
#[allow(clippy::too_many_arguments)]
fn push_record(
    batch: &mut Batch,
    opts: &ReadOptions,
    display: &str,
    lineno: usize,
    origin: String,
    id: Option<String>,
    text: String,
    facts: TextFacts,
    [title, date, source]: [Option<String>; 3],
) {
    let (id, named) = match id {
        Some(id) => (id, true),
        None => (format!("line{lineno}"), false),
    };
    if !opts.owns(&id) {
        return;
    }
    if !named {
        batch.issues.push(InputIssue::warning(
            display,
            Some(lineno),
            "missing-field",
            format!("no `id`; using {id}"),
        ));
    }
    let art = Article {
        id,
        text,
        title,
        date,
        source,
        origin,
    };
    push_judged(batch, art, facts, opts);
}

fn load_csv(text: &str, display: &str, opts: &ReadOptions, batch: &mut Batch) {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match rdr.headers() {
        Ok(h) if h.is_empty() => return,
        Ok(h) => h.clone(),
        Err(e) => {
            if !opts.owns(display) {
                return;
            }
            batch.issues.push(InputIssue::error(
                display,
                Some(1),
                "malformed-csv",
                e.to_string(),
            ));
            batch.failed += 1;
            return;
        }
    };
    let col = |name: &str| {
        headers.iter().position(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(name)
        })
    };
    let (Some(id_col), Some(text_col)) = (col("id"), col("text")) else {
        if !opts.owns(display) {
            return;
        }
        batch.issues.push(InputIssue::error(
            display,
            Some(1),
            "missing-field",
            "CSV needs `id` and `text` columns",
        ));
        batch.failed += 1;
        return;
    };
    let (title_col, date_col, source_col) = (col("title"), col("date"), col("source"));
    for rec in rdr.records() {
        match rec {
            Ok(r) => {
                let lineno = r.position().map(|p| p.line() as usize).unwrap_or(0);
                let get = |c: Option<usize>| {
                    c.and_then(|c| r.get(c))
                        .map(str::to_string)
                        .filter(|s| !s.is_empty())
                };
                let Some(text) = r.get(text_col) else {
                    let key = r
                        .get(id_col)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("{display}:{lineno}"));
                    if !opts.owns(&key) {
                        continue;
                    }
                    batch.given += 1;
                    batch.issues.push(InputIssue::error(
                        display,
                        Some(lineno),
                        "missing-field",
                        "record has no `text` cell",
                    ));
                    batch.failed += 1;
                    continue;
                };
                let id = r
                    .get(id_col)
                    .map(str::to_string)
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| format!("line{lineno}"));
                let art = Article {
                    id,
                    text: text.to_string(),
                    title: get(title_col),
                    date: get(date_col),
                    source: get(source_col),
                    origin: format!("{display}:{lineno}"),
                };
                push_article(batch, art, opts);
            }
            Err(e) => {
                let lineno = e.position().map(|p| p.line() as usize);
                let key = format!("{display}:{}", lineno.unwrap_or(0));
                if !opts.owns(&key) {
                    continue;
                }
                batch.given += 1;
                batch.issues.push(InputIssue::error(
                    display,
                    lineno,
                    "malformed-csv",
                    e.to_string(),
                ));
                batch.failed += 1;
            }
        }
    }
}

/// Reads the next JSON Lines batch from a stream: lines until `max` articles (or the end),
/// so that standard input of any length is processed in bounded memory. `lineno` carries the
/// line count across calls. `None` once the stream is exhausted. Articles are not sorted:
/// the caller decides the order of a batch.
pub fn read_jsonl_batch(
    r: &mut dyn std::io::BufRead,
    display: &str,
    opts: &ReadOptions,
    lineno: &mut usize,
    max: usize,
) -> std::io::Result<Option<Batch>> {
    let mut batch = Batch::default();
    let mut buf = Vec::new();
    let mut any = false;
    while batch.articles.len() < max.max(1) {
        buf.clear();
        if r.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        any = true;
        *lineno += 1;
        let mut raw = &buf[..];
        if *lineno == 1 {
            raw = raw.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(raw);
        }
        let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let line = match utf8(raw) {
            Some(s) => std::borrow::Cow::Borrowed(s),
            None => {
                // Decoded line by line: the whole stream is never in memory to judge at once.
                let origin = format!("{display}:{lineno}");
                match decode(raw, display, opts) {
                    Ok((t, warn)) => {
                        if opts.owns(&origin) {
                            batch.issues.extend(warn.map(|mut w| {
                                w.line = Some(*lineno);
                                w
                            }));
                        }
                        std::borrow::Cow::Owned(t)
                    }
                    Err(mut issue) => {
                        if opts.owns(&origin) {
                            issue.line = Some(*lineno);
                            batch.issues.push(issue);
                            batch.failed += 1;
                        }
                        continue;
                    }
                }
            }
        };
        jsonl_line(&line, *lineno, display, opts, &mut batch);
    }
    Ok(any.then_some(batch))
}

/// Whether buffered stream content looks like JSON Lines (see [`sniff`]).
pub fn looks_like_jsonl(head: &[u8]) -> bool {
    sniff(head) == Format::Jsonl
}

/// Reads every input. Articles are sorted by id (then origin) so reports do not depend on the
/// order inputs were given in.
pub fn read_inputs(inputs: &[String], opts: &ReadOptions) -> Batch {
    let mut batch = Batch::default();
    let sources = discover(inputs, &mut batch.issues, &mut batch.failed);
    if opts.shard.is_some() {
        // Each failed input pushed exactly one error; keep those named by this shard's inputs.
        batch.issues.retain(|i| opts.owns(&i.input));
        batch.failed = batch.issues.len();
    }
    // Each path that yielded no source is one input given and failed.
    batch.given = batch.failed;
    for src in &sources {
        load(src, opts, &mut batch);
    }
    debug_assert_eq!(
        batch.given,
        batch.articles.len() + batch.failed,
        "an input was dropped without an article or an issue"
    );
    batch
        .articles
        .sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.origin.cmp(&b.origin)));
    batch
}

/// Where a planned article is read from in the second pass of [`plan_inputs`].
#[derive(Debug)]
enum Loc {
    /// A text file: one article, read (and its problems reported) when its batch comes.
    Text(usize),
    /// A text file met in order (no index).
    Source(Box<Source>),
    /// A line of a plain UTF-8 JSON Lines file: byte offset and length of the line (no line
    /// break) and its 1-based number. Its problems were reported by the first pass.
    Line(usize, u64, usize, usize),
    /// A JSON Lines line read in order (no index): the file's display name, the line and its
    /// number.
    Raw(std::sync::Arc<str>, String, usize),
    /// A JSON Lines file that needed repair (encoding) was decoded whole; its articles are
    /// held, since offsets into the repaired text do not point into the file.
    Held(Box<Article>),
}

#[derive(Debug)]
struct Planned {
    id: String,
    origin: String,
    loc: Loc,
}

/// The second pass over inputs found already in report order: sources in load order, the
/// open JSON Lines file, or the articles of a file that was decoded whole.
#[derive(Debug)]
struct Cursor {
    /// The inputs walked again, in the order of the first pass.
    sources: Discover,
    /// The source being read and its number among the sources.
    current: Option<(Source, usize)>,
    next_si: usize,
    /// The open JSON Lines file, the number of its last line read, and its display name
    /// (shared by its lines: a copy for each was a heap block an article, issue 7).
    lines: Option<(
        std::io::BufReader<std::fs::File>,
        usize,
        std::sync::Arc<str>,
    )>,
    held: std::collections::VecDeque<Article>,
}

/// Every article of a run in report order, without its text: what lets a directory or a
/// JSON Lines file of any length be processed in bounded batches (issue 7) while the report
/// comes out exactly as a whole-input run writes it (sorted by id, then origin). Inputs that
/// are already in that order (a directory whose file names sort as their ids, a JSONL file
/// sorted by id) are read again in order and need no index; otherwise the index keeps an id,
/// an origin and an offset per article. Built by [`plan_inputs`]; `issues`, `failed` and
/// `given` account for what the first pass judged (unopenable paths, bad JSONL lines);
/// [`Plan::next_batch`] adds the rest (text files are only read then).
#[derive(Debug)]
pub struct Plan {
    /// The sources, kept only for an index (which refers to them by number).
    sources: Vec<Source>,
    /// Numbers of the JSON Lines sources that are not plain UTF-8, judged whole as
    /// `read_inputs` does.
    whole: rustc_hash::FxHashSet<usize>,
    /// `None` when the inputs are already in report order.
    index: Option<Vec<Planned>>,
    pos: usize,
    cursor: Cursor,
    count: usize,
    pub issues: Vec<InputIssue>,
    pub failed: usize,
    pub given: usize,
}

impl Plan {
    /// Articles planned (text files not yet read may still fail).
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Whether the inputs needed an index (were not already in report order).
    pub fn indexed(&self) -> bool {
        self.index.is_some()
    }

    /// The next at most `size` articles in report order, read in parallel; `None` at the
    /// end. The batch's `issues`, `failed` and `given` are what reading found (text files
    /// only: JSON Lines were accounted for by the first pass).
    pub fn next_batch(&mut self, size: usize, opts: &ReadOptions) -> Option<Batch> {
        let size = size.max(1);
        let items: Vec<Loc> = match &mut self.index {
            Some(index) => {
                let end = (self.pos + size).min(index.len());
                let items = index[self.pos..end]
                    .iter_mut()
                    .map(|p| std::mem::replace(&mut p.loc, Loc::Text(usize::MAX)))
                    .collect();
                self.pos = end;
                items
            }
            None => self.next_in_order(size, opts),
        };
        if items.is_empty() {
            return None;
        }
        Some(self.load_items(items, opts))
    }

    fn next_in_order(&mut self, size: usize, opts: &ReadOptions) -> Vec<Loc> {
        let mut items = Vec::new();
        let c = &mut self.cursor;
        while items.len() < size {
            let (src, si) = match c.current.take() {
                Some(cur) => cur,
                None => {
                    // Problems of the walk were accounted for by the first pass.
                    let Some(src) = c.sources.by_ref().find_map(Result::ok) else {
                        break;
                    };
                    let si = c.next_si;
                    c.next_si += 1;
                    if src.format == Format::Text {
                        items.push(Loc::Source(Box::new(src)));
                        continue;
                    }
                    if self.whole.contains(&si) {
                        let mut b = Batch::default();
                        load(&src, opts, &mut b);
                        c.held = b.articles.into();
                    } else if let Some(p) = &src.path {
                        c.lines = std::fs::File::open(p).ok().map(|f| {
                            let r = std::io::BufReader::with_capacity(1 << 16, f);
                            (r, 0, src.display.as_str().into())
                        });
                    }
                    (src, si)
                }
            };
            let next = if let Some(a) = c.held.pop_front() {
                Some(Loc::Held(Box::new(a)))
            } else if let Some((r, lineno, display)) = &mut c.lines {
                next_line(r, *lineno + 1).map(|line| {
                    *lineno += 1;
                    // The first pass found every line plain UTF-8; a file changed since
                    // then loses the line rather than the run.
                    line.map_or(Loc::Text(usize::MAX), |l| {
                        Loc::Raw(display.clone(), l, *lineno)
                    })
                })
            } else {
                None
            };
            match next {
                Some(item) => {
                    items.push(item);
                    c.current = Some((src, si));
                }
                None => {
                    c.lines = None;
                    c.held.clear();
                }
            }
        }
        items
    }

    fn load_items(&self, items: Vec<Loc>, opts: &ReadOptions) -> Batch {
        use rayon::prelude::*;
        let sources = &self.sources;
        // Each worker gathers its run of items into one batch, in order, and the runs are
        // joined in order: a batch of its own for every item (and the list of one article
        // in it) was two heap blocks an article (issue 7).
        items
            .into_par_iter()
            .fold(
                || (Batch::default(), Batch::default()),
                |(mut b, mut quiet), loc| {
                    // Problems of a JSONL line were reported by the first pass, which read
                    // the same bytes; only the article is taken here.
                    match loc {
                        Loc::Text(i) => {
                            if let Some(src) = sources.get(i) {
                                load(src, opts, &mut b)
                            }
                        }
                        Loc::Source(src) => load(&src, opts, &mut b),
                        Loc::Line(i, off, len, lineno) => {
                            match read_line_at(&sources[i], off, len) {
                                Ok(line) => {
                                    jsonl_line(&line, lineno, &sources[i].display, opts, &mut quiet)
                                }
                                Err(e) => {
                                    b.issues.push(InputIssue::error(
                                        &sources[i].display,
                                        Some(lineno),
                                        "unreadable",
                                        format!("cannot read: {e}"),
                                    ));
                                    b.failed += 1;
                                }
                            }
                        }
                        Loc::Raw(display, line, lineno) => {
                            jsonl_line(&line, lineno, &display, opts, &mut quiet)
                        }
                        Loc::Held(a) => b.articles.push(*a),
                    }
                    b.articles.append(&mut quiet.articles);
                    quiet.issues.clear();
                    (b, quiet)
                },
            )
            .map(|(b, _)| b)
            .reduce(Batch::default, |mut out, mut b| {
                out.articles.append(&mut b.articles);
                out.issues.append(&mut b.issues);
                out.failed += b.failed;
                out.given += b.given;
                out
            })
    }
}

/// The line in `buf` (as read up to and including its `\n`) as `str::lines` gives it: "\n" or
/// "\r\n" ends a line, a bare final "\r" stays, and the first line loses a UTF-8 BOM.
fn line_bounds(buf: &[u8], lineno: usize) -> (usize, usize) {
    let start = if lineno == 1 && buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    let mut end = buf.len();
    if end > start && buf[end - 1] == b'\n' {
        end -= 1;
        if end > start && buf[end - 1] == b'\r' {
            end -= 1;
        }
    }
    (start, end.max(start))
}

/// Line `lineno` of `r`, the next, as `str::lines` gives it (see [`line_bounds`]): `None`
/// at the end or on an error, `Some(None)` if it is not UTF-8. Copied once, into a string
/// of its size: read with `read_until` into a buffer grown from nothing, a line was copied
/// over about a dozen times, and std's search for its end goes a word at a time.
fn next_line(r: &mut std::io::BufReader<std::fs::File>, lineno: usize) -> Option<Option<String>> {
    use std::io::BufRead;
    let own = |bytes: &[u8]| {
        let (start, end) = line_bounds(bytes, lineno);
        utf8(&bytes[start..end]).map(str::to_owned)
    };
    // The line so far, when it runs past the reader's buffer.
    let mut long = Vec::new();
    loop {
        let buf = match r.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        };
        if buf.is_empty() {
            return (!long.is_empty()).then(|| own(&long));
        }
        if let Some(i) = memchr::memchr(b'\n', buf) {
            let line = if long.is_empty() {
                own(&buf[..=i])
            } else {
                long.extend_from_slice(&buf[..=i]);
                own(&long)
            };
            r.consume(i + 1);
            return Some(line);
        }
        let n = buf.len();
        long.extend_from_slice(buf);
        r.consume(n);
    }
}

fn read_line_at(src: &Source, off: u64, len: usize) -> std::io::Result<String> {
    use std::io::Seek;
    let Some(p) = &src.path else {
        return Err(std::io::Error::other("standard input cannot be read twice"));
    };
    let mut buf = vec![0; len];
    let mut f = std::fs::File::open(p)?;
    f.seek(std::io::SeekFrom::Start(off))?;
    f.read_exact(&mut buf)?;
    if utf8(&buf).is_some() {
        // SAFETY: checked to be UTF-8 just above.
        return Ok(unsafe { String::from_utf8_unchecked(buf) });
    }
    String::from_utf8(buf).map_err(std::io::Error::other)
}

/// What the first pass made of a JSON Lines file.
enum JsonlPass {
    /// Plain UTF-8: its articles (handed to the sink) and problems.
    Plain(usize),
    /// Not plain UTF-8 (see [`plan_jsonl`]): it is judged whole, as `read_inputs` does. If
    /// some of its articles already went to the sink, the first pass starts again.
    NotPlain { sunk: bool },
}

/// The first pass over a JSON Lines file that can be read line by line with the result of
/// decoding it whole: plain UTF-8 (a leading BOM aside) with no NUL byte (which makes
/// [`decode`] refuse it). Every line is parsed once for its id and its problems, and each
/// article is handed to `sink` as (id, origin, offset) without its text. The file is checked
/// a chunk at a time as it is parsed: the chunks end at line ends, and a line break cannot
/// fall inside a UTF-8 sequence, so they are valid exactly when the file is (a BOM is valid
/// UTF-8, and a UTF-16 BOM is not). Checked in a pass of its own before this one, and each
/// line again here, the file was read three times over (issue 7).
fn plan_jsonl(
    src: &Source,
    si: usize,
    opts: &ReadOptions,
    acc: &mut Batch,
    sink: &mut dyn FnMut(Planned),
) -> std::io::Result<JsonlPass> {
    // Lines are parsed in parallel a few megabytes at a time and handed to `sink` in file
    // order. Parsed one by one, this pass was a serial stretch at the start of every run,
    // with one core idle (issue 7); the chunk bounds the memory it holds. Tests take
    // small chunks, so that their files span several.
    let chunk_size: usize = if cfg!(test) { 1 << 12 } else { 1 << 22 };
    use rayon::prelude::*;
    let Some(p) = &src.path else {
        return Ok(JsonlPass::NotPlain { sunk: false });
    };
    let f = std::fs::File::open(p)?;
    // Sized for the file: a small file is not given a chunk's worth of fresh pages.
    let size = f.metadata().map_or(chunk_size as u64, |m| m.len());
    let (mut off, mut lineno, mut articles) = (0u64, 0usize, 0usize);
    let mut lines = Batch::default();
    let base = (size.min(chunk_size as u64) as usize).max(1 << 10);
    let mut buf = vec![0u8; base];
    // `buf[..have]` holds what was read and not parsed yet: a line cut by the last read.
    let (mut have, mut read_to) = (0usize, 0u64);
    // (start in `chunk`, length with its line end, line number)
    let mut spans: Vec<(usize, usize, usize)> = Vec::new();
    loop {
        spans.clear();
        // A read that fails after some of the file's articles were handed on starts the pass
        // again with the file judged whole (and its error reported there), as for a file
        // found not plain late: an error returned here would have it loaded whole on top of
        // the articles already handed on.
        let failed = |e: std::io::Error| {
            if articles > 0 {
                Ok(JsonlPass::NotPlain { sunk: true })
            } else {
                Err(e)
            }
        };
        if have == buf.len() {
            // A line longer than the buffer; the room is given back once it is parsed.
            buf.resize(buf.len() + buf.len() / 2, 0);
        }
        let got = match read_at_once(&f, &mut buf[have..], read_to) {
            Ok(got) => got,
            Err(e) => return failed(e),
        };
        let eof = got == 0 || have + got < buf.len();
        // Where the bytes just read start: what was carried over holds no line end.
        let from = have;
        have += got;
        read_to += got as u64;
        // Whole lines only, so that each chunk is valid UTF-8 exactly when the file is; the
        // lines found with SIMD.
        let upto = if eof {
            have
        } else {
            match memchr::memrchr(b'\n', &buf[from..have]) {
                Some(i) => from + i + 1,
                None => continue,
            }
        };
        let chunk = &buf[..upto];
        let text = match utf8(chunk) {
            Some(text) if memchr::memchr(0, chunk).is_none() => text,
            _ => return Ok(JsonlPass::NotPlain { sunk: articles > 0 }),
        };
        let mut at = 0;
        for end in memchr::memchr_iter(b'\n', chunk)
            .map(|i| i + 1)
            .chain([chunk.len()])
        {
            if end > at {
                lineno += 1;
                spans.push((at, end - at, lineno));
                at = end;
            }
        }
        let parsed: Vec<((usize, usize), Batch)> = spans
            .par_iter()
            .map(|&(at, n, no)| {
                let (start, end) = line_bounds(&chunk[at..at + n], no);
                let mut b = Batch::default();
                // Only the id and the problems are kept, not the text.
                jsonl_line_as::<TextFacts>(
                    &text[at + start..at + end],
                    no,
                    &src.display,
                    opts,
                    &mut b,
                );
                ((start, end), b)
            })
            .collect();
        for (&(_, n, no), ((start, end), mut b)) in spans.iter().zip(parsed) {
            for a in b.articles.drain(..) {
                articles += 1;
                sink(Planned {
                    id: a.id,
                    origin: a.origin,
                    loc: Loc::Line(si, off + start as u64, end - start, no),
                });
            }
            lines.issues.append(&mut b.issues);
            lines.failed += b.failed;
            lines.given += b.given;
            off += n as u64;
        }
        buf.copy_within(upto..have, 0);
        have -= upto;
        if eof {
            break;
        }
        if buf.len() > base && have < base {
            buf.truncate(base);
            buf.shrink_to_fit();
        }
    }
    acc.issues.append(&mut lines.issues);
    acc.failed += lines.failed;
    acc.given += lines.given;
    Ok(JsonlPass::Plain(articles))
}

/// Fills `buf` from `f` at `off`, short only where the file ends. The pool's threads each
/// read a piece at once: the copy out of the page cache was most of the first pass over a
/// JSON Lines file, on one core while the other waited (issue 7).
fn read_at_once(f: &std::fs::File, buf: &mut [u8], off: u64) -> std::io::Result<usize> {
    use rayon::prelude::*;
    let piece = buf
        .len()
        .div_ceil(rayon::current_num_threads())
        // Tests read small files, in pieces all the same.
        .max(if cfg!(test) { 1 << 8 } else { 1 << 16 });
    let got: Vec<std::io::Result<usize>> = buf
        .par_chunks_mut(piece)
        .enumerate()
        .map(|(i, part)| read_full_at(f, part, off + (i * piece) as u64))
        .collect();
    let mut total = 0;
    let mut short = false;
    for (g, part_len) in got.into_iter().zip(buf.chunks(piece).map(<[u8]>::len)) {
        let g = g?;
        // A piece read after one that met the end must be empty: otherwise the file grew
        // while it was read, and what was read is not one piece of it.
        if short && g > 0 {
            return Err(std::io::Error::other("the file changed while it was read"));
        }
        short |= g < part_len;
        total += g;
    }
    Ok(total)
}

/// Reads into all of `buf` from `off`, short only at the file's end.
fn read_full_at(f: &std::fs::File, buf: &mut [u8], off: u64) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(f, &mut buf[got..], off + got as u64);
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_read(f, &mut buf[got..], off + got as u64);
        match n {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Whether [`plan_inputs`] may stream these inputs, judged by each input's name and kind, no
/// directory walked: regular files and directories only (standard input or a named pipe cannot be read twice: the second pass
/// waited on the pipe for ever) and no CSV file (records may span lines). A missing path is
/// left to the first pass to report. A CSV file inside a directory is found by the first
/// pass's walk, which then gives up the plan: walking a directory here as well cost a walk of
/// every file in it, twice over, before any article was read (issue 7: 3 % of a run over
/// 10,000 files, on one core).
pub fn can_plan(inputs: &[String]) -> bool {
    inputs.iter().all(|i| {
        let p = Path::new(i);
        let meta = std::fs::metadata(p).ok();
        let dir = meta.as_ref().is_some_and(|m| m.is_dir());
        let readable_twice = meta.as_ref().is_none_or(|m| m.is_dir() || m.is_file());
        i != "-" && readable_twice && (format_of(p) != Format::Csv || dir)
    })
}

/// How a [`first_pass`] ended.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
enum Pass {
    Done,
    /// A JSON Lines file turned out not to be plain UTF-8 after some of its articles went to
    /// the sink: the pass must be made again, with that file now in `whole`.
    Again,
    /// A source the plan cannot stream (see [`can_plan`]), found inside a directory.
    Unplannable,
}

/// One first pass over the inputs, walked afresh: every article (text files unread, by
/// their path) handed to `sink` in load order, with the accounting of what could not be
/// used. The sources are kept in `keep` if given (an index refers to them by number).
fn first_pass(
    inputs: &[String],
    whole: &mut rustc_hash::FxHashSet<usize>,
    opts: &ReadOptions,
    acc: &mut Batch,
    mut keep: Option<&mut Vec<Source>>,
    sink: &mut dyn FnMut(Planned),
) -> Pass {
    let mut si = 0;
    for r in Discover::new(inputs) {
        let src = match r {
            Ok(src) => src,
            Err(issue) => {
                // As `read_inputs`: each path that yields no source is one input given and
                // failed, if this shard owns it.
                if opts.owns(&issue.input) {
                    acc.issues.push(issue);
                    acc.failed += 1;
                    acc.given += 1;
                }
                continue;
            }
        };
        if src.path.is_none() || src.format == Format::Csv {
            return Pass::Unplannable;
        }
        if !plan_source(&src, si, whole, opts, acc, sink) {
            return Pass::Again;
        }
        if let Some(k) = keep.as_deref_mut() {
            k.push(src);
        }
        si += 1;
    }
    Pass::Done
}

/// False if the pass must start again (see [`first_pass`]).
fn plan_source(
    src: &Source,
    si: usize,
    whole: &mut rustc_hash::FxHashSet<usize>,
    opts: &ReadOptions,
    acc: &mut Batch,
    sink: &mut dyn FnMut(Planned),
) -> bool {
    if src.format == Format::Text {
        if opts.owns(&src.id) {
            sink(Planned {
                id: src.id.clone(),
                origin: src.display.clone(),
                loc: Loc::Text(si),
            });
        }
        return true;
    }
    let before = (acc.given, acc.failed);
    let pass = (!whole.contains(&si)).then(|| plan_jsonl(src, si, opts, acc, sink));
    match pass {
        Some(Ok(JsonlPass::Plain(articles))) => {
            // As `load` accounts for a file that gave no record.
            let untouched = articles == 0 && acc.failed == before.1;
            if acc.given == before.0 && !(opts.shard.is_some() && untouched) {
                acc.given += 1;
                if untouched {
                    acc.issues.push(InputIssue::error(
                        &src.display,
                        None,
                        "empty",
                        "no records (only blank lines or a header)",
                    ));
                    acc.failed += 1;
                }
            }
        }
        Some(Ok(JsonlPass::NotPlain { sunk: true })) => {
            whole.insert(si);
            return false;
        }
        // Not plain UTF-8, or unreadable: judged whole, exactly as `read_inputs`.
        _ => {
            whole.insert(si);
            let mut b = Batch::default();
            load(src, opts, &mut b);
            acc.issues.append(&mut b.issues);
            acc.failed += b.failed;
            acc.given += b.given;
            for a in b.articles {
                sink(Planned {
                    id: a.id.clone(),
                    origin: a.origin.clone(),
                    loc: Loc::Held(Box::new(a)),
                });
            }
        }
    }
    true
}

/// The first pass of a streamed run: walks the inputs, reads JSON Lines files for their ids
/// and problems (text files are not opened: their path gives the id), and checks whether the
/// articles already come in report order. If they do, the plan holds neither an index nor
/// the list of sources: the second pass walks the inputs again. If not, a second first pass
/// builds the index of (id, origin, offset) and sorts it exactly as [`read_inputs`] sorts
/// articles. Returns `None` if [`can_plan`] says no, or the walk finds a CSV file.
pub fn plan_inputs(inputs: &[String], opts: &ReadOptions) -> Option<Plan> {
    if !can_plan(inputs) {
        return None;
    }
    // Sources found not plain UTF-8 stay so for every pass made.
    let mut whole = rustc_hash::FxHashSet::default();
    let (mut acc, mut count, mut ordered);
    loop {
        (acc, count, ordered) = (Batch::default(), 0usize, true);
        let mut last: Option<(String, String)> = None;
        let pass = first_pass(inputs, &mut whole, opts, &mut acc, None, &mut |p| {
            count += 1;
            if let Some((id, origin)) = &last {
                if (id.as_str(), origin.as_str()) > (p.id.as_str(), p.origin.as_str()) {
                    ordered = false;
                }
            }
            last = Some((p.id, p.origin));
        });
        match pass {
            Pass::Done => break,
            Pass::Again => {}
            Pass::Unplannable => return None,
        }
    }
    let mut sources = Vec::new();
    let index = if ordered {
        None
    } else {
        let mut planned;
        loop {
            (acc, planned, sources) = (Batch::default(), Vec::new(), Vec::new());
            let keep = Some(&mut sources);
            match first_pass(inputs, &mut whole, opts, &mut acc, keep, &mut |p| {
                planned.push(p)
            }) {
                Pass::Done => break,
                Pass::Again => {}
                // A CSV file put in a directory since the pass before.
                Pass::Unplannable => return None,
            }
        }
        // The stable sort of `read_inputs`, on the same keys in the same load order.
        planned.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.origin.cmp(&b.origin)));
        count = planned.len();
        Some(planned)
    };
    Some(Plan {
        sources,
        whole,
        index,
        pos: 0,
        cursor: Cursor {
            sources: Discover::new(inputs),
            current: None,
            next_si: 0,
            lines: None,
            held: Default::default(),
        },
        count,
        issues: acc.issues,
        failed: acc.failed,
        given: acc.given,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first pass checks a JSON Lines file a chunk at a time (4 KiB under test); around
    /// a chunk's end (a sequence cut in two, a bad byte or a NUL just past it, a cut
    /// sequence at the end) it judges a file plain exactly as a check of each line would,
    /// and a file found not plain after some of its articles were planned (the pass made
    /// again) is planned as `read_inputs` reads it.
    #[test]
    fn chunked_plain_check_answers_as_line_by_line() {
        let by_lines = |b: &[u8]| {
            b.split_inclusive(|&c| c == b'\n')
                .enumerate()
                .all(|(i, l)| {
                    let (start, _) = line_bounds(l, i + 1);
                    !(i == 0 && (l.starts_with(&[0xFF, 0xFE]) || l.starts_with(&[0xFE, 0xFF])))
                        && !l.contains(&0)
                        && std::str::from_utf8(&l[start..]).is_ok()
                })
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.jsonl");
        let src = Source {
            path: Some(path.clone()),
            display: "f.jsonl".into(),
            id: "f".into(),
            format: Format::Jsonl,
        };
        let opts = ReadOptions::default();
        let plain = || {
            let mut acc = Batch::default();
            let (mut planned, mut issues) = (0, 0);
            let pass = plan_jsonl(&src, 0, &opts, &mut acc, &mut |_| planned += 1).unwrap();
            issues += acc.issues.len();
            match pass {
                JsonlPass::Plain(n) => {
                    assert_eq!(n, planned);
                    true
                }
                JsonlPass::NotPlain { sunk } => {
                    assert_eq!((sunk, issues), (planned > 0, 0));
                    false
                }
            }
        };
        let record = b"{\"id\": \"a\", \"text\": \"T.\"}\n";
        let bound = 1 << 12;
        for at in [bound - 3, bound - 2, bound - 1, bound, bound + 1] {
            for tail in [
                &b"\xF0\x9F\x98\x80 ok\n"[..],
                b"\xF0\x9F\x98 cut\n",
                b"\x00\n",
                b"\xFF\n",
                b"\xE2\x80",
            ] {
                let mut b = record.repeat(at / record.len());
                b.resize(at, b'x');
                b.extend_from_slice(tail);
                b.extend_from_slice("more \u{201c}text\u{201d}\n".as_bytes());
                if tail == b"\xE2\x80" {
                    b.truncate(at + 2);
                }
                std::fs::write(&path, &b).unwrap();
                assert_eq!(plain(), by_lines(&b), "{at} {tail:?}");
            }
        }
        for small in [
            &b""[..],
            b"\xEF\xBB\xBFok\n",
            b"\xFF\xFEo\x00k\x00",
            b"a\n\xC3",
        ] {
            std::fs::write(&path, small).unwrap();
            assert_eq!(plain(), by_lines(small), "{small:?}");
        }
        // Articles out of order (an index), then in order, each file with a bad byte in a
        // later chunk: planned afresh, with that file judged whole.
        for ordered in [false, true] {
            let mut b = Vec::new();
            for i in 0..400 {
                let id = if ordered { i } else { (i * 7) % 400 };
                b.extend_from_slice(
                    format!("{{\"id\": \"k{id:03}\", \"text\": \"T.\"}}\n").as_bytes(),
                );
            }
            b.extend_from_slice(b"{\"id\": \"z\", \"text\": \"caf\xE9\"}\n");
            std::fs::write(&path, &b).unwrap();
            assert!(!plain());
            let inputs = vec![path.display().to_string()];
            let whole = read_inputs(&inputs, &opts);
            let mut plan = plan_inputs(&inputs, &opts).unwrap();
            assert_eq!(plan.indexed(), !ordered);
            let (mut got, mut failed, mut given) = (Vec::new(), plan.failed, plan.given);
            let issues = std::mem::take(&mut plan.issues);
            while let Some(b) = plan.next_batch(64, &opts) {
                failed += b.failed;
                given += b.given;
                got.extend(b.articles);
            }
            assert_eq!(got, whole.articles);
            assert_eq!(format!("{issues:?}"), format!("{:?}", whole.issues));
            assert_eq!((failed, given), (whole.failed, whole.given));
        }
    }

    /// `utf8` answers as `std::str::from_utf8`, and encoding_rs's valid prefix is std's,
    /// over generated bytes of every length around the 64 bytes where encoding_rs hands
    /// over to SIMD: valid characters of each length, cut sequences, surrogates, overlong
    /// forms, code points past U+10FFFF and stray continuation bytes.
    #[test]
    fn utf8_check_matches_std() {
        let pieces: [&[u8]; 14] = [
            b"a",
            b"text ",
            "\u{e9}".as_bytes(),
            "\u{201c}".as_bytes(),
            "\u{1F600}".as_bytes(),
            b"\xE2\x80",
            b"\xF0\x9F\x98",
            b"\xED\xA0\x80",
            b"\xC0\xAF",
            b"\xE0\x80\xAF",
            b"\xF4\x90\x80\x80",
            b"\x80",
            b"\xFF",
            b"\x00",
        ];
        let mut rng = crate::testrng::XorShift(0x07f8_7f8a);
        for _ in 0..30_000 {
            let rare = 1 + rng.next() % 60;
            let mut b = Vec::new();
            while b.len() < (rng.next() % 150) as usize {
                let k = if rng.next() % rare == 0 {
                    (rng.next() % pieces.len() as u64) as usize
                } else {
                    (rng.next() % 5) as usize
                };
                b.extend_from_slice(pieces[k]);
            }
            let std = std::str::from_utf8(&b);
            assert_eq!(utf8(&b), std.ok(), "{b:?}");
            let up_to = std.map_or_else(|e| e.valid_up_to(), |s| s.len());
            assert_eq!(encoding_rs::Encoding::utf8_valid_up_to(&b), up_to, "{b:?}");
        }
    }

    /// `string_stop` finds the byte a search for the quote and the backslash and a check of
    /// the bytes before it for control bytes find, from any start, over generated bytes
    /// around the sixteen-byte blocks.
    #[test]
    fn string_stop_matches_the_plain_search() {
        let plain = |b: &[u8], i: usize| {
            b[i..]
                .iter()
                .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                .map(|p| i + p)
        };
        let bytes = [
            b'a', b' ', b'"', b'\\', 0x00, 0x1f, 0x20, 0x7f, 0x80, 0xe2, 0xff, b'\n',
        ];
        let mut rng = crate::testrng::XorShift(0x570b_5709);
        for _ in 0..20_000 {
            let len = (rng.next() % 70) as usize;
            let rare = 1 + rng.next() % 40;
            let b: Vec<u8> = (0..len)
                .map(|_| {
                    if rng.next() % rare == 0 {
                        *rng.pick(&bytes)
                    } else {
                        b'a' + (rng.next() % 3) as u8
                    }
                })
                .collect();
            for i in 0..=len {
                assert_eq!(string_stop(&b, i), plain(&b, i), "{b:?} {i}");
            }
        }
    }

    /// `next_line` gives the lines `read_until` and `line_bounds` give, over generated
    /// files with lines longer than the reader's buffer, CRLF and bare CR, a BOM, bytes
    /// that are not UTF-8 and a last line with no line break.
    #[test]
    fn next_line_matches_read_until() {
        use std::io::BufRead;
        let pieces: [&[u8]; 9] = [
            b"a",
            b"bc",
            b"\n",
            b"\r\n",
            b"\r",
            b"\xEF\xBB\xBF",
            b"\xFF",
            "\u{201c}".as_bytes(),
            b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.jsonl");
        let mut rng = crate::testrng::XorShift(0x0011_44e5);
        for _ in 0..500 {
            let b: Vec<u8> = (0..rng.next() % 40)
                .flat_map(|_| rng.pick(&pieces).iter().copied())
                .collect();
            std::fs::write(&path, &b).unwrap();
            let open = || std::io::BufReader::with_capacity(8, std::fs::File::open(&path).unwrap());
            let (mut fast, mut slow) = (open(), open());
            for lineno in 1.. {
                let mut buf = Vec::new();
                let want = match slow.read_until(b'\n', &mut buf) {
                    Ok(n) if n > 0 => {
                        let (start, end) = line_bounds(&buf, lineno);
                        Some(String::from_utf8(buf[start..end].to_vec()).ok())
                    }
                    _ => None,
                };
                assert_eq!(next_line(&mut fast, lineno), want, "{b:?} {lineno}");
                if want.is_none() {
                    break;
                }
            }
        }
    }

    /// Generated lines read the same through `simple_record` as through a serde_json Value:
    /// the same articles, issues and counts, for a whole run, a shard and a size cap.
    #[test]
    fn jsonl_lines_read_as_through_a_value() {
        let mut rng = crate::testrng::XorShift(0x5eed_1e55);
        // JSON-encoded keys; `te\u0078t` is `text` written with an escape.
        let keys = [
            r#""id""#,
            r#""text""#,
            r#""title""#,
            r#""date""#,
            r#""source""#,
            r#""other""#,
            r#""te\u0078t""#,
            r#""ID""#,
            r#""""#,
        ];
        // String bodies (without their quotes) and other values.
        let pieces = [
            "The minister denied it.",
            r"line one\n\nline two",
            r#"\"quoted\" \\ \/ \b\f\r\t"#,
            r"\u2019s \u00e9 \u0041\u0000",
            r"\ud83d\ude00 pair",
            r"\uD83D\uDE00 upper",
            r"\ud800 lone high",
            r"\udc00 lone low",
            r"\ud800\u0041 high then not low",
            r"\ud800\n",
            r"\u12 short",
            r"\u12G4 bad hex",
            r"\q bad escape",
            "raw\u{1}control",
            "raw\ttab",
            "del\u{7f} and “curly” é",
            "",
            " ",
            "trailing backslash \\",
            r"ends\n",
            r" \t\n",
            "a longer run of words, \u{201c}curly\u{201d} \u{e9}\u{e9}, to cross blocks of sixteen bytes",
        ];
        let others = [
            "12",
            "-0",
            "1.50",
            "1e3",
            "null",
            "true",
            r#"[1, "a"]"#,
            r#"{"x": "\ud800"}"#,
            "{}",
        ];
        let gaps = ["", " ", "\t", "\r", "  \t", "\u{a0}"];
        let (mut fast_lines, mut articles, mut issues) = (0, 0, 0);
        let opts_all = ReadOptions::default();
        let opts_shard = ReadOptions {
            shard: Some(crate::shard::Shard::from_spec("1/3", None).unwrap()),
            ..ReadOptions::default()
        };
        let small = ReadOptions {
            max_article_bytes: 20,
            ..ReadOptions::default()
        };
        let pick = |rng: &mut crate::testrng::XorShift, n: usize| (rng.next() % n as u64) as usize;
        // Mostly plain gaps; now and then a tab, a CR or a non-JSON space.
        let gap = |rng: &mut crate::testrng::XorShift| {
            let k = if pick(rng, 4) == 0 {
                pick(rng, gaps.len())
            } else {
                pick(rng, 2)
            };
            gaps[k]
        };
        let value = |rng: &mut crate::testrng::XorShift| {
            if pick(rng, 6) == 0 {
                return others[pick(rng, others.len())].to_string();
            }
            let body: String = (0..1 + pick(rng, 3))
                .map(|_| {
                    let k = if pick(rng, 3) == 0 {
                        pick(rng, pieces.len())
                    } else {
                        pick(rng, 5)
                    };
                    pieces[k]
                })
                .collect();
            format!("\"{body}\"")
        };
        for case in 0..30_000 {
            let r = &mut rng;
            let mut members = Vec::new();
            if pick(r, 5) > 0 {
                members.push(format!(r#""text"{}:{}"#, gap(r), value(r)));
            }
            if pick(r, 2) > 0 {
                members.push(format!(r#""id":{}{}"#, gap(r), value(r)));
            }
            for _ in 0..pick(r, 3) {
                let k = keys[pick(r, keys.len())];
                members.push(format!("{k}{}:{}{}", gap(r), gap(r), value(r)));
            }
            if members.len() > 1 && pick(r, 2) == 0 {
                let (a, b) = (pick(r, members.len()), pick(r, members.len()));
                members.swap(a, b);
            }
            let body = members.join(&format!("{},{}", gap(r), gap(r)));
            let line = match pick(r, 20) {
                0 => value(r),
                1 => format!("{{{body}"),
                2 => format!("{{{body}}} x"),
                3 => format!("{{{body},}}"),
                4 => format!("[{body}]"),
                _ => format!("{}{{{}{body}{}}}{}", gap(r), gap(r), gap(r), gap(r)),
            };
            fast_lines += usize::from(simple_record::<String>(&line).is_some());
            for opts in [&opts_all, &opts_shard, &small] {
                let (mut fast, mut slow, mut plan) =
                    (Batch::default(), Batch::default(), Batch::default());
                jsonl_line(&line, case + 1, "f.jsonl", opts, &mut fast);
                jsonl_line_as::<TextFacts>(&line, case + 1, "f.jsonl", opts, &mut plan);
                if !line.trim().is_empty() {
                    let origin = format!("f.jsonl:{}", case + 1);
                    jsonl_value(&line, case + 1, origin, "f.jsonl", opts, &mut slow);
                }
                assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{line:?}");
                // Read for the plan (no text kept): the same ids, issues and counts.
                let ids = |b: &Batch| {
                    let ids: Vec<_> = b.articles.iter().map(|a| (&a.id, &a.origin)).collect();
                    format!("{ids:?} {:?} {} {}", b.issues, b.failed, b.given)
                };
                assert_eq!(ids(&plan), ids(&slow), "{line:?}");
                articles += slow.articles.len();
                issues += slow.issues.len();
            }
        }
        // The lines reach both ways, and both ends of each.
        assert!(
            fast_lines > 2_000 && articles > 5_000 && issues > 10_000,
            "{fast_lines} {articles} {issues}"
        );
    }

    #[test]
    fn decodes_cp1252_with_warning() {
        let (t, w) = decode(b"caf\xe9 \x93quoted\x94", "x", &ReadOptions::default()).unwrap();
        assert_eq!(t, "café “quoted”");
        assert!(w.unwrap().message.contains("offset 3"));
    }

    #[test]
    fn refuses_binary() {
        let e = decode(b"PK\x03\x04\x00\x00", "a.zip", &ReadOptions::default()).unwrap_err();
        assert_eq!(e.kind, "binary");
    }

    #[test]
    fn utf16_with_bom() {
        let bytes: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("hi".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(
            decode(&bytes, "x", &ReadOptions::default()).unwrap().0,
            "hi"
        );
    }

    #[test]
    fn bad_utf16_names_its_offset_and_fails_when_strict() {
        // BOM, "a\n", then a lone high surrogate at byte 6.
        let bytes = [0xFF, 0xFE, b'a', 0, b'\n', 0, 0x00, 0xD8, b'b', 0];
        let (t, w) = decode(&bytes, "x", &ReadOptions::default()).unwrap();
        assert_eq!(t, "a\n\u{FFFD}b");
        let w = w.unwrap();
        assert!(w.message.contains("byte offset 6"), "{}", w.message);
        assert_eq!(w.line, Some(2));
        let strict = ReadOptions {
            strict: true,
            ..ReadOptions::default()
        };
        assert_eq!(decode(&bytes, "x", &strict).unwrap_err().kind, "encoding");
    }

    #[test]
    fn offsets_count_the_utf8_bom() {
        let (_, w) = decode(b"\xEF\xBB\xBFab\xE9", "x", &ReadOptions::default()).unwrap();
        assert!(w.unwrap().message.contains("byte offset 5"));
    }

    #[test]
    fn every_input_is_accounted_for() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.txt"), "Text.").unwrap();
        std::fs::write(d.join("b.jsonl"), "").unwrap();
        std::fs::write(d.join("c.csv"), "id,text\n").unwrap();
        std::fs::write(d.join("d.jsonl"), "{\"id\":\"x\",\"text\":\"T.\"}\n\nbad\n").unwrap();
        let b = read_inputs(
            &[d.display().to_string(), "missing".into()],
            &ReadOptions::default(),
        );
        // a.txt, b.jsonl (empty), c.csv (header only), two d.jsonl lines, missing.
        assert_eq!(b.given, 6);
        assert_eq!((b.articles.len(), b.failed), (2, 4));
        let kinds: Vec<_> = b.issues.iter().map(|i| i.kind).collect();
        assert_eq!(
            kinds.iter().filter(|k| **k == "empty").count(),
            2,
            "{kinds:?}"
        );
    }

    #[test]
    fn jsonl_reports_bad_lines() {
        let mut b = Batch::default();
        load_jsonl(
            "{\"id\":\"a\",\"text\":\"Hello there.\"}\nnot json\n{\"id\":\"b\"}\n",
            "in.jsonl",
            &ReadOptions::default(),
            &mut b,
        );
        assert_eq!(b.articles.len(), 1);
        assert_eq!(b.failed, 2);
        assert_eq!(b.issues[0].line, Some(2));
        assert_eq!(b.issues[1].line, Some(3));
    }

    #[test]
    fn files_on_either_side_of_the_first_read_are_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        for n in [
            0,
            1,
            FIRST_READ - 1,
            FIRST_READ,
            FIRST_READ + 1,
            3 * FIRST_READ + 7,
        ] {
            let p = dir.path().join(format!("{n}.txt"));
            let bytes: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            std::fs::write(&p, &bytes).unwrap();
            let src = Source {
                path: Some(p),
                display: n.to_string(),
                id: n.to_string(),
                format: Format::Text,
            };
            assert_eq!(read_bytes(&src).unwrap(), bytes, "{n} bytes");
        }
    }

    /// The first pass reads a JSON Lines file in chunks that end at line ends, carrying a cut
    /// line over to the next read: lines longer than a chunk, a chunk ending exactly at a line
    /// end, and a last line with no line end give what reading the file whole gives.
    #[test]
    fn planned_lines_cut_anywhere_by_the_reads_are_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let opts = ReadOptions::default();
        let line = |i: usize, n: usize| {
            let pad = n.saturating_sub(30);
            format!("{{\"id\":\"k{i:03}\",\"text\":\"{}.\"}}", "w".repeat(pad))
        };
        for (k, lens) in [
            vec![10, 5000, 20, 9000, 40],
            vec![1023, 1024, 1025, 4095, 4096, 4097],
            (0..300).map(|i| 17 + i * 7).collect(),
        ]
        .into_iter()
        .enumerate()
        {
            for last_break in ["", "\n", "\r\n"] {
                // Every fifth line broken: its problem names its line number, which a line
                // end carried into the wrong chunk would shift.
                let body: Vec<String> = lens
                    .iter()
                    .enumerate()
                    .map(|(i, &n)| {
                        if i % 5 == 3 {
                            "not json".into()
                        } else {
                            line(i, n)
                        }
                    })
                    .collect();
                let p = dir.path().join(format!("f{k}{}.jsonl", last_break.len()));
                std::fs::write(&p, body.join("\n") + last_break).unwrap();
                let inputs = vec![p.display().to_string()];
                let whole = read_inputs(&inputs, &opts);
                let broken = (lens.len() + 1) / 5;
                assert_eq!(whole.articles.len(), lens.len() - broken);
                let mut plan = plan_inputs(&inputs, &opts).unwrap();
                assert_eq!((plan.len(), plan.indexed()), (lens.len() - broken, false));
                assert_eq!(plan.issues, whole.issues, "{lens:?} {last_break:?}");
                let mut got = Vec::new();
                while let Some(b) = plan.next_batch(7, &opts) {
                    got.extend(b.articles);
                }
                assert_eq!(got, whole.articles, "{lens:?} {last_break:?}");
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
            ..Default::default()
        })]

        /// Any mix of records of any length (the library's tests read chunks of at most 4 KiB,
        /// one piece per thread), blank, broken and non-ASCII lines, in or out of id order,
        /// with any line ends: the streamed plan gives the articles, problems (with their line
        /// numbers) and accounting of reading the file whole.
        #[test]
        fn planned_jsonl_reads_as_the_whole_file_does(
            lines in proptest::collection::vec((0usize..9000, 0u8..6), 0..30),
            crlf in proptest::bool::ANY,
            last_break in proptest::bool::ANY,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let body: Vec<String> = lines
                .iter()
                .enumerate()
                .map(|(i, &(n, kind))| match kind {
                    0 => String::new(),
                    1 => format!("not json {}", "x".repeat(n % 100)),
                    2 => format!("{{\"id\":\"k{i:03}\",\"text\":\"{}\"}}", "é—w ".repeat(n / 6)),
                    3 => format!("{{\"id\":\"a{i:03}\",\"text\":\"Out of order {}.\"}}", "w".repeat(n)),
                    _ => format!("{{\"id\":\"k{i:03}\",\"text\":\"{}.\"}}", "w".repeat(n)),
                })
                .collect();
            let eol = if crlf { "\r\n" } else { "\n" };
            let p = dir.path().join("p.jsonl");
            std::fs::write(&p, body.join(eol) + if last_break { eol } else { "" }).unwrap();
            let opts = ReadOptions::default();
            let inputs = vec![p.display().to_string()];
            let mut whole = read_inputs(&inputs, &opts);
            let mut plan = plan_inputs(&inputs, &opts).unwrap();
            let (mut got, mut issues) = (Vec::new(), std::mem::take(&mut plan.issues));
            let (mut failed, mut given) = (plan.failed, plan.given);
            while let Some(mut b) = plan.next_batch(3, &opts) {
                got.append(&mut b.articles);
                issues.append(&mut b.issues);
                failed += b.failed;
                given += b.given;
            }
            issues.sort();
            whole.issues.sort();
            proptest::prop_assert_eq!(got, whole.articles);
            proptest::prop_assert_eq!(issues, whole.issues);
            proptest::prop_assert_eq!((failed, given), (whole.failed, whole.given));
        }
    }

    /// Bounded memory without timing anything: every batch holds at most the batch size,
    /// inputs already in report order need no index, and the batches in turn give exactly
    /// the articles, order and accounting of `read_inputs`, indexed or not.
    #[test]
    fn planned_batches_are_bounded_and_in_whole_run_order() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [
            ("b.txt", "Bee said so."),
            ("a.txt", "Aye said so."),
            ("d.md", "Dee."),
        ] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let opts = ReadOptions::default();
        let check = |inputs: Vec<String>, indexed: bool| {
            let whole = read_inputs(&inputs, &opts);
            let mut plan = plan_inputs(&inputs, &opts).expect("files and JSONL can be planned");
            assert_eq!(plan.indexed(), indexed, "{inputs:?}");
            assert_eq!(plan.len(), whole.articles.len());
            let (mut got, mut failed, mut given, mut batches) =
                (Vec::new(), plan.failed, plan.given, 0);
            while let Some(b) = plan.next_batch(2, &opts) {
                assert!(b.articles.len() <= 2);
                batches += 1;
                failed += b.failed;
                given += b.given;
                got.extend(b.articles);
            }
            assert!(batches >= whole.articles.len().div_ceil(2));
            assert_eq!(got, whole.articles);
            assert_eq!((failed, given), (whole.failed, whole.given));
        };
        let sorted = dir.path().join("s.jsonl");
        std::fs::write(
            &sorted,
            "\u{feff}{\"id\":\"k1\",\"text\":\"One.\"}\r\n\n{\"id\":\"k2\",\"text\":\"Two.\"}\nnot json\n{\"id\":\"k3\",\"text\":\"Three.\"}",
        )
        .unwrap();
        check(vec![sorted.display().to_string()], false);
        // Ids out of order, a bad line, a blank line and ids that sort among the files.
        std::fs::write(
            dir.path().join("x.jsonl"),
            "{\"id\":\"z\",\"text\":\"Zed.\"}\r\n{\"id\":\"c\",\"text\":\"Cee.\"}\n\nnot json\n{\"id\":\"a\",\"text\":\"Again.\"}\n",
        )
        .unwrap();
        check(vec![dir.path().display().to_string()], true);
        assert!(!can_plan(&["-".to_string()]));
        // A CSV file can be told by its name when given, and only by the walk in a directory:
        // then the plan is given up after the walk, and the run reads its inputs whole.
        let csv = dir.path().join("t.csv");
        std::fs::write(&csv, "id,text\nc1,\"A CSV record.\"\n").unwrap();
        assert!(!can_plan(&[csv.display().to_string()]));
        let inputs = vec![
            sorted.display().to_string(),
            dir.path().display().to_string(),
        ];
        assert!(can_plan(&inputs));
        assert!(plan_inputs(&inputs, &opts).is_none());
        let whole = read_inputs(&inputs, &opts);
        assert!(whole.articles.iter().any(|a| a.id == "c1"));
    }
}
