//! The `nat-session` cookie, parsed as the reference (Starlette) parses `Cookie` headers.
//!
//! Every `Cookie` header is read in order; each is split on `;`, each chunk at its first `=`
//! (a chunk without `=` is a value with an empty name), name and value are trimmed of
//! whitespace, and a value in double quotes is unquoted with Python's `http.cookies` rules
//! (`\"` → `"`, `\ooo` → the octal byte). The name is case-sensitive; the last
//! `nat-session` wins. Bytes are Latin-1.

use std::borrow::Cow;

use http::HeaderMap;
use http::header::COOKIE;

use crate::error::ResolveError;
use crate::parse::bounded::bounded;
use crate::parse::pytext::{latin1, py_strip_bytes};

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "nat-session";

/// The last `nat-session` value over all `Cookie` headers, unquoted; `None` when there is none.
/// The value may be empty. A `Cookie` header longer than `max_len` is refused unread.
#[inline]
pub(crate) fn session_cookie(
    headers: &HeaderMap,
    max_len: usize,
) -> Result<Option<Cow<'_, str>>, ResolveError> {
    named_cookie(headers, SESSION_COOKIE, max_len)
}

/// The last value of the cookie `cookie_name`, by the same rules.
#[inline]
pub(crate) fn named_cookie<'a>(
    headers: &'a HeaderMap,
    cookie_name: &str,
    max_len: usize,
) -> Result<Option<Cow<'a, str>>, ResolveError> {
    let mut last = None;
    for header in headers.get_all(COOKIE) {
        for chunk in bounded(header, max_len)?.split(|&b| b == b';') {
            let Some(eq) = chunk.iter().position(|&b| b == b'=') else {
                continue; // an empty name: never ours
            };
            let (name, value) = chunk.split_at(eq);
            if py_strip_bytes(name) == cookie_name.as_bytes() {
                last = Some(py_strip_bytes(value.get(1..).unwrap_or_default()));
            }
        }
    }
    Ok(last.map(unquote))
}

/// Python's `http.cookies._unquote` over Latin-1 bytes.
fn unquote(value: &[u8]) -> Cow<'_, str> {
    let inner = match value {
        [b'"', inner @ .., b'"'] => inner,
        _ => return latin1(value),
    };
    if !inner.contains(&b'\\') {
        return latin1(inner);
    }
    let mut out = Vec::with_capacity(inner.len());
    let mut rest = inner;
    while let Some((&byte, tail)) = rest.split_first() {
        rest = tail;
        if byte != b'\\' {
            out.push(byte);
            continue;
        }
        match *tail {
            [a @ b'0'..=b'3', b @ b'0'..=b'7', c @ b'0'..=b'7', ..] => {
                out.push((a - b'0') << 6 | (b - b'0') << 3 | (c - b'0'));
                rest = tail.get(3..).unwrap_or_default();
            }
            [next, ..] if next != b'\n' => {
                out.push(next);
                rest = tail.get(1..).unwrap_or_default();
            }
            _ => out.push(byte),
        }
    }
    Cow::Owned(latin1(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn cookie(values: &[&[u8]]) -> Option<String> {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(COOKIE, HeaderValue::from_bytes(value).unwrap());
        }
        session_cookie(&headers, usize::MAX)
            .unwrap()
            .map(Cow::into_owned)
    }

    #[test]
    fn parsing() {
        let cases: &[(&[&[u8]], Option<&str>)] = &[
            (&[b"nat-session=abc"], Some("abc")),
            (&[b"  nat-session = spaced  ;  a=b "], Some("spaced")),
            (&[b"nat-session=one; nat-session=two"], Some("two")),
            (
                &[b"nat-session=first", b"nat-session=second"],
                Some("second"),
            ),
            (&[b"x=1", b"nat-session=2"], Some("2")),
            (&[b"nat-session="], Some("")),
            (&[b"nat-session=a=b"], Some("a=b")),
            (&[b"nat-session"], None),
            (&[b"NAT-SESSION=abc"], None),
            (&[b";;;"], None),
            (&[b"\xa0nat-session=v\x85"], Some("v")),
            (&[b"nat-session=caf\xe9"], Some("caf\u{e9}")),
        ];
        for (values, want) in cases {
            assert_eq!(cookie(values).as_deref(), *want, "{values:?}");
        }
    }

    #[test]
    fn unquoting_follows_python() {
        let cases: &[(&[u8], &str)] = &[
            (br#""abc def""#, "abc def"),
            (br#""a\"b""#, "a\"b"),
            (br#""\101""#, "A"),
            (br#""\400""#, "400"),
            (br#""\377""#, "\u{ff}"),
            (br#""a\""#, "a\\"),
            (br#""\\""#, "\\"),
            (br#""a\\101""#, "a\\101"),
            (br#""""#, ""),
            (br#"""#, "\""),
            (br#""abc"#, "\"abc"),
            (br#"a"b""#, "a\"b\""),
        ];
        for (input, want) in cases {
            assert_eq!(unquote(input), *want, "{}", String::from_utf8_lossy(input));
        }
    }
}
