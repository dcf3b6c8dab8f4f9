//! The ATerm text form of a derivation (`Derive([...],...)`), printed and parsed
//! byte for byte as CppNix does.
//!
//! Output names and paths, hash algorithms, input paths and the platform are
//! written between quotes without escaping; the builder, arguments and
//! environment are escaped (`\"`, `\\`, `\n`, `\r`, `\t`). All other bytes,
//! including non-UTF-8 ones, are written as they are.

use std::collections::BTreeSet;
use std::ops::Range;

use thiserror::Error;

use super::{Derivation, DerivationError, DerivationOutput, InputDrvs};
use crate::hash::{Hash, HashAlgo, MAX_DIGEST};
use crate::store_path::{FileIngestionMethod, StoreDir, StorePath};

/// Where and why an ATerm could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid derivation at byte {offset}: {message}")]
pub struct AtermError {
    /// Byte offset into the input.
    pub offset: usize,
    pub message: String,
}

/// How inputs are printed: the real input derivations, or the hash-modulo
/// replacement `hashDerivationModulo` uses (base-16 hash -> output names).
pub(super) enum InputsView<'a> {
    Real,
    /// Pairs of a hash modulo and an output name, sorted, without repeats.
    Replaced(&'a [(Hash, &'a str)]),
}

fn push_quoted_raw(out: &mut Vec<u8>, s: &[u8]) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    out.extend_from_slice(s);
    out.push(b'"');
}

/// Whether a byte is escaped in quoted strings.
const ESCAPED: [bool; 256] = {
    let mut t = [false; 256];
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'\t' as usize] = true;
    t
};

/// The index of the first byte of `s` that is escaped. Eight bytes are
/// looked at together: a word with no byte below 14 (which `\t`, `\n` and
/// `\r` are), no `"` and no `\\` holds none.
fn next_escaped(s: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Some byte of `x` is below `n` (for n <= 128), exactly when nonzero.
    let has_less = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGHS;
    let mut chunks = s.chunks_exact(8);
    let mut start = 0;
    for chunk in &mut chunks {
        let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let flagged =
            has_less(w, 14) | has_less(w ^ (ONES * u64::from(b'"')), 1) | has_less(w ^ (ONES * u64::from(b'\\')), 1);
        if flagged != 0 {
            if let Some(i) = chunk.iter().position(|&c| ESCAPED[usize::from(c)]) {
                return Some(start + i);
            }
        }
        start += 8;
    }
    chunks.remainder().iter().position(|&c| ESCAPED[usize::from(c)]).map(|i| start + i)
}

/// What an escaped byte is written as.
fn escape(c: u8) -> &'static [u8] {
    match c {
        b'"' => b"\\\"",
        b'\\' => b"\\\\",
        b'\n' => b"\\n",
        b'\r' => b"\\r",
        _ => b"\\t",
    }
}

/// Strings up to this long are looked at a byte at a time: most names and
/// many values of an environment are, and for them the word-at-a-time
/// search costs more than it saves.
const SHORT: usize = 24;

/// Writes a quoted, escaped string: runs of ordinary bytes are copied whole.
pub(super) fn push_quoted_escaped(out: &mut Vec<u8>, s: &[u8]) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    if s.len() <= SHORT && !s.iter().any(|&c| ESCAPED[usize::from(c)]) {
        out.extend_from_slice(s);
    } else {
        let mut rest = s;
        while let Some(i) = next_escaped(rest) {
            out.extend_from_slice(&rest[..i]);
            out.extend_from_slice(escape(rest[i]));
            rest = &rest[i + 1..];
        }
        out.extend_from_slice(rest);
    }
    out.push(b'"');
}

fn push_list<I, T>(out: &mut Vec<u8>, items: I, mut item: impl FnMut(&mut Vec<u8>, T))
where
    I: IntoIterator<Item = T>,
{
    out.push(b'[');
    for (i, x) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        item(out, x);
    }
    out.push(b']');
}

/// `"r:sha256"` or `"sha256"`.
fn push_method_algo(out: &mut Vec<u8>, method: FileIngestionMethod, algo: HashAlgo) {
    out.push(b'"');
    out.extend_from_slice(method.prefix().as_bytes());
    out.extend_from_slice(algo.name().as_bytes());
    out.push(b'"');
}

/// A rough size of a derivation's ATerm, to allocate its buffer once.
pub(super) fn estimated_len(drv: &Derivation) -> usize {
    let env: usize = drv.env.iter().map(|(k, v)| k.len() + v.len() + 8).sum();
    let args: usize = drv.args.iter().map(|a| a.len() + 3).sum();
    let paths = drv.outputs.len() * 2 + drv.input_drvs.len() + drv.input_srcs.len();
    256 + env + args + drv.builder.len() + drv.platform.len() + paths * 100
}

/// Prints a derivation (Nix's `Derivation::unparse`). With `mask_outputs`, output
/// paths and the environment variables named after outputs are printed empty.
pub(super) fn unparse(
    drv: &Derivation,
    store_dir: &StoreDir,
    mask_outputs: bool,
    inputs: InputsView<'_>,
) -> Result<Vec<u8>, DerivationError> {
    let mut out = Vec::with_capacity(estimated_len(drv));
    unparse_into(&mut out, drv, store_dir, mask_outputs, inputs, None)?;
    Ok(out)
}

/// Where, in a derivation printed while its outputs were deferred, the
/// outputs' paths go once known (see [`unparse_into`]).
#[derive(Debug, Default)]
pub(super) struct OutputMarks {
    /// For each output, in order, the offset of its (empty) path.
    pub outputs: Vec<usize>,
    /// For each environment variable named after an output, the offset of
    /// its (empty) value and the output's index.
    pub env: Vec<(usize, usize)>,
}

/// [`unparse`] appending to `out`; gives the range of `out` that holds the
/// list of input derivations. With `marks`, records where output paths are
/// printed (empty, as the outputs are deferred) and where the environment
/// variables named after outputs have their values.
pub(super) fn unparse_into(
    out: &mut Vec<u8>,
    drv: &Derivation,
    store_dir: &StoreDir,
    mask_outputs: bool,
    inputs: InputsView<'_>,
    mut marks: Option<&mut OutputMarks>,
) -> Result<Range<usize>, DerivationError> {
    out.extend_from_slice(b"Derive(");
    out.push(b'[');
    for (i, (name, output)) in drv.outputs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'(');
        push_quoted_raw(out, name.as_bytes());
        out.push(b',');
        if let Some(m) = marks.as_deref_mut() {
            m.outputs.push(out.len() + 1);
        }
        match output {
            DerivationOutput::InputAddressed(p) => {
                out.push(b'"');
                if !mask_outputs {
                    store_dir.push_path(out, p);
                }
                out.extend_from_slice(b"\",\"\",\"\"");
            }
            DerivationOutput::Fixed { method, hash } => {
                out.push(b'"');
                if !mask_outputs {
                    store_dir.push_path(out, &drv.fixed_output_path(store_dir, name, *method, hash)?);
                }
                out.extend_from_slice(b"\",");
                push_method_algo(out, *method, hash.algo());
                out.push(b',');
                let mut buf = [0u8; 2 * MAX_DIGEST];
                push_quoted_raw(out, hash.base16_bytes_into(&mut buf));
            }
            DerivationOutput::Floating { method, algo } => {
                out.extend_from_slice(b"\"\",");
                push_method_algo(out, *method, *algo);
                out.extend_from_slice(b",\"\"");
            }
            DerivationOutput::Deferred => out.extend_from_slice(b"\"\",\"\",\"\""),
            DerivationOutput::Impure { method, algo } => {
                out.extend_from_slice(b"\"\",");
                push_method_algo(out, *method, *algo);
                out.extend_from_slice(b",\"impure\"");
            }
        }
        out.push(b')');
    }
    out.extend_from_slice(b"],");
    let inputs_start = out.len();
    match inputs {
        InputsView::Real => unparse_real_inputs(out, &drv.input_drvs, store_dir),
        InputsView::Replaced(pairs) => {
            unparse_replaced_inputs(out, pairs);
        }
    }
    let inputs_end = out.len();
    push_middle(out, &drv.input_srcs, &drv.platform, &drv.builder, store_dir);
    push_list(out, &drv.args, |out, a| push_quoted_escaped(out, a));
    out.push(b',');
    push_list(out, &drv.env, |out, (k, v)| {
        out.push(b'(');
        push_quoted_escaped(out, k);
        out.push(b',');
        let mut masked = false;
        if mask_outputs || marks.is_some() {
            let output = drv.outputs.keys().position(|o| o.as_bytes() == &k[..]);
            if let (Some(i), Some(m)) = (output, marks.as_deref_mut()) {
                m.env.push((out.len() + 1, i));
            }
            masked = mask_outputs && output.is_some();
        }
        push_quoted_escaped(out, if masked { b"" } else { v });
        out.push(b')');
    });
    out.push(b')');
    Ok(inputs_start..inputs_end)
}

/// Appends what lies between the input derivations and the arguments:
/// `,[<input sources>],"<platform>","<builder>",`.
pub(super) fn push_middle(
    out: &mut Vec<u8>,
    input_srcs: &BTreeSet<StorePath>,
    platform: &[u8],
    builder: &[u8],
    store_dir: &StoreDir,
) {
    out.push(b',');
    push_list(out, input_srcs, |out, p| {
        out.push(b'"');
        store_dir.push_path(out, p);
        out.push(b'"');
    });
    out.push(b',');
    push_quoted_raw(out, platform);
    out.push(b',');
    push_quoted_escaped(out, builder);
    out.push(b',');
}

/// Appends the list of input derivations as the `.drv` file has it.
pub(super) fn unparse_real_inputs(out: &mut Vec<u8>, input_drvs: &InputDrvs, store_dir: &StoreDir) {
    push_list(out, input_drvs, |out, (path, names)| {
        out.extend_from_slice(b"(\"");
        store_dir.push_path(out, path);
        out.extend_from_slice(b"\",");
        push_list(out, names, |out, n| push_quoted_raw(out, n.as_bytes()));
        out.push(b')');
    });
}

/// The length of what [`unparse_real_inputs`] appends.
pub(super) fn real_inputs_len(input_drvs: &InputDrvs, store_dir: &StoreDir) -> usize {
    let items: usize = input_drvs
        .iter()
        .map(|(path, names)| {
            // `("<path>",[<names>])`, each name quoted, commas between.
            let names_len: usize = names.iter().map(|n| n.len() + 2).sum::<usize>() + names.len().saturating_sub(1);
            2 + store_dir.printed_len(path) + 2 + 2 + names_len + 1
        })
        .sum();
    2 + items + input_drvs.len().saturating_sub(1)
}

/// Appends the list of input derivations as `hashDerivationModulo` prints
/// them; gives the new length of `out`.
pub(super) fn unparse_replaced_inputs(out: &mut Vec<u8>, replaced: &[(Hash, &str)]) -> usize {
    // Each hash once, with the names that follow it; the pairs are sorted
    // by digest, which orders the base-16 texts the same way.
    let groups = replaced.chunk_by(|a, b| a.0.digest() == b.0.digest());
    push_list(out, groups, |out, group| {
        out.push(b'(');
        let mut buf = [0u8; 2 * MAX_DIGEST];
        push_quoted_raw(out, group[0].0.base16_bytes_into(&mut buf));
        out.push(b',');
        push_list(out, group, |out, (_, n)| push_quoted_raw(out, n.as_bytes()));
        out.push(b')');
    });
    out.len()
}

struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, message: impl Into<String>) -> AtermError {
        AtermError { offset: self.pos, message: message.into() }
    }

    fn expect(&mut self, s: &[u8]) -> Result<(), AtermError> {
        if self.input[self.pos..].starts_with(s) {
            self.pos += s.len();
            Ok(())
        } else {
            Err(self.error(format!("expected '{}'", String::from_utf8_lossy(s))))
        }
    }

    /// True (and consumes `]`) at the end of a list; otherwise consumes the `,`
    /// between elements.
    fn end_of_list(&mut self, first: &mut bool) -> Result<bool, AtermError> {
        if self.input.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(true);
        }
        if !*first {
            self.expect(b",")?;
        }
        *first = false;
        Ok(false)
    }

    /// A quoted string, undoing Nix's escapes (`\n`, `\r`, `\t`; any other escaped
    /// byte stands for itself).
    fn string(&mut self) -> Result<Vec<u8>, AtermError> {
        self.expect(b"\"")?;
        let mut out = Vec::new();
        loop {
            let c = *self.input.get(self.pos).ok_or_else(|| self.error("unterminated string"))?;
            self.pos += 1;
            match c {
                b'"' => return Ok(out),
                b'\\' => {
                    let e = *self.input.get(self.pos).ok_or_else(|| self.error("unterminated string"))?;
                    self.pos += 1;
                    out.push(match e {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        other => other,
                    });
                }
                _ => out.push(c),
            }
        }
    }

    fn utf8_string(&mut self) -> Result<String, AtermError> {
        let start = self.pos;
        let bytes = self.string()?;
        String::from_utf8(bytes)
            .map_err(|_| AtermError { offset: start, message: "string is not valid UTF-8".to_owned() })
    }

    fn store_path(&mut self, store_dir: &StoreDir) -> Result<crate::StorePath, AtermError> {
        let start = self.pos;
        let s = self.utf8_string()?;
        store_dir.parse_path(&s).map_err(|e| AtermError { offset: start, message: e.to_string() })
    }

    fn string_list(&mut self) -> Result<Vec<Vec<u8>>, AtermError> {
        self.expect(b"[")?;
        let mut items = Vec::new();
        let mut first = true;
        while !self.end_of_list(&mut first)? {
            items.push(self.string()?);
        }
        Ok(items)
    }
}

fn parse_method_algo(s: &str) -> Option<(FileIngestionMethod, HashAlgo)> {
    let (method, algo) = match s.strip_prefix("r:") {
        Some(rest) => (FileIngestionMethod::Recursive, rest),
        None => (FileIngestionMethod::Flat, s),
    };
    Some((method, HashAlgo::from_name(algo)?))
}

/// Parses a derivation in ATerm form (Nix's `parseDerivation`). `name` is the
/// derivation's name (the `.drv` file's name without `.drv`); it is needed to
/// compute fixed output paths when printing again.
pub fn parse(input: &[u8], name: &str, store_dir: &StoreDir) -> Result<Derivation, AtermError> {
    let mut p = Parser { input, pos: 0 };
    let mut drv = Derivation::new(name);
    p.expect(b"Derive([")?;
    let mut first = true;
    while !p.end_of_list(&mut first)? {
        p.expect(b"(")?;
        let out_name = p.utf8_string()?;
        p.expect(b",")?;
        let path_start = p.pos;
        let path = p.utf8_string()?;
        p.expect(b",")?;
        let algo_start = p.pos;
        let algo = p.utf8_string()?;
        p.expect(b",")?;
        let hash_start = p.pos;
        let hash = p.utf8_string()?;
        p.expect(b")")?;
        let at = |offset: usize, message: String| AtermError { offset, message };
        let output = if algo.is_empty() {
            if path.is_empty() {
                DerivationOutput::Deferred
            } else {
                DerivationOutput::InputAddressed(
                    store_dir.parse_path(&path).map_err(|e| at(path_start, e.to_string()))?,
                )
            }
        } else {
            let (method, algo_parsed) =
                parse_method_algo(&algo).ok_or_else(|| at(algo_start, format!("unknown hash algorithm '{algo}'")))?;
            if hash == "impure" {
                DerivationOutput::Impure { method, algo: algo_parsed }
            } else if hash.is_empty() {
                DerivationOutput::Floating { method, algo: algo_parsed }
            } else {
                store_dir.parse_path(&path).map_err(|e| at(path_start, e.to_string()))?;
                DerivationOutput::Fixed {
                    method,
                    hash: Hash::parse_non_sri_unprefixed(&hash, algo_parsed)
                        .map_err(|e| at(hash_start, e.to_string()))?,
                }
            }
        };
        drv.outputs.insert(out_name, output);
    }
    p.expect(b",[")?;
    let mut first = true;
    while !p.end_of_list(&mut first)? {
        p.expect(b"(")?;
        let path = p.store_path(store_dir)?;
        p.expect(b",")?;
        let names = p
            .string_list()?
            .into_iter()
            .map(|n| String::from_utf8(n).map_err(|_| p.error("output name is not UTF-8")))
            .collect::<Result<BTreeSet<_>, _>>()?;
        p.expect(b")")?;
        drv.input_drvs.insert(path, names);
    }
    p.expect(b",[")?;
    let mut first = true;
    while !p.end_of_list(&mut first)? {
        let path = p.store_path(store_dir)?;
        drv.input_srcs.insert(path);
    }
    p.expect(b",")?;
    drv.platform = p.string()?;
    p.expect(b",")?;
    drv.builder = p.string()?;
    p.expect(b",")?;
    drv.args = p.string_list()?;
    p.expect(b",[")?;
    let mut first = true;
    while !p.end_of_list(&mut first)? {
        p.expect(b"(")?;
        let k = p.string()?;
        p.expect(b",")?;
        let v = p.string()?;
        p.expect(b")")?;
        drv.env.insert(k, v);
    }
    p.expect(b")")?;
    if p.pos != input.len() {
        return Err(p.error("trailing data after derivation"));
    }
    Ok(drv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_escaped_bytes_everywhere() {
        for len in 0..40 {
            for at in 0..len {
                for special in [b'"', b'\\', b'\n', b'\r', b'\t'] {
                    let mut s: Vec<u8> = (0..len).map(|i| [b'a', 0x01, 0x0e, 0xff, b'!', b'#', b'['][i % 7]).collect();
                    s[at] = special;
                    assert_eq!(next_escaped(&s), Some(at), "{s:?}");
                }
            }
            let plain: Vec<u8> = (0..len).map(|i| (i * 37 % 256) as u8).filter(|&c| !ESCAPED[usize::from(c)]).collect();
            assert_eq!(next_escaped(&plain), None);
        }
    }
}
