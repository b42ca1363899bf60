//! Header bytes as text, and whitespace as Python sees it.
//!
//! The reference reads header values as Latin-1 (every byte is one character) and trims and
//! splits them with Python's `str.strip()` / `str.split()`. Python's whitespace is Unicode
//! `White_Space` (Rust's [`char::is_whitespace`]) plus the four separators U+001C..U+001F.
//! In the Latin-1 range that is the bytes `09..0D`, `1C..1F`, `20`, `85` and `A0`.

use std::borrow::Cow;

/// Python's `str.isspace()` for one character.
pub(crate) fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.isspace()` for one Latin-1 byte: one table load (headers are scanned byte by
/// byte on every request).
pub(crate) fn is_py_space_byte(b: u8) -> bool {
    // A u8 is always in the table: the check is compiled away.
    PY_SPACE.get(usize::from(b)).copied().unwrap_or_default()
}

/// [`is_py_space_byte`] for every byte.
#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time, where an index out of range fails the build"
)]
static PY_SPACE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(b, 0x09..=0x0d | 0x1c..=0x20 | 0x85 | 0xa0);
        b += 1;
    }
    table
};

/// Python's `str.strip()`.
pub(crate) fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// Python's `str.strip()` over Latin-1 bytes.
pub(crate) fn py_strip_bytes(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| !is_py_space_byte(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| !is_py_space_byte(b))
        .map_or(start, |i| i + 1);
    bytes.get(start..end).unwrap_or_default()
}

/// Python's `s.strip().split(maxsplit=1)` over Latin-1 bytes, when it yields two parts.
///
/// The second part starts after the first run of whitespace and keeps inner whitespace.
pub(crate) fn py_split_once_bytes(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let s = py_strip_bytes(bytes);
    let first_end = s.iter().position(|&b| is_py_space_byte(b))?;
    let (first, rest) = s.split_at(first_end);
    let rest_start = rest.iter().position(|&b| !is_py_space_byte(b))?;
    Some((first, rest.get(rest_start..)?))
}

/// Python's `s.strip().split(maxsplit=1)` over text, when it yields two parts.
pub(crate) fn py_split_once(s: &str) -> Option<(&str, &str)> {
    let s = py_strip(s);
    let first_end = s.find(is_py_space)?;
    let (first, rest) = s.split_at(first_end);
    Some((first, rest.trim_start_matches(is_py_space)))
}

/// Python's `str.split()`: the non-empty runs between whitespace.
pub(crate) fn py_split_whitespace(s: &str) -> impl Iterator<Item = &str> {
    s.split(is_py_space).filter(|part| !part.is_empty())
}

/// Decodes header bytes as Latin-1. ASCII (the common case) is borrowed, not copied.
pub(crate) fn latin1(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) if s.is_ascii() => Cow::Borrowed(s),
        _ => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_and_char_whitespace_agree_on_latin1() {
        for b in 0..=255u8 {
            assert_eq!(
                is_py_space_byte(b),
                is_py_space(char::from(b)),
                "byte {b:#x}"
            );
        }
    }

    #[test]
    fn python_whitespace_beyond_ascii() {
        for c in [
            '\u{1c}', '\u{1f}', '\u{85}', '\u{a0}', '\u{2028}', '\u{3000}',
        ] {
            assert!(is_py_space(c), "{c:?}");
        }
        for c in ['\u{200b}', '\u{180e}', 'a', '\u{0}'] {
            assert!(!is_py_space(c), "{c:?}");
        }
    }

    type Split<'a> = Option<(&'a [u8], &'a [u8])>;

    #[test]
    fn strip_and_split() {
        let cases: &[(&[u8], Split<'_>)] = &[
            (b"Bearer x", Some((b"Bearer", b"x"))),
            (b"   Bearer    sk a  ", Some((b"Bearer", b"sk a"))),
            (b"Bearer\tx", Some((b"Bearer", b"x"))),
            (b"Bearer\xa0x", Some((b"Bearer", b"x"))),
            (b"Bearer   ", None),
            (b"Bearer", None),
            (b"", None),
            (b"\xa0\x85", None),
        ];
        for (input, want) in cases {
            assert_eq!(py_split_once_bytes(input), *want, "{input:?}");
        }
        assert_eq!(
            py_split_once("  Ada \u{3000} Love lace "),
            Some(("Ada", "Love lace"))
        );
        assert_eq!(py_split_once("Ada"), None);
        assert_eq!(py_strip("\u{1f} x \u{a0}"), "x");
        assert_eq!(py_strip_bytes(b" \x85x y\xa0"), b"x y");
        let words: Vec<&str> = py_split_whitespace(" openid\u{2003}email  profile ").collect();
        assert_eq!(words, ["openid", "email", "profile"]);
    }

    #[test]
    fn latin1_decodes_every_byte() {
        assert!(matches!(latin1(b"abc"), Cow::Borrowed("abc")));
        assert_eq!(latin1(b"caf\xe9"), "caf\u{e9}");
        assert_eq!(latin1("é".as_bytes()), "\u{c3}\u{a9}");
    }
}
