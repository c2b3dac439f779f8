//! A number as the source wrote it: its value, and how many decimals were written, so that
//! 57.0 stays 57.0, 0.80 stays 0.80 and 57 stays 57 wherever the pack's figures are shown.
//!
//! Precision is part of what a source says: a discrepancy note may set 57.0% (one source)
//! against 57% (another), and a reader compares them as written. A plain `f64` forgets it when
//! the pack is parsed, so every figure a pack writes (arm values, CIs, effect estimates, p
//! thresholds) is a [`Figure`].
//!
//! # Formats
//!
//! - **RON** (the pack format): the literal is read as written. RON's deserializer hands out
//!   the raw text of a value to a newtype struct named `$ron::private::RawValue` (the contract
//!   behind `ron::value::RawValue`); a `Figure` asks for exactly that and counts the decimals
//!   of the literal (`0.80` → 2, `1e-4` → 4, `57` → 0). A value that is not a number is an
//!   error, as for an `f64`.
//! - **Binary** formats (the bundled packs embedded by `build.rs`, the pack cache): the pair
//!   (value, decimals), which round-trips exactly. They say they are not human-readable.
//! - **JSON** (the export) and other human-readable formats: a plain number, so that JSON
//!   stays numbers. A whole figure written without decimals is written as an integer (`57`),
//!   any other as a float (`57.0`, `0.8`). JSON's shortest float drops trailing zeros beyond
//!   the first decimal (0.80 is `0.8`); reading JSON back, an integer has no decimals and a
//!   float has those its text shows (at least one).
//!
//! How a figure is *phrased* (units, minus sign, CIs) is [`crate::format`]'s business; this
//! type only keeps the number and its written precision. Equality is exact: 57 and 57.0 are
//! different figures.

use serde::de::{self, Deserializer, Visitor};
use serde::ser::{SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The name under which RON's deserializer gives a value's raw text (see the module docs).
const RON_RAW_VALUE: &str = "$ron::private::RawValue";

/// More decimals than any source writes; a literal with more is shown with this many.
pub const MAX_DECIMALS: u8 = 12;

/// A number with the decimals its source wrote.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    value: f64,
    decimals: u8,
}

impl Figure {
    /// A figure with this many decimals written (capped at [`MAX_DECIMALS`]).
    pub fn new(value: f64, decimals: u8) -> Figure {
        Figure {
            value,
            decimals: decimals.min(MAX_DECIMALS),
        }
    }

    /// The number.
    pub fn value(self) -> f64 {
        self.value
    }

    /// How many decimals the source wrote.
    pub fn decimals(self) -> u8 {
        self.decimals
    }

    /// A figure read from a number literal as RON writes it: `57`, `57.0`, `-13.9`, `1e-4`,
    /// `0.0001`, `1_000`, `0x1F`, `9.6f64`, `inf`, `NaN`. `None` if it is not one.
    pub fn parse(literal: &str) -> Option<Figure> {
        // RON's raw text of a value may carry the comments around it.
        let s = skip_comments(literal);
        let len = s
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '+' | '-')))
            .unwrap_or(s.len());
        let (s, rest) = s.split_at(len);
        if !skip_comments(rest).is_empty() {
            return None;
        }
        let s = strip_type_suffix(s);
        let s: String = s.chars().filter(|&c| c != '_').collect();
        let (sign, body) = match s.as_bytes().first() {
            Some(b'-') => (-1.0, &s[1..]),
            Some(b'+') => (1.0, &s[1..]),
            _ => (1.0, s.as_str()),
        };
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
            if let Some(digits) = body.strip_prefix(prefix) {
                let v = u64::from_str_radix(digits, radix).ok()?;
                return Some(Figure::new(sign * v as f64, 0));
            }
        }
        if body.is_empty() || !body.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
            // `inf`, `NaN` and the like: a number, but not a written figure.
            let v: f64 = s.parse().ok()?;
            return Some(Figure::new(v, 0));
        }
        let v: f64 = s.parse().ok()?;
        let (mantissa, exp) = match body.find(['e', 'E']) {
            Some(i) => (&body[..i], body[i + 1..].parse::<i32>().ok()?),
            None => (body, 0),
        };
        let frac = mantissa.split_once('.').map_or(0, |(_, f)| f.len()) as i32;
        let decimals = (frac - exp).clamp(0, i32::from(MAX_DECIMALS)) as u8;
        Some(Figure::new(v, decimals))
    }
}

/// `s` after any whitespace and comments (`// …` to the end of its line, `/* … */`,
/// which RON lets nest) it starts with.
fn skip_comments(mut s: &str) -> &str {
    loop {
        s = s.trim_start();
        if let Some(rest) = s.strip_prefix("//") {
            s = rest.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(mut rest) = s.strip_prefix("/*") {
            let mut depth = 1;
            while depth > 0 {
                let (open, close) = (rest.find("/*"), rest.find("*/"));
                match (open, close) {
                    (Some(o), Some(c)) if o < c => {
                        depth += 1;
                        rest = &rest[o + 2..];
                    }
                    (_, Some(c)) => {
                        depth -= 1;
                        rest = &rest[c + 2..];
                    }
                    (_, None) => return "",
                }
            }
            s = rest;
        } else {
            return s;
        }
    }
}

/// `9.6f64` → `9.6`, `57i32` → `57`: RON's optional type suffixes.
fn strip_type_suffix(s: &str) -> &str {
    const SUFFIXES: [&str; 14] = [
        "i128", "u128", "isize", "usize", "f32", "f64", "i16", "i32", "i64", "u16", "u32", "u64",
        "i8", "u8",
    ];
    SUFFIXES
        .iter()
        .find_map(|x| s.strip_suffix(x))
        .filter(|rest| rest.ends_with(|c: char| c.is_ascii_digit() || c == '_' || c == '.'))
        .unwrap_or(s)
}

/// The figure as written, with an ASCII minus: `57.0`, `-13.9`, `0.80`. (People read
/// [`crate::format::figure`], which uses the minus sign.)
impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.value.is_finite() {
            return write!(f, "{}", self.value);
        }
        let s = format!("{:.*}", usize::from(self.decimals), self.value);
        // -0.0 and values that round to zero have no sign.
        match s.strip_prefix('-') {
            Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => f.write_str(rest),
            _ => f.write_str(&s),
        }
    }
}

/// A figure from a number, with the decimals of its shortest form (`0.8` → 1, `57.0` → 0):
/// for figures made in code (generated packs, tests), which were never written.
impl From<f64> for Figure {
    fn from(v: f64) -> Figure {
        Figure::new(v, shortest_decimals(v))
    }
}

/// Decimals of the shortest text that reads back as `v`.
fn shortest_decimals(v: f64) -> u8 {
    if !v.is_finite() {
        return 0;
    }
    let s = v.to_string();
    s.split_once('.')
        .map_or(0, |(_, f)| f.len().min(usize::from(MAX_DECIMALS)) as u8)
}

impl Serialize for Figure {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if !s.is_human_readable() {
            let mut t = s.serialize_tuple(2)?;
            t.serialize_element(&self.value)?;
            t.serialize_element(&self.decimals)?;
            return t.end();
        }
        let whole = self.value.fract() == 0.0 && self.value.abs() < 9e15;
        if self.decimals == 0 && whole {
            s.serialize_i64(self.value as i64)
        } else {
            s.serialize_f64(self.value)
        }
    }
}

impl<'de> Deserialize<'de> for Figure {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Figure, D::Error> {
        if d.is_human_readable() {
            // RON gives the literal (`visit_str`); other formats call `visit_newtype_struct`
            // and a number follows.
            d.deserialize_newtype_struct(RON_RAW_VALUE, Written)
        } else {
            let (value, decimals) = <(f64, u8)>::deserialize(d)?;
            Ok(Figure::new(value, decimals))
        }
    }
}

/// Reads a figure from a literal, or from a number.
struct Written;

impl<'de> Visitor<'de> for Written {
    type Value = Figure;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_str<E: de::Error>(self, literal: &str) -> Result<Figure, E> {
        Figure::parse(literal)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Other(literal.trim()), &self))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Figure, D::Error> {
        d.deserialize_any(Number)
    }
}

/// A plain number (JSON and other human-readable formats).
struct Number;

impl<'de> Visitor<'de> for Number {
    type Value = Figure;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Figure, E> {
        Ok(Figure::new(v as f64, 0))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Figure, E> {
        Ok(Figure::new(v as f64, 0))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Figure, E> {
        // A float's text had a decimal point (or an exponent): at least one decimal.
        Ok(Figure::new(v, shortest_decimals(v).max(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_keep_their_decimals() {
        for (lit, value, decimals, shown) in [
            ("57", 57.0, 0, "57"),
            ("57.0", 57.0, 1, "57.0"),
            ("0.80", 0.8, 2, "0.80"),
            ("-13.9", -13.9, 1, "-13.9"),
            ("+5", 5.0, 0, "5"),
            ("0.0001", 0.0001, 4, "0.0001"),
            ("1e-4", 0.0001, 4, "0.0001"),
            ("2.5E3", 2500.0, 0, "2500"),
            ("1_000", 1000.0, 0, "1000"),
            ("0x1F", 31.0, 0, "31"),
            ("9.6f64", 9.6, 1, "9.6"),
            ("57i32", 57.0, 0, "57"),
            (".5", 0.5, 1, "0.5"),
            (" 3.50 ", 3.5, 2, "3.50"),
        ] {
            let f = Figure::parse(lit).unwrap_or_else(|| panic!("{lit}"));
            assert_eq!((f.value(), f.decimals()), (value, decimals), "{lit}");
            assert_eq!(f.to_string(), shown, "{lit}");
        }
        assert!(Figure::parse("inf").is_some_and(|f| f.value().is_infinite()));
        assert!(Figure::parse("NaN").is_some_and(|f| f.value().is_nan()));
        for bad in [
            "", "\"57\"", "(1, 2)", "abc", "1.2.3", "Some(1)", "1 2", "/* 1 */",
        ] {
            assert_eq!(Figure::parse(bad), None, "{bad}");
        }
        assert_eq!(Figure::new(-0.0, 1).to_string(), "0.0");
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Holder {
        a: Figure,
        b: Option<Figure>,
        ci: Option<(Figure, Figure)>,
        list: Vec<Figure>,
    }

    #[test]
    fn ron_reads_what_is_written() {
        let text = "#![enable(implicit_some)]\n\
                    Holder(a: 57.0, b: 0.80, ci: (0.55, 0.770), list: [57, -13.9, 1e-3])";
        let h: Holder = ron::from_str(text).unwrap();
        assert_eq!(h.a, Figure::new(57.0, 1));
        assert_eq!(h.b, Some(Figure::new(0.8, 2)));
        assert_eq!(h.ci, Some((Figure::new(0.55, 2), Figure::new(0.77, 3))));
        assert_eq!(
            h.list,
            [
                Figure::new(57.0, 0),
                Figure::new(-13.9, 1),
                Figure::new(0.001, 3)
            ]
        );
        // Comments and spacing around a value are not part of it.
        let h: Holder = ron::from_str(
            "Holder(a: /* x /* y */ */ 1.50 // z\n, b: None, ci: None, list: [ 2 /* w */ ])",
        )
        .unwrap();
        assert_eq!(h.a, Figure::new(1.5, 2));
        assert_eq!(h.list, [Figure::new(2.0, 0)]);
        // A value that is not a number is an error, as for an f64.
        assert!(ron::from_str::<Holder>("Holder(a: \"1\", b: None, ci: None, list: [])").is_err());
        assert!(ron::from_str::<Holder>("Holder(a: (1), b: None, ci: None, list: [])").is_err());
    }

    #[test]
    fn json_writes_numbers_and_reads_them_back() {
        let h = Holder {
            a: Figure::new(57.0, 1),
            b: Some(Figure::new(57.0, 0)),
            ci: Some((Figure::new(0.8, 2), Figure::new(-13.9, 1))),
            list: vec![Figure::new(0.0001, 4)],
        };
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(
            json,
            r#"{"a":57.0,"b":57,"ci":[0.8,-13.9],"list":[0.0001]}"#
        );
        let back: Holder = serde_json::from_str(&json).unwrap();
        assert_eq!(back.a, Figure::new(57.0, 1));
        assert_eq!(back.b, Some(Figure::new(57.0, 0)));
        // JSON's shortest float has no trailing zero: 0.80 comes back as 0.8.
        assert_eq!(back.ci, Some((Figure::new(0.8, 1), Figure::new(-13.9, 1))));
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }

    // The binary formats (build.rs, the pack cache) are covered where they are used: tests/
    // pack_cache.rs compares the cached and the build-time parsed packs with a fresh parse.
}
