//! The usual derivation, printed as it is made: one input-addressed output
//! `out`, arguments and environment written into the ATerm text as the
//! evaluator finds them.
//!
//! Nearly every derivation of a package set is of this kind. Made as a
//! [`Derivation`](super::Derivation), each environment variable was two
//! allocations (name and value) in a map that was then printed, twice,
//! and freed; here each is printed once, into one buffer, and the text
//! the output path is computed from is put together from the pieces. The
//! result is byte for byte what [`Derivation::fill_outputs_and_write`]
//! gives for the same derivation (a test below compares the two).
//!
//! [`Derivation::fill_outputs_and_write`]: super::Derivation::fill_outputs_and_write

use std::collections::BTreeSet;

use super::aterm::{self, OutputMarks};
use super::{
    replaced_inputs, DerivationError, DerivationKind, DrvHashKind, DrvHashModulo, InputDrvs, InputHashLookup, Masked,
    Parts, WrittenDerivation,
};
use crate::hash::{hash_bytes, HashAlgo};
use crate::store_path::{StoreDir, StorePath};

/// A derivation whose only output is the input-addressed `out`.
#[derive(Debug, Default)]
pub struct SingleOutputDrv {
    pub name: String,
    pub platform: Vec<u8>,
    pub builder: Vec<u8>,
    pub input_drvs: InputDrvs,
    pub input_srcs: BTreeSet<StorePath>,
    /// The arguments, printed, separated by commas.
    args: Vec<u8>,
    /// The environment's entries, printed, separated by commas; `out`'s
    /// value is left empty.
    env: Vec<u8>,
    /// Where in `env` the value of `out` goes, once its entry is there.
    out_value: Option<usize>,
}

impl SingleOutputDrv {
    pub fn new(name: String) -> SingleOutputDrv {
        // Room for a typical package's environment at once.
        SingleOutputDrv { name, env: Vec::with_capacity(512), ..SingleOutputDrv::default() }
    }

    /// Appends an argument.
    pub fn push_arg(&mut self, arg: &[u8]) {
        if !self.args.is_empty() {
            self.args.push(b',');
        }
        aterm::push_quoted_escaped(&mut self.args, arg);
    }

    /// Appends an environment variable. Names must come in increasing
    /// order, and none may be `out` (the output's, put in its place here).
    pub fn push_env(&mut self, name: &[u8], value: &[u8]) {
        debug_assert!(name != b"out", "`out` is the output's variable");
        if self.out_value.is_none() && name > &b"out"[..] {
            self.push_out();
        }
        self.push_entry(name, value);
    }

    fn push_entry(&mut self, name: &[u8], value: &[u8]) {
        if !self.env.is_empty() {
            self.env.push(b',');
        }
        self.env.push(b'(');
        aterm::push_quoted_escaped(&mut self.env, name);
        self.env.push(b',');
        aterm::push_quoted_escaped(&mut self.env, value);
        self.env.push(b')');
    }

    fn push_out(&mut self) {
        self.push_entry(b"out", b"");
        // Before the closing `")`.
        self.out_value = Some(self.env.len() - 2);
    }

    /// Computes the output path and prints the `.drv` file, as
    /// `derivationStrict` does; gives the derivation as written and the
    /// output's path (none when an input is deferred, and so is `out`).
    pub fn write(
        mut self,
        store_dir: &StoreDir,
        input_hash: &mut InputHashLookup<'_>,
    ) -> Result<(WrittenDerivation, Option<StorePath>), DerivationError> {
        if self.out_value.is_none() {
            self.push_out();
        }
        let kind = DerivationKind::InputAddressed { deferred: true };
        let (replaced, result_kind) = replaced_inputs(&self.name, &self.input_drvs, kind, input_hash)?;

        const OUTPUTS: &[u8] = b"Derive([(\"out\",\"";
        let mut masked = Vec::with_capacity(OUTPUTS.len() + 300 + self.args.len() + self.env.len());
        masked.extend_from_slice(OUTPUTS);
        let out_path = masked.len();
        masked.extend_from_slice(b"\",\"\",\"\")],");
        let inputs_start = masked.len();
        aterm::unparse_replaced_inputs(&mut masked, &replaced);
        let inputs = inputs_start..masked.len();
        drop(replaced);
        aterm::push_middle(&mut masked, &self.input_srcs, &self.platform, &self.builder, store_dir);
        masked.push(b'[');
        masked.extend_from_slice(&self.args);
        masked.extend_from_slice(b"],[");
        let out_value = masked.len() + self.out_value.expect("placed above");
        masked.extend_from_slice(&self.env);
        masked.extend_from_slice(b"])");
        let marks = OutputMarks { outputs: vec![out_path], env: vec![(out_value, 0)] };
        let masked_hash = hash_bytes(HashAlgo::Sha256, &masked);

        let parts = Parts { name: &self.name, input_drvs: &self.input_drvs, input_srcs: &self.input_srcs };
        if result_kind == DrvHashKind::Deferred {
            // `out` stays deferred: the file is the masked text with the
            // real inputs, and hashes modulo as the masked text does.
            let none = OutputMarks::default();
            let masked = Masked { text: &masked, marks: &none, inputs };
            let (aterm, path, _) = parts.write_masked(store_dir, &masked, &[])?;
            let hash_modulo = DrvHashModulo::out(masked_hash, result_kind);
            return Ok((WrittenDerivation { aterm, path, hash_modulo }, None));
        }
        let out = store_dir.make_output_path("out", &masked_hash, &self.name)?;
        let masked = Masked { text: &masked, marks: &marks, inputs };
        let (aterm, path, modulo) = parts.write_masked(store_dir, &masked, std::slice::from_ref(&out))?;
        let hash_modulo = DrvHashModulo::out(modulo, result_kind);
        Ok((WrittenDerivation { aterm, path, hash_modulo }, Some(out)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::derivation::{Derivation, OutputsSpec};

    fn dir() -> StoreDir {
        StoreDir::default()
    }

    fn path(base: &str) -> StorePath {
        StorePath::from_base_name(base).unwrap()
    }

    /// The same derivation made both ways.
    fn both(
        env: &[(&str, &str)],
        args: &[&str],
        input_drvs: &[(&str, &[&str])],
        input_srcs: &[&str],
    ) -> (Derivation, SingleOutputDrv) {
        let mut drv = Derivation::new("hello-1.0");
        let mut single = SingleOutputDrv::new("hello-1.0".to_owned());
        drv.platform = b"x86_64-linux".to_vec();
        single.platform = drv.platform.clone();
        drv.builder = b"/bin/sh".to_vec();
        single.builder = drv.builder.clone();
        for a in args {
            drv.args.push(a.as_bytes().to_vec());
            single.push_arg(a.as_bytes());
        }
        for (k, v) in env {
            drv.env.insert(k.as_bytes().to_vec(), v.as_bytes().to_vec());
            single.push_env(k.as_bytes(), v.as_bytes());
        }
        for (p, outs) in input_drvs {
            let outs: BTreeSet<String> = outs.iter().map(|o| o.to_string()).collect();
            drv.input_drvs.insert(path(p), outs.clone());
            single.input_drvs.insert(path(p), outs);
        }
        for p in input_srcs {
            drv.input_srcs.insert(path(p));
            single.input_srcs.insert(path(p));
        }
        (drv, single)
    }

    fn input_hash(deferred: bool) -> impl FnMut(&StorePath) -> Result<DrvHashModulo, DerivationError> {
        move |p| {
            let h = hash_bytes(HashAlgo::Sha256, p.to_string().as_bytes());
            let kind = if deferred { DrvHashKind::Deferred } else { DrvHashKind::Regular };
            Ok(DrvHashModulo::new([("out".to_owned(), h.clone()), ("dev".to_owned(), h)], kind))
        }
    }

    fn check(drv: Derivation, single: SingleOutputDrv, deferred: bool) {
        let mut drv = drv;
        let spec = OutputsSpec::InputAddressed(vec!["out".to_owned()]);
        let expected = drv.fill_outputs_and_write(&dir(), &spec, &mut input_hash(deferred)).unwrap();
        let (written, out) = single.write(&dir(), &mut input_hash(deferred)).unwrap();
        assert_eq!(String::from_utf8_lossy(&written.aterm), String::from_utf8_lossy(&expected.aterm));
        assert_eq!(written.path, expected.path);
        assert_eq!(written.hash_modulo, expected.hash_modulo);
        let expected_out = match &drv.outputs["out"] {
            crate::DerivationOutput::InputAddressed(p) => Some(p.clone()),
            _ => None,
        };
        assert_eq!(out, expected_out);
        assert_eq!(out.is_none(), deferred);
    }

    const DEP: &str = "c496mlqjgncx0a4pa3y7s00f3ydg58rw-dep.drv";
    const LIB: &str = "j9ws2y0aa7268ib425r0sjw4qqrpdw8d-lib.drv";
    const SRC: &str = "kh06q4aa0cdzpz0m9xg1c6lhm4n87544-src";

    #[test]
    fn agrees_with_the_general_path() {
        let env = [
            ("buildCommand", "echo \"hi\"\n\t> $out\\"),
            ("builder", "/bin/sh"),
            ("name", "hello-1.0"),
            ("system", "x86_64-linux"),
        ];
        let (drv, single) = both(&env, &["-c", "echo \"$x\"\n"], &[], &[]);
        check(drv, single, false);
        let (drv, single) = both(&env, &[], &[(DEP, &["out"]), (LIB, &["dev", "out"])], &[SRC]);
        check(drv, single, false);
    }

    #[test]
    fn out_goes_in_its_place() {
        // Before every name, after every name, and between.
        for env in
            [&[("z", "1")][..], &[("a", "1")][..], &[("a", "1"), ("ou", "2"), ("outs", "3"), ("z", "4")][..], &[]]
        {
            let (drv, single) = both(env, &["x"], &[(DEP, &["out"])], &[]);
            check(drv, single, false);
        }
    }

    #[test]
    fn a_deferred_input_defers_out() {
        let (drv, single) = both(&[("name", "hello-1.0")], &[], &[(DEP, &["out"])], &[SRC]);
        check(drv, single, true);
    }

    #[test]
    fn invalid_names_fail_alike() {
        let long = "x".repeat(300);
        let mut drv = Derivation::new(&long);
        drv.builder = b"b".to_vec();
        let spec = OutputsSpec::InputAddressed(vec!["out".to_owned()]);
        let expected = drv.fill_outputs_and_write(&dir(), &spec, &mut input_hash(false)).unwrap_err().to_string();
        let mut single = SingleOutputDrv::new(long);
        single.builder = b"b".to_vec();
        let got = single.write(&dir(), &mut input_hash(false)).unwrap_err().to_string();
        assert_eq!(got, expected);
    }
}
