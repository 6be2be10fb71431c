//! What the user asks for through the environment: `H5PAR_*` variables, MPI-IO hint lists and
//! byte sizes with suffixes.
//!
//! Everything here is pure: [`env_overrides`] takes the variable lookup as a function, so that
//! tests (and callers with their own configuration source) need not touch the real environment.

/// Largest MPI info key length (`MPI_MAX_INFO_KEY` is at least 32; implementations use 255).
const MAX_HINT_KEY: usize = 255;

/// Settings taken from the `H5PAR_*` environment variables; `None` (or empty) when not set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvOverrides {
    /// `H5PAR_STRIPE_COUNT`: the Lustre stripe count (a positive integer).
    pub stripe_count: Option<u32>,
    /// `H5PAR_STRIPE_SIZE`: the stripe size in bytes (suffixes k, M, G, T are binary).
    pub stripe_size: Option<u64>,
    /// `H5PAR_CB_NODES`: the number of collective-buffering aggregators (a positive integer).
    pub cb_nodes: Option<u32>,
    /// `H5PAR_HINTS`: extra MPI-IO hints, `key=value,key=value`, in the order given.
    pub hints: Vec<(String, String)>,
    /// `H5PAR_TUNING`: `on`/`off` (also `1`/`0`, `true`/`false`); `off` disables automatic tuning.
    pub tuning: Option<bool>,
    /// `H5PAR_REPORT`: where or whether to write the I/O report, passed on as given (trimmed).
    pub report: Option<String>,
    /// `H5PAR_LIBVER`: file-format bounds, `low,high` or one name (h5py's `libver`).
    pub libver: Option<(crate::tune::LibVer, crate::tune::LibVer)>,
}

/// Parses a hint list `key=value,key=value` into ordered pairs.
///
/// Spaces around keys and values are trimmed, empty items (as in `a=1,,b=2` or a trailing comma)
/// are skipped, a value may itself contain `=`, and a repeated key is kept twice (the later one wins
/// when the hints are applied). An empty string gives no hints. Errors: an item without `=`, an
/// empty key or value, a key longer than 255 bytes.
pub fn parse_hints(s: &str) -> Result<Vec<(String, String)>, String> {
    let mut hints = Vec::new();
    for item in s.split(',').map(str::trim).filter(|item| !item.is_empty()) {
        let Some((key, value)) = item.split_once('=') else {
            return Err(format!("hint \"{item}\" has no '=' (expected key=value)"));
        };
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() {
            return Err(format!("hint \"{item}\" has an empty key"));
        }
        if value.is_empty() {
            return Err(format!("hint \"{item}\" has an empty value"));
        }
        if key.len() > MAX_HINT_KEY {
            return Err(format!(
                "hint key \"{key}\" is longer than {MAX_HINT_KEY} bytes"
            ));
        }
        hints.push((key.to_owned(), value.to_owned()));
    }
    Ok(hints)
}

/// Parses a byte size: plain bytes (`4096`) or a number with a binary suffix `k`/`K` (KiB),
/// `M` (MiB), `G` (GiB) or `T` (TiB), optionally followed by `iB` or `B` (`16M`, `16MiB`, `1 G`).
/// Lowercase `m`, `g`, `t` are accepted too. Errors: an empty string, no digits, a fraction or other
/// junk, an unknown suffix, a value that overflows 64 bits.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let text = s.trim();
    if text.is_empty() {
        return Err("empty size".to_owned());
    }
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, suffix) = text.split_at(digits_end);
    if digits.is_empty() {
        return Err(format!("size \"{text}\" does not start with a number"));
    }
    let shift = match suffix.trim_start() {
        "" | "B" | "b" => 0,
        "k" | "K" | "KB" | "KiB" | "kB" | "kiB" => 10,
        "m" | "M" | "MB" | "MiB" => 20,
        "g" | "G" | "GB" | "GiB" => 30,
        "t" | "T" | "TB" | "TiB" => 40,
        other => {
            return Err(format!(
                "size \"{text}\" has an unknown suffix \"{other}\" (use k, M, G or T, binary)"
            ))
        }
    };
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("size \"{text}\" is too large"))?;
    number
        .checked_mul(1u64 << shift)
        .ok_or_else(|| format!("size \"{text}\" is too large"))
}

/// Formats a byte count for people: exact binary units where possible (`16 MiB`), otherwise one
/// decimal (`1.5 GiB`); below 1 KiB, plain bytes (`512 B`).
pub fn format_size(bytes: u64) -> String {
    const UNITS: [(&str, u32); 5] = [
        ("PiB", 50),
        ("TiB", 40),
        ("GiB", 30),
        ("MiB", 20),
        ("KiB", 10),
    ];
    for (unit, shift) in UNITS {
        let one = 1u64 << shift;
        if bytes >= one {
            return if bytes % one == 0 {
                format!("{} {unit}", bytes >> shift)
            } else {
                // Display only: the f64 rounding does not matter here.
                format!("{:.1} {unit}", bytes as f64 / one as f64)
            };
        }
    }
    format!("{bytes} B")
}

/// Reads the `H5PAR_*` settings through `get` (usually `|k| std::env::var(k).ok()`).
///
/// A variable that is unset, empty or only spaces counts as not set. Any malformed value is an
/// error naming the variable and the value, e.g. `H5PAR_STRIPE_SIZE="12Q": ...`.
pub fn env_overrides(get: impl Fn(&str) -> Option<String>) -> Result<EnvOverrides, String> {
    let var = |name: &str| get(name).filter(|v| !v.trim().is_empty());
    let bad = |name: &str, value: &str, why: String| format!("{name}=\"{value}\": {why}");

    let positive = |name: &str| -> Result<Option<u32>, String> {
        let Some(value) = var(name) else {
            return Ok(None);
        };
        match value.trim().parse::<u32>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(bad(
                name,
                &value,
                "expected a positive whole number".to_owned(),
            )),
        }
    };

    let stripe_count = positive("H5PAR_STRIPE_COUNT")?;
    let cb_nodes = positive("H5PAR_CB_NODES")?;

    let stripe_size = match var("H5PAR_STRIPE_SIZE") {
        None => None,
        Some(value) => match parse_size(&value) {
            Ok(0) => return Err(bad("H5PAR_STRIPE_SIZE", &value, "must not be 0".to_owned())),
            Ok(n) => Some(n),
            Err(why) => return Err(bad("H5PAR_STRIPE_SIZE", &value, why)),
        },
    };

    let hints = match var("H5PAR_HINTS") {
        None => Vec::new(),
        Some(value) => parse_hints(&value).map_err(|why| bad("H5PAR_HINTS", &value, why))?,
    };

    let tuning = match var("H5PAR_TUNING") {
        None => None,
        Some(value) => match value.trim().to_ascii_lowercase().as_str() {
            "on" | "1" | "true" => Some(true),
            "off" | "0" | "false" => Some(false),
            _ => {
                return Err(bad(
                    "H5PAR_TUNING",
                    &value,
                    "expected on, off, 1, 0, true or false".to_owned(),
                ))
            }
        },
    };

    let report = var("H5PAR_REPORT").map(|v| v.trim().to_owned());

    let libver = match var("H5PAR_LIBVER") {
        None => None,
        Some(value) => Some(
            crate::tune::LibVer::parse_bounds(&value)
                .map_err(|why| bad("H5PAR_LIBVER", &value, why))?,
        ),
    };

    Ok(EnvOverrides {
        stripe_count,
        stripe_size,
        cb_nodes,
        hints,
        tuning,
        report,
        libver,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn hints_in_order_and_trimmed() {
        assert_eq!(
            parse_hints(" romio_cb_write = enable , cb_buffer_size=16777216,striping_factor=8 "),
            Ok(pairs(&[
                ("romio_cb_write", "enable"),
                ("cb_buffer_size", "16777216"),
                ("striping_factor", "8"),
            ]))
        );
    }

    #[test]
    fn hints_empty_and_blank() {
        assert_eq!(parse_hints(""), Ok(vec![]));
        assert_eq!(parse_hints("   "), Ok(vec![]));
        assert_eq!(
            parse_hints("a=1,,b=2,"),
            Ok(pairs(&[("a", "1"), ("b", "2")]))
        );
    }

    #[test]
    fn hints_value_may_contain_equals_and_keys_may_repeat() {
        assert_eq!(
            parse_hints("a=x=y,a=2"),
            Ok(pairs(&[("a", "x=y"), ("a", "2")]))
        );
    }

    #[test]
    fn hints_errors() {
        let e = parse_hints("a=1,b").expect_err("missing =");
        assert!(e.contains("\"b\"") && e.contains("'='"), "{e}");
        let e = parse_hints("=1").expect_err("empty key");
        assert!(e.contains("empty key"), "{e}");
        let e = parse_hints(" = 1").expect_err("blank key");
        assert!(e.contains("empty key"), "{e}");
        let e = parse_hints("a=").expect_err("empty value");
        assert!(e.contains("empty value"), "{e}");
        let long = format!("{}=1", "k".repeat(256));
        assert!(parse_hints(&long).is_err());
        assert!(parse_hints(&format!("{}=1", "k".repeat(255))).is_ok());
    }

    #[test]
    fn sizes() {
        let cases: [(&str, u64); 14] = [
            ("0", 0),
            ("4096", 4096),
            ("1k", 1 << 10),
            ("1K", 1 << 10),
            ("16M", 16 << 20),
            ("16m", 16 << 20),
            ("16MiB", 16 << 20),
            ("16 MB", 16 << 20),
            ("2G", 2 << 30),
            ("3T", 3 << 40),
            (" 8 M ", 8 << 20),
            ("1024B", 1024),
            ("16777216", 16 << 20),
            ("16383T", 16383 << 40),
        ];
        for (text, bytes) in cases {
            assert_eq!(parse_size(text), Ok(bytes), "{text:?}");
        }
    }

    #[test]
    fn size_errors() {
        for bad in ["", "  ", "M", "-1", "1.5G", "12Q", "1MX", "0x10", "16 M B"] {
            assert!(parse_size(bad).is_err(), "{bad:?} accepted");
        }
        let e = parse_size("12Q").expect_err("suffix");
        assert!(e.contains("12Q") && e.contains("\"Q\""), "{e}");
        // Overflow of the number itself, and of the multiplication.
        assert!(parse_size("18446744073709551616").is_err());
        assert_eq!(parse_size("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(parse_size("16777215T"), Ok(16_777_215 << 40));
        let e = parse_size("16777216T").expect_err("overflow");
        assert!(e.contains("too large"), "{e}");
    }

    #[test]
    fn size_formatting() {
        assert_eq!(format_size(0), "0 B");
        assert_eq!(format_size(512), "512 B");
        assert_eq!(format_size(1 << 10), "1 KiB");
        assert_eq!(format_size(16 << 20), "16 MiB");
        assert_eq!(format_size(3 << 29), "1.5 GiB");
        assert_eq!(format_size(100_000_000), "95.4 MiB");
        assert_eq!(format_size(1 << 40), "1 TiB");
        assert_eq!(format_size(u64::MAX), "16384.0 PiB");
    }

    #[test]
    fn env_nothing_set() {
        assert_eq!(env_overrides(env(&[])), Ok(EnvOverrides::default()));
        let blank = env(&[("H5PAR_STRIPE_COUNT", ""), ("H5PAR_TUNING", "  ")]);
        assert_eq!(env_overrides(blank), Ok(EnvOverrides::default()));
    }

    #[test]
    fn env_everything_set() {
        let got = env_overrides(env(&[
            ("H5PAR_STRIPE_COUNT", "24"),
            ("H5PAR_STRIPE_SIZE", "4M"),
            ("H5PAR_CB_NODES", " 12 "),
            ("H5PAR_HINTS", "romio_ds_write=disable, cb_config_list=*:2"),
            ("H5PAR_TUNING", "Off"),
            ("H5PAR_REPORT", " stderr "),
            ("H5PAR_LIBVER", "v110"),
            ("UNRELATED", "x"),
        ]))
        .expect("valid");
        assert_eq!(
            got,
            EnvOverrides {
                stripe_count: Some(24),
                stripe_size: Some(4 << 20),
                cb_nodes: Some(12),
                hints: pairs(&[("romio_ds_write", "disable"), ("cb_config_list", "*:2")]),
                tuning: Some(false),
                report: Some("stderr".to_owned()),
                libver: Some((crate::tune::LibVer::V110, crate::tune::LibVer::Latest)),
            }
        );
        let e = env_overrides(env(&[("H5PAR_LIBVER", "newest")])).unwrap_err();
        assert!(e.contains("H5PAR_LIBVER") && e.contains("newest"), "{e}");
    }

    #[test]
    fn env_tuning_values() {
        for (text, value) in [
            ("on", true),
            ("ON", true),
            ("1", true),
            ("true", true),
            ("True", true),
            ("off", false),
            ("0", false),
            ("false", false),
            ("FALSE", false),
        ] {
            let got = env_overrides(env(&[("H5PAR_TUNING", text)])).expect(text);
            assert_eq!(got.tuning, Some(value), "{text}");
        }
    }

    #[test]
    fn env_errors_name_variable_and_value() {
        let cases = [
            ("H5PAR_STRIPE_COUNT", "0"),
            ("H5PAR_STRIPE_COUNT", "-1"),
            ("H5PAR_STRIPE_COUNT", "eight"),
            ("H5PAR_STRIPE_COUNT", "4294967296"),
            ("H5PAR_CB_NODES", "0"),
            ("H5PAR_CB_NODES", "2.5"),
            ("H5PAR_STRIPE_SIZE", "0"),
            ("H5PAR_STRIPE_SIZE", "12Q"),
            ("H5PAR_STRIPE_SIZE", "99999999T"),
            ("H5PAR_HINTS", "romio_cb_write"),
            ("H5PAR_HINTS", "=enable"),
            ("H5PAR_TUNING", "maybe"),
        ];
        for (name, value) in cases {
            let err = env_overrides(env(&[(name, value)])).expect_err(value);
            assert!(
                err.starts_with(&format!("{name}=\"{value}\": ")),
                "{name}={value}: {err}"
            );
        }
    }
}
