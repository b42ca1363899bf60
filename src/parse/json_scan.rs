//! One pass over a JSON object that keeps only the members asked for, borrowed, and validates
//! the rest without building it.
//!
//! Resolving a JWT needs a handful of claims (the identity, and the ones the reference
//! type-checks); building every claim into a `serde_json::Map` costs several times more than
//! the rest of the resolution. The whole text is still validated: syntax, nesting (exactly
//! [`MAX_DEPTH`] levels at most) and trailing characters.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// The deepest JSON nesting accepted: 128 levels (`{}` is one level).
pub(crate) const MAX_DEPTH: usize = 128;

/// A JSON value, as much of it as the resolver looks at. Strings are borrowed when unescaped.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scanned<'a> {
    Null,
    Bool(bool),
    /// An integer literal that fits in 64 bits (Python finds it truthy when non-zero).
    /// Integers beyond 2^53 lose precision, which no check here minds.
    Number(f64),
    /// Any other number: a literal with a fraction or an exponent (a Python `float`), or an
    /// integer beyond 64 bits (which serde_json hands over as a float too).
    Float(f64),
    Str(Cow<'a, str>),
    List(Vec<Scanned<'a>>),
    /// An object: whether it is non-empty, and its `roles` member (Keycloak's `realm_access`).
    Object {
        non_empty: bool,
        roles: Option<Box<Scanned<'a>>>,
    },
}

impl Scanned<'_> {
    /// The same value, owning its strings: what a token keeps while it waits for keys.
    #[cfg_attr(not(feature = "verify"), allow(dead_code))]
    pub(crate) fn into_owned(self) -> Scanned<'static> {
        match self {
            Scanned::Null => Scanned::Null,
            Scanned::Bool(b) => Scanned::Bool(b),
            Scanned::Number(n) => Scanned::Number(n),
            Scanned::Float(n) => Scanned::Float(n),
            Scanned::Str(s) => Scanned::Str(Cow::Owned(s.into_owned())),
            Scanned::List(items) => {
                Scanned::List(items.into_iter().map(Scanned::into_owned).collect())
            }
            Scanned::Object { non_empty, roles } => Scanned::Object {
                non_empty,
                roles: roles.map(|roles| Box::new(roles.into_owned())),
            },
        }
    }
}

/// What the claim rules need of a JSON value, for both [`Value`] and [`Scanned`].
pub(crate) trait Json {
    fn as_str(&self) -> Option<&str>;
    fn as_list(&self) -> Option<Vec<&Self>>;
    /// The `roles` member of an object.
    fn object_roles(&self) -> Option<Option<&Self>>;
    fn truthy(&self) -> bool;
    fn is_null(&self) -> bool;
}

impl Json for Value {
    fn as_str(&self) -> Option<&str> {
        Value::as_str(self)
    }
    fn as_list(&self) -> Option<Vec<&Self>> {
        self.as_array().map(|items| items.iter().collect())
    }
    fn object_roles(&self) -> Option<Option<&Self>> {
        self.as_object().map(|object| object.get("roles"))
    }
    fn truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !o.is_empty(),
        }
    }
    fn is_null(&self) -> bool {
        Value::is_null(self)
    }
}

impl Json for Scanned<'_> {
    fn as_str(&self) -> Option<&str> {
        match self {
            Scanned::Str(s) => Some(s),
            _ => None,
        }
    }
    fn as_list(&self) -> Option<Vec<&Self>> {
        match self {
            Scanned::List(items) => Some(items.iter().collect()),
            _ => None,
        }
    }
    fn object_roles(&self) -> Option<Option<&Self>> {
        match self {
            Scanned::Object { roles, .. } => Some(roles.as_deref()),
            _ => None,
        }
    }
    fn truthy(&self) -> bool {
        match self {
            Scanned::Null => false,
            Scanned::Bool(b) => *b,
            Scanned::Number(n) | Scanned::Float(n) => *n != 0.0,
            Scanned::Str(s) => !s.is_empty(),
            Scanned::List(items) => !items.is_empty(),
            Scanned::Object { non_empty, .. } => *non_empty,
        }
    }
    fn is_null(&self) -> bool {
        matches!(self, Scanned::Null)
    }
}

/// Why a text is not a JSON object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScanError {
    /// Not JSON, or nested deeper than [`MAX_DEPTH`].
    Syntax,
    /// JSON, but not an object.
    NotObject,
}

impl From<serde_json::Error> for ScanError {
    fn from(err: serde_json::Error) -> Self {
        if err.is_data() {
            Self::NotObject
        } else {
            Self::Syntax
        }
    }
}

/// Scans a JSON object, keeping the members named in `keys` (for duplicates, the last).
/// Skipped values are parsed exactly as [`parse_object`] parses them (numbers in range, strings
/// without lone surrogates, the same nesting limit), but nothing is built.
pub(crate) fn scan_object<'a, const N: usize>(
    text: &'a str,
    keys: &[&str; N],
) -> Result<[Option<Scanned<'a>>; N], ScanError> {
    deserialize_within_depth(text, ObjectSeed { keys })
}

/// Parses a JSON object fully, with the same nesting limit as [`scan_object`].
pub(crate) fn parse_object(text: &str) -> Result<serde_json::Map<String, Value>, ScanError> {
    deserialize_within_depth(text, PhantomData)
}

/// Deserializes the whole text with `seed`, nested [`MAX_DEPTH`] levels at most: serde_json
/// stops one level short of that, so a text refused at exactly [`MAX_DEPTH`] is read again
/// without serde_json's limit.
fn deserialize_within_depth<'a, T>(
    text: &'a str,
    seed: impl DeserializeSeed<'a, Value = T> + Copy,
) -> Result<T, ScanError> {
    let deserialize = |unbounded: bool| {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        if unbounded {
            deserializer.disable_recursion_limit();
        }
        let value = seed.deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok::<_, serde_json::Error>(value)
    };
    match deserialize(false) {
        Err(err) if err.is_syntax() && depth(text.as_bytes()) == MAX_DEPTH => {
            Ok(deserialize(true)?)
        }
        result => Ok(result?),
    }
}

/// The deepest nesting of arrays and objects in JSON text (strings skipped).
pub(crate) fn depth(json: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0, false, false);
    for &b in json {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[derive(Clone, Copy)]
struct ObjectSeed<'k, const N: usize> {
    keys: &'k [&'k str; N],
}

impl<'de, const N: usize> DeserializeSeed<'de> for ObjectSeed<'_, N> {
    type Value = [Option<Scanned<'de>>; N];

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, const N: usize> Visitor<'de> for ObjectSeed<'_, N> {
    type Value = [Option<Scanned<'de>>; N];

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = [const { None }; N];
        while let Some(Key(key)) = map.next_key()? {
            match self.keys.iter().position(|k| *k == key) {
                Some(i) => {
                    if let Some(slot) = members.get_mut(i) {
                        *slot = Some(map.next_value()?);
                    }
                }
                None => {
                    map.next_value::<Skip>()?;
                }
            }
        }
        Ok(members)
    }
}

/// A value parsed as serde_json parses it into a `Value`, and dropped as it goes.
///
/// Not serde's `IgnoredAny`: serde_json skips that without parsing numbers, decoding escapes or
/// limiting depth, so a skipped `1e400` or `"\ud800"` would pass here and fail later.
struct Skip;

impl<'de> de::Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Skip)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Skip)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Skip)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Skip)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Skip)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Skip)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Skip)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_key::<Skip>()?.is_some() {
            map.next_value::<Skip>()?;
        }
        Ok(Skip)
    }
}

/// A string borrowed from the text when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

impl<'de> de::Deserialize<'de> for Scanned<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScannedVisitor)
    }
}

struct ScannedVisitor;

impl<'de> Visitor<'de> for ScannedVisitor {
    type Value = Scanned<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Scanned::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Self::Value, E> {
        Ok(Scanned::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Self::Value, E> {
        Ok(Scanned::Number(n as f64))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Self::Value, E> {
        Ok(Scanned::Number(n as f64))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Self::Value, E> {
        Ok(Scanned::Float(n))
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Scanned::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Scanned::Str(Cow::Owned(s.to_owned())))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Scanned::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut non_empty, mut roles) = (false, None);
        while let Some(Key(key)) = map.next_key()? {
            non_empty = true;
            if key == "roles" {
                roles = Some(Box::new(map.next_value()?));
            } else {
                map.next_value::<Skip>()?;
            }
        }
        Ok(Scanned::Object { non_empty, roles })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_is_asked_and_validates_the_rest() {
        let text = r#"{"a":"x","skip":{"deep":[1,2,{"z":null}]},"b":[1,"y"],"a":"last","c":{"roles":["r"],"x":1}}"#;
        let [a, b, c, missing] = scan_object(text, &["a", "b", "c", "missing"]).unwrap();
        assert_eq!(a, Some(Scanned::Str("last".into())));
        assert_eq!(
            b,
            Some(Scanned::List(vec![
                Scanned::Number(1.0),
                Scanned::Str("y".into())
            ]))
        );
        let roles = c.as_ref().and_then(Json::object_roles).flatten();
        assert_eq!(roles.and_then(Json::as_list).map(|l| l.len()), Some(1));
        assert_eq!(missing, None);
        assert!(matches!(
            scan_object(r#"{"a":"\u00e9"}"#, &["a"]),
            Ok([Some(Scanned::Str(Cow::Owned(_)))])
        ));
        for bad in [
            r#"{"a":1,}"#,
            r#"{"a":1} x"#,
            r#"{"skip":[}"#,
            r#"{"a":NaN}"#,
        ] {
            assert_eq!(
                scan_object(bad, &["a"]).err(),
                Some(ScanError::Syntax),
                "{bad}"
            );
        }
        assert_eq!(scan_object("[1]", &["a"]).err(), Some(ScanError::NotObject));
    }

    #[test]
    fn skipped_values_are_held_to_the_same_rules_as_parsed_ones() {
        for text in [
            r#"{"skip":1e400}"#,
            r#"{"skip":["\ud800"]}"#,
            r#"{"skip":{"a":-1e999}}"#,
        ] {
            assert!(parse_object(text).is_err(), "{text}");
            assert_eq!(
                scan_object(text, &["a"]).err(),
                Some(ScanError::Syntax),
                "{text}"
            );
        }
        assert!(scan_object(r#"{"skip":"\ud83d\ude00"}"#, &["a"]).is_ok());
    }

    #[test]
    fn nesting_is_limited_in_skipped_values_too() {
        let nested = |levels: usize| {
            let inner = levels - 1;
            format!(r#"{{"skip":{}{}}}"#, "[".repeat(inner), "]".repeat(inner))
        };
        assert!(scan_object(&nested(MAX_DEPTH), &["a"]).is_ok());
        assert_eq!(
            scan_object(&nested(MAX_DEPTH + 1), &["a"]).err(),
            Some(ScanError::Syntax)
        );
        let scanned = format!(r#"{{"a":{}{}}}"#, "[".repeat(127), "]".repeat(127));
        assert!(scan_object(&scanned, &["a"]).is_ok());
        // Many brackets side by side are not deep.
        let wide = format!(r#"{{"skip":[{}]}}"#, vec!["[]"; 300].join(","));
        assert!(scan_object(&wide, &["a"]).is_ok());
    }

    #[test]
    fn depth_counts_structure_only() {
        assert_eq!(depth(br#"{"a":"[[[\"[{"}"#), 1);
        assert_eq!(depth(br#"[[{}],[]]"#), 3);
    }
}
