//! Derivations: the data, the ATerm form, `hashDerivationModulo`, and output path
//! computation as CppNix 2.8's `derivationStrict` does it.

pub mod aterm;
mod single;
mod sorted_map;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::BuildHasherDefault;

use thiserror::Error;

pub use aterm::AtermError;
use aterm::InputsView;
pub use single::SingleOutputDrv;
pub use sorted_map::SortedMap;

use crate::hash::{hash_bytes, Hash, HashAlgo, Hasher};
use crate::nixbase32;
use crate::store_path::{output_path_name, FileIngestionMethod, StoreDir, StorePath, StorePathError};

/// One output of a derivation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DerivationOutput {
    /// An input-addressed output with its computed path.
    InputAddressed(StorePath),
    /// A fixed-output (`outputHash`) output; its path follows from the hash.
    Fixed { method: FileIngestionMethod, hash: Hash },
    /// A floating content-addressed output (experimental `ca-derivations`).
    Floating { method: FileIngestionMethod, algo: HashAlgo },
    /// An input-addressed output whose path is not known yet.
    Deferred,
    /// An impure output (experimental `impure-derivations`).
    Impure { method: FileIngestionMethod, algo: HashAlgo },
}

/// A derivation. Strings that come from the Nix language (platform, builder,
/// arguments, environment) are bytes and need not be UTF-8.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Derivation {
    /// The name (the `.drv` file is `<name>.drv`).
    pub name: String,
    /// Outputs by name.
    pub outputs: SortedMap<String, DerivationOutput>,
    /// Input derivations and the outputs used from each.
    pub input_drvs: InputDrvs,
    /// Input sources (store paths that are not derivation outputs).
    pub input_srcs: BTreeSet<StorePath>,
    pub platform: Vec<u8>,
    pub builder: Vec<u8>,
    pub args: Vec<Vec<u8>>,
    pub env: SortedMap<Vec<u8>, Vec<u8>>,
}

/// Input derivations and the outputs used from each.
pub type InputDrvs = SortedMap<StorePath, BTreeSet<String>>;

/// Errors computing with derivations.
#[derive(Debug, Error)]
pub enum DerivationError {
    #[error(transparent)]
    StorePath(#[from] StorePathError),
    #[error(transparent)]
    Aterm(#[from] AtermError),
    #[error("derivation '{0}' must have at least one output")]
    NoOutputs(String),
    #[error("derivation '{0}' can't mix derivation output types")]
    MixedOutputTypes(String),
    #[error("derivation '{0}': only one fixed output is allowed for now")]
    MultipleFixedOutputs(String),
    #[error("derivation '{0}': single fixed output must be named \"out\"")]
    FixedOutputNotOut(String),
    #[error("derivation '{0}': all floating outputs must use the same hash type")]
    MixedFloatingAlgos(String),
    #[error("no hash for output '{output}' of derivation '{drv}'")]
    MissingOutputHash { output: String, drv: String },
    #[error("derivation '{0}' is not known")]
    UnknownDerivation(String),
    /// An error from a caller-supplied lookup.
    #[error("{0}")]
    Lookup(Box<dyn std::error::Error + Send + Sync>),
}

/// What kind of derivation the outputs make it (Nix's `DerivationType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DerivationKind {
    InputAddressed { deferred: bool },
    FixedOutput,
    Floating,
    Impure,
}

/// Whether a hash modulo is final or depends on not-yet-known outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrvHashKind {
    Regular,
    /// Depends on a floating content-addressed or impure derivation.
    Deferred,
}

/// The result of `hashDerivationModulo`: one hash per output.
///
/// A cache holds one of these per derivation (tens of thousands in a
/// package set) and every derivation looks up those of its inputs, so the
/// common case, a single output `out`, keeps its hash inline: copying it
/// allocates nothing. Only its sha256 digest is kept (hashes modulo are
/// sha256), not a `Hash` sized for sha512: the evaluator's record of its
/// derivations holds one per derivation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrvHashModulo {
    hashes: OutputHashes,
    pub kind: DrvHashKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum OutputHashes {
    /// The only output is `out`, with this sha256 digest.
    Out([u8; 32]),
    /// Any other outputs, sorted by name.
    Named(Box<[(Box<str>, Hash)]>),
}

impl DrvHashModulo {
    /// The hashes of the outputs, by name.
    pub fn new(hashes: impl IntoIterator<Item = (String, Hash)>, kind: DrvHashKind) -> DrvHashModulo {
        let mut named: Vec<(Box<str>, Hash)> = hashes.into_iter().map(|(n, h)| (n.into_boxed_str(), h)).collect();
        named.sort_by(|a, b| a.0.cmp(&b.0));
        named.dedup_by(|a, b| a.0 == b.0);
        let hashes = match &mut named[..] {
            [(name, h)] if &**name == "out" => match sha256_digest(h) {
                Some(d) => OutputHashes::Out(d),
                None => OutputHashes::Named(named.into_boxed_slice()),
            },
            _ => OutputHashes::Named(named.into_boxed_slice()),
        };
        DrvHashModulo { hashes, kind }
    }

    /// The hash of a derivation whose only output is `out`.
    fn out(h: Hash, kind: DrvHashKind) -> DrvHashModulo {
        match sha256_digest(&h) {
            Some(d) => DrvHashModulo { hashes: OutputHashes::Out(d), kind },
            None => DrvHashModulo { hashes: OutputHashes::Named(Box::new([("out".into(), h)])), kind },
        }
    }

    /// The same hash for each of `outputs` (sorted, as a derivation's).
    fn uniform<'a>(outputs: impl ExactSizeIterator<Item = &'a String>, h: Hash, kind: DrvHashKind) -> DrvHashModulo {
        let mut outputs = outputs.peekable();
        if outputs.len() == 1 && outputs.peek().is_some_and(|n| *n == "out") {
            if let Some(d) = sha256_digest(&h) {
                return DrvHashModulo { hashes: OutputHashes::Out(d), kind };
            }
        }
        DrvHashModulo { hashes: OutputHashes::Named(outputs.map(|n| (n.as_str().into(), h.clone())).collect()), kind }
    }

    /// The hash of an output.
    pub fn get(&self, output: &str) -> Option<Hash> {
        match &self.hashes {
            OutputHashes::Out(d) => (output == "out").then(|| sha256_hash(d)),
            OutputHashes::Named(named) => {
                named.binary_search_by(|(n, _)| (**n).cmp(output)).ok().map(|i| named[i].1.clone())
            }
        }
    }

    /// The outputs and their hashes, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Hash)> {
        let (out, named) = match &self.hashes {
            OutputHashes::Out(d) => (Some(("out", sha256_hash(d))), &[][..]),
            OutputHashes::Named(named) => (None, &named[..]),
        };
        out.into_iter().chain(named.iter().map(|(n, h)| (&**n, h.clone())))
    }

    /// The number of outputs.
    pub fn len(&self) -> usize {
        match &self.hashes {
            OutputHashes::Out(_) => 1,
            OutputHashes::Named(named) => named.len(),
        }
    }

    /// Whether there are no outputs.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The digest of a sha256 hash.
fn sha256_digest(h: &Hash) -> Option<[u8; 32]> {
    (h.algo() == HashAlgo::Sha256).then(|| h.digest().try_into().expect("a sha256 digest has 32 bytes"))
}

/// A sha256 hash from its digest.
fn sha256_hash(d: &[u8; 32]) -> Hash {
    Hash::new(HashAlgo::Sha256, d).expect("32 bytes are a sha256 digest")
}

/// A lookup giving the hash modulo of an input derivation by its path (CppNix
/// keeps these in its `drvHashes` cache; see [`DrvHashCache`]).
pub type InputHashLookup<'a> = dyn FnMut(&StorePath) -> Result<DrvHashModulo, DerivationError> + 'a;

/// The input derivations as `hashDerivationModulo` prints them: pairs of
/// an input's hash modulo and an output of it, sorted, without repeats.
type ReplacedInputs<'a> = Vec<(Hash, &'a str)>;

/// The outputs `derivationStrict` decided on from the derivation's attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputsSpec {
    /// Input-addressed outputs with these names (`outputs`, default `["out"]`).
    InputAddressed(Vec<String>),
    /// A fixed output `out` (`outputHash`, `outputHashMode`).
    Fixed { method: FileIngestionMethod, hash: Hash },
    /// Floating content-addressed outputs (`__contentAddressed = true`).
    Floating { outputs: Vec<String>, method: FileIngestionMethod, algo: HashAlgo },
    /// Impure outputs (`__impure = true`).
    Impure { outputs: Vec<String>, method: FileIngestionMethod, algo: HashAlgo },
}

/// The placeholder string for an output (`builtins.placeholder`, and the env
/// value of floating outputs): `/` + base-32 sha256 of `nix-output:<output>`.
pub fn hash_placeholder(output: &str) -> String {
    let h = hash_bytes(HashAlgo::Sha256, format!("nix-output:{output}").as_bytes());
    format!("/{}", nixbase32::encode(h.digest()))
}

impl Derivation {
    /// An empty derivation with a name.
    pub fn new(name: &str) -> Derivation {
        Derivation { name: name.to_owned(), ..Derivation::default() }
    }

    /// Parses the ATerm form; `name` is the derivation name (file name without
    /// `.drv`).
    pub fn parse_aterm(input: &[u8], name: &str, store_dir: &StoreDir) -> Result<Derivation, AtermError> {
        aterm::parse(input, name, store_dir)
    }

    /// Parses a `.drv` file's contents given its store path.
    pub fn parse_drv_file(input: &[u8], drv_path: &StorePath, store_dir: &StoreDir) -> Result<Derivation, AtermError> {
        let name = drv_path.name().strip_suffix(".drv").unwrap_or(drv_path.name());
        aterm::parse(input, name, store_dir)
    }

    /// The ATerm form, as written to the `.drv` file.
    pub fn to_aterm(&self, store_dir: &StoreDir) -> Result<Vec<u8>, DerivationError> {
        aterm::unparse(self, store_dir, false, InputsView::Real)
    }

    /// The ATerm form with output paths and output environment variables empty.
    pub fn to_aterm_masked(&self, store_dir: &StoreDir) -> Result<Vec<u8>, DerivationError> {
        aterm::unparse(self, store_dir, true, InputsView::Real)
    }

    /// References of the `.drv` file: input sources and input derivations.
    pub fn references(&self) -> BTreeSet<StorePath> {
        MergeSorted::new(self.input_srcs.iter(), self.input_drvs.keys()).cloned().collect()
    }

    /// The store path of the `.drv` file (Nix's `writeDerivation` without writing).
    pub fn drv_path(&self, store_dir: &StoreDir) -> Result<StorePath, DerivationError> {
        let contents = self.to_aterm(store_dir)?;
        self.drv_path_of(store_dir, &hash_bytes(HashAlgo::Sha256, &contents))
    }

    /// The `.drv` path given the sha256 of its contents.
    fn drv_path_of(&self, store_dir: &StoreDir, content_hash: &Hash) -> Result<StorePath, DerivationError> {
        drv_path_of(store_dir, &self.name, &self.input_srcs, &self.input_drvs, content_hash)
    }

    /// What `derivationStrict` does once the outputs are filled in: prints the
    /// `.drv` file, computes its path (Nix's `writeDerivation` without
    /// writing) and its unmasked hash modulo (for CppNix's `drvHashes`), which
    /// is [`Derivation::hash_modulo`]`(store_dir, false, input_hash)`; the
    /// ATerm is printed once for both.
    pub fn write(
        &self,
        store_dir: &StoreDir,
        input_hash: &mut InputHashLookup<'_>,
    ) -> Result<WrittenDerivation, DerivationError> {
        let mut aterm = Vec::with_capacity(aterm::estimated_len(self));
        let inputs = aterm::unparse_into(&mut aterm, self, store_dir, false, InputsView::Real, None)?;
        let content_hash = hash_bytes(HashAlgo::Sha256, &aterm);
        let path = self.drv_path_of(store_dir, &content_hash)?;
        let hash_modulo = match self.kind()? {
            DerivationKind::FixedOutput | DerivationKind::Impure => self.hash_modulo(store_dir, false, input_hash)?,
            kind => {
                let (replaced, result_kind) = self.replaced_inputs(kind, input_hash)?;
                let h = if self.input_drvs.is_empty() {
                    // Both lists of inputs print as `[]`.
                    content_hash
                } else {
                    let mut list = Vec::with_capacity(replaced.len() * 80);
                    let end = aterm::unparse_replaced_inputs(&mut list, &replaced);
                    debug_assert_eq!(end, list.len());
                    let mut h = Hasher::new(HashAlgo::Sha256);
                    h.update(&aterm[..inputs.start]);
                    h.update(&list);
                    h.update(&aterm[inputs.end..]);
                    h.finish()
                };
                self.uniform_hash(h, result_kind)
            }
        };
        Ok(WrittenDerivation { aterm, path, hash_modulo })
    }

    /// [`Derivation::fill_outputs`] followed by [`Derivation::write`], as
    /// `derivationStrict` does them. For input-addressed outputs the masked
    /// ATerm is printed once: the `.drv` file is made from it by putting in
    /// the output paths (at the places printing marked) and the real input
    /// derivations.
    pub fn fill_outputs_and_write(
        &mut self,
        store_dir: &StoreDir,
        spec: &OutputsSpec,
        input_hash: &mut InputHashLookup<'_>,
    ) -> Result<WrittenDerivation, DerivationError> {
        let OutputsSpec::InputAddressed(outputs) = spec else {
            self.fill_outputs(store_dir, spec, input_hash)?;
            return self.write(store_dir, input_hash);
        };
        self.defer_outputs(outputs);
        let kind = self.kind()?;
        let (replaced, result_kind) = self.replaced_inputs(kind, input_hash)?;
        if result_kind == DrvHashKind::Deferred || self.outputs.len() != outputs.len() {
            // Outputs that stay deferred, or repeated names: the plain way.
            drop(replaced);
            self.fill_outputs(store_dir, spec, input_hash)?;
            return self.write(store_dir, input_hash);
        }
        let mut masked = Vec::with_capacity(aterm::estimated_len(self));
        let mut marks = aterm::OutputMarks {
            outputs: Vec::with_capacity(self.outputs.len()),
            env: Vec::with_capacity(self.outputs.len()),
        };
        let replaced_view = InputsView::Replaced(&replaced);
        let inputs = aterm::unparse_into(&mut masked, self, store_dir, false, replaced_view, Some(&mut marks))?;
        drop(replaced);
        let masked_hash = hash_bytes(HashAlgo::Sha256, &masked);
        // In the order of `outputs`, as `fill_outputs` (which output's name
        // is reported first if several are invalid).
        let mut paths: Vec<Option<StorePath>> = vec![None; outputs.len()];
        for name in outputs {
            let i = self.outputs.keys().position(|k| k == name).expect("deferred above");
            paths[i] = Some(store_dir.make_output_path(name, &masked_hash, &self.name)?);
        }
        let paths: Vec<StorePath> = paths.into_iter().map(|p| p.expect("every output has a path")).collect();
        for ((name, output), path) in self.outputs.iter_mut().zip(&paths) {
            store_dir.push_path(self.env.get_mut(name.as_bytes()).expect("deferred above"), path);
            *output = DerivationOutput::InputAddressed(path.clone());
        }
        let parts = Parts { name: &self.name, input_drvs: &self.input_drvs, input_srcs: &self.input_srcs };
        let masked = Masked { text: &masked, marks: &marks, inputs };
        let (aterm, path, modulo) = parts.write_masked(store_dir, &masked, &paths)?;
        Ok(WrittenDerivation { aterm, path, hash_modulo: self.uniform_hash(modulo, result_kind) })
    }

    /// Makes each output deferred, with an empty environment variable.
    fn defer_outputs(&mut self, outputs: &[String]) {
        for name in outputs {
            match self.env.get_mut(name.as_bytes()) {
                Some(v) => v.clear(),
                None => {
                    self.env.insert(name.as_bytes().to_vec(), Vec::new());
                }
            }
            self.outputs.insert(name.clone(), DerivationOutput::Deferred);
        }
    }

    /// The path of a fixed output.
    pub fn fixed_output_path(
        &self,
        store_dir: &StoreDir,
        output: &str,
        method: FileIngestionMethod,
        hash: &Hash,
    ) -> Result<StorePath, StorePathError> {
        store_dir.make_fixed_output_path(method, hash, &output_path_name(&self.name, output), &BTreeSet::new(), false)
    }

    /// The path of each output, where known (input-addressed and fixed outputs).
    pub fn output_paths(&self, store_dir: &StoreDir) -> Result<BTreeMap<String, Option<StorePath>>, DerivationError> {
        self.outputs.iter().map(|(name, out)| Ok((name.clone(), self.output_path(store_dir, name, out)?))).collect()
    }

    /// The path of the output `name`, which is `output`, where known.
    pub fn output_path(
        &self,
        store_dir: &StoreDir,
        name: &str,
        output: &DerivationOutput,
    ) -> Result<Option<StorePath>, DerivationError> {
        Ok(match output {
            DerivationOutput::InputAddressed(p) => Some(p.clone()),
            DerivationOutput::Fixed { method, hash } => Some(self.fixed_output_path(store_dir, name, *method, hash)?),
            _ => None,
        })
    }

    /// Classifies the derivation by its outputs (Nix's `Derivation::type`).
    pub fn kind(&self) -> Result<DerivationKind, DerivationError> {
        let mut counts = [0usize; 5];
        let mut floating_algo = None;
        for out in self.outputs.values() {
            let i = match out {
                DerivationOutput::InputAddressed(_) => 0,
                DerivationOutput::Fixed { .. } => 1,
                DerivationOutput::Floating { algo, .. } => {
                    if floating_algo.is_some_and(|a| a != *algo) {
                        return Err(DerivationError::MixedFloatingAlgos(self.name.clone()));
                    }
                    floating_algo = Some(*algo);
                    2
                }
                DerivationOutput::Deferred => 3,
                DerivationOutput::Impure { .. } => 4,
            };
            counts[i] += 1;
        }
        let kinds = counts.iter().filter(|&&c| c > 0).count();
        if kinds == 0 {
            return Err(DerivationError::NoOutputs(self.name.clone()));
        }
        if kinds > 1 {
            return Err(DerivationError::MixedOutputTypes(self.name.clone()));
        }
        Ok(if counts[0] > 0 {
            DerivationKind::InputAddressed { deferred: false }
        } else if counts[1] > 0 {
            if counts[1] > 1 {
                return Err(DerivationError::MultipleFixedOutputs(self.name.clone()));
            }
            if !self.outputs.contains_key("out") {
                return Err(DerivationError::FixedOutputNotOut(self.name.clone()));
            }
            DerivationKind::FixedOutput
        } else if counts[2] > 0 {
            DerivationKind::Floating
        } else if counts[3] > 0 {
            DerivationKind::InputAddressed { deferred: true }
        } else {
            DerivationKind::Impure
        })
    }

    /// Nix's `hashDerivationModulo`. A fixed-output derivation hashes to
    /// sha256(`fixed:out:<r:><algo>:<base16>:<out path>`), so that how it is built
    /// does not matter. Any other derivation hashes its ATerm with every input
    /// derivation replaced by the base-16 hash modulo of the outputs it uses,
    /// obtained from `input_hash`; with `mask_outputs`, output paths and output
    /// environment variables are printed empty.
    pub fn hash_modulo(
        &self,
        store_dir: &StoreDir,
        mask_outputs: bool,
        input_hash: &mut InputHashLookup<'_>,
    ) -> Result<DrvHashModulo, DerivationError> {
        let kind = self.kind()?;
        match kind {
            DerivationKind::FixedOutput => {
                let mut hashes = Vec::with_capacity(1);
                for (name, out) in &self.outputs {
                    if let DerivationOutput::Fixed { method, hash } = out {
                        let path = self.fixed_output_path(store_dir, name, *method, hash)?;
                        let fingerprint = format!(
                            "fixed:out:{}{}:{}:{}",
                            method.prefix(),
                            hash.algo(),
                            hash.to_base16(),
                            store_dir.print_path(&path)
                        );
                        hashes.push((name.clone(), hash_bytes(HashAlgo::Sha256, fingerprint.as_bytes())));
                    }
                }
                return Ok(DrvHashModulo::new(hashes, DrvHashKind::Regular));
            }
            DerivationKind::Impure => {
                let h = hash_bytes(HashAlgo::Sha256, b"impure");
                return Ok(DrvHashModulo::uniform(self.outputs.keys(), h, DrvHashKind::Deferred));
            }
            _ => {}
        }
        let (replaced, result_kind) = self.replaced_inputs(kind, input_hash)?;
        let aterm = aterm::unparse(self, store_dir, mask_outputs, InputsView::Replaced(&replaced))?;
        Ok(self.uniform_hash(hash_bytes(HashAlgo::Sha256, &aterm), result_kind))
    }

    /// The same hash for every output.
    fn uniform_hash(&self, h: Hash, kind: DrvHashKind) -> DrvHashModulo {
        DrvHashModulo::uniform(self.outputs.keys(), h, kind)
    }

    /// The input derivations as `hashDerivationModulo` prints them: the
    /// base-16 hash modulo of each used output, with the outputs that have
    /// it; and whether the result is deferred (for a derivation of `kind`,
    /// neither fixed-output nor impure).
    fn replaced_inputs(
        &self,
        kind: DerivationKind,
        input_hash: &mut InputHashLookup<'_>,
    ) -> Result<(ReplacedInputs<'_>, DrvHashKind), DerivationError> {
        replaced_inputs(&self.name, &self.input_drvs, kind, input_hash)
    }

    /// Sets the outputs and their environment variables as CppNix 2.8's
    /// `derivationStrict` does, after the rest of the derivation (inputs, env,
    /// builder...) is filled in:
    ///
    /// - fixed output: `out` gets the fixed-output path;
    /// - floating / impure: each output's env value is its placeholder;
    /// - input-addressed: each output is first set to an empty path and an empty
    ///   env value, the masked derivation is hashed modulo, and then each output
    ///   gets `make_output_path(output, hash, name)` in both places (or stays
    ///   deferred if an input is deferred).
    pub fn fill_outputs(
        &mut self,
        store_dir: &StoreDir,
        spec: &OutputsSpec,
        input_hash: &mut InputHashLookup<'_>,
    ) -> Result<(), DerivationError> {
        match spec {
            OutputsSpec::Fixed { method, hash } => {
                let path = self.fixed_output_path(store_dir, "out", *method, hash)?;
                self.env.insert(b"out".to_vec(), store_dir.print_path(&path).into_bytes());
                self.outputs.insert("out".to_owned(), DerivationOutput::Fixed { method: *method, hash: hash.clone() });
            }
            OutputsSpec::Floating { outputs, method, algo } | OutputsSpec::Impure { outputs, method, algo } => {
                for name in outputs {
                    self.env.insert(name.as_bytes().to_vec(), hash_placeholder(name).into_bytes());
                    let out = if matches!(spec, OutputsSpec::Impure { .. }) {
                        DerivationOutput::Impure { method: *method, algo: *algo }
                    } else {
                        DerivationOutput::Floating { method: *method, algo: *algo }
                    };
                    self.outputs.insert(name.clone(), out);
                }
            }
            OutputsSpec::InputAddressed(outputs) => {
                self.defer_outputs(outputs);
                let modulo = self.hash_modulo(store_dir, true, input_hash)?;
                if modulo.kind == DrvHashKind::Regular {
                    for name in outputs {
                        let h = modulo.get(name).ok_or_else(|| DerivationError::MissingOutputHash {
                            output: name.clone(),
                            drv: self.name.clone(),
                        })?;
                        let path = store_dir.make_output_path(name, &h, &self.name)?;
                        let value = self.env.get_mut(name.as_bytes()).expect("set above");
                        store_dir.push_path(value, &path);
                        self.outputs.insert(name.clone(), DerivationOutput::InputAddressed(path));
                    }
                }
            }
        }
        Ok(())
    }
}

/// The input derivations as `hashDerivationModulo` prints them: the
/// base-16 hash modulo of each used output, with the outputs that have
/// it; and whether the result is deferred (for a derivation of `kind`,
/// neither fixed-output nor impure). `name` is the derivation's, for errors.
fn replaced_inputs<'a>(
    name: &str,
    input_drvs: &'a InputDrvs,
    kind: DerivationKind,
    input_hash: &mut InputHashLookup<'_>,
) -> Result<(ReplacedInputs<'a>, DrvHashKind), DerivationError> {
    let mut result_kind = if kind == DerivationKind::Floating { DrvHashKind::Deferred } else { DrvHashKind::Regular };
    // Pairs (hash, output), sorted at the end: a derivation has few
    // inputs, and a list costs one allocation where maps cost several.
    let mut replaced: Vec<(Hash, &str)> = Vec::with_capacity(input_drvs.len());
    for (drv_path, used_outputs) in input_drvs {
        let input = input_hash(drv_path)?;
        if input.kind == DrvHashKind::Deferred {
            result_kind = DrvHashKind::Deferred;
        }
        for output in used_outputs {
            let h = input
                .get(output)
                .ok_or_else(|| DerivationError::MissingOutputHash { output: output.clone(), drv: name.to_owned() })?;
            replaced.push((h, output.as_str()));
        }
    }
    replaced.sort_unstable_by(|a, b| (a.0.digest(), a.1).cmp(&(b.0.digest(), b.1)));
    replaced.dedup_by(|a, b| a.0.digest() == b.0.digest() && a.1 == b.1);
    Ok((replaced, result_kind))
}

/// The `.drv` path of the derivation `name` with these inputs, given the
/// sha256 of its contents.
fn drv_path_of(
    store_dir: &StoreDir,
    name: &str,
    input_srcs: &BTreeSet<StorePath>,
    input_drvs: &InputDrvs,
    content_hash: &Hash,
) -> Result<StorePath, DerivationError> {
    let mut file = String::with_capacity(name.len() + 4);
    file.push_str(name);
    file.push_str(".drv");
    let refs = MergeSorted::new(input_srcs.iter(), input_drvs.keys());
    Ok(store_dir.make_text_path_sorted(file, content_hash, refs)?)
}

/// What of a derivation besides its text goes into its `.drv` path.
struct Parts<'a> {
    name: &'a str,
    input_drvs: &'a InputDrvs,
    input_srcs: &'a BTreeSet<StorePath>,
}

/// An input-addressed derivation printed with its outputs deferred and its
/// input derivations replaced by their hashes modulo, which is what its
/// output paths are computed from.
struct Masked<'a> {
    text: &'a [u8],
    /// Where the output paths go.
    marks: &'a aterm::OutputMarks,
    /// The list of input derivations in `text`.
    inputs: std::ops::Range<usize>,
}

impl Parts<'_> {
    /// The `.drv` file made from `masked` by putting in the output paths
    /// (`paths`, in the order of the outputs) and the real input
    /// derivations; its path; and its unmasked hash modulo.
    fn write_masked(
        &self,
        store_dir: &StoreDir,
        masked: &Masked<'_>,
        paths: &[StorePath],
    ) -> Result<(Vec<u8>, StorePath, Hash), DerivationError> {
        let Masked { text: masked, marks, inputs } = masked;
        // The exact length, so that the text can be kept without copying
        // it or wasting memory (see `WrittenDerivation::aterm`).
        let paths_len = marks.outputs.iter().zip(paths).map(|(_, p)| store_dir.printed_len(p)).sum::<usize>()
            + marks.env.iter().map(|&(_, i)| store_dir.printed_len(&paths[i])).sum::<usize>();
        let len = masked.len() + paths_len + aterm::real_inputs_len(self.input_drvs, store_dir) - inputs.len();
        let mut real = Vec::with_capacity(len);
        let mut at = 0;
        for (&pos, path) in marks.outputs.iter().zip(paths) {
            real.extend_from_slice(&masked[at..pos]);
            store_dir.push_path(&mut real, path);
            at = pos;
        }
        real.extend_from_slice(&masked[at..inputs.start]);
        let real_inputs_start = real.len();
        aterm::unparse_real_inputs(&mut real, self.input_drvs, store_dir);
        let real_inputs_end = real.len();
        at = inputs.end;
        for &(pos, i) in &marks.env {
            real.extend_from_slice(&masked[at..pos]);
            store_dir.push_path(&mut real, &paths[i]);
            at = pos;
        }
        real.extend_from_slice(&masked[at..]);
        debug_assert_eq!(real.len(), len);

        // The text hashed modulo differs from the file only in the inputs:
        // what comes before them (the outputs, often a block or more) is
        // hashed once for both.
        let mut content = Hasher::new(HashAlgo::Sha256);
        content.update(&real[..real_inputs_start]);
        let prefix = (!self.input_drvs.is_empty()).then(|| content.clone());
        content.update(&real[real_inputs_start..]);
        let content_hash = content.finish();
        let path = drv_path_of(store_dir, self.name, self.input_srcs, self.input_drvs, &content_hash)?;
        let modulo = match prefix {
            // Both lists of inputs print as `[]`.
            None => content_hash,
            Some(mut h) => {
                h.update(&masked[inputs.clone()]);
                h.update(&real[real_inputs_end..]);
                h.finish()
            }
        };
        Ok((real, path, modulo))
    }
}

/// A derivation printed as its `.drv` file (see [`Derivation::write`]).
#[derive(Debug, Clone)]
pub struct WrittenDerivation {
    /// The file's contents. Made by [`Derivation::fill_outputs_and_write`],
    /// it has no spare capacity (`into_boxed_slice` does not copy it).
    pub aterm: Vec<u8>,
    /// Its store path.
    pub path: StorePath,
    /// The derivation's unmasked hash modulo.
    pub hash_modulo: DrvHashModulo,
}

/// The union of two sorted iterators of store paths, sorted, each path once.
struct MergeSorted<'a, A, B>
where
    A: Iterator<Item = &'a StorePath>,
    B: Iterator<Item = &'a StorePath>,
{
    a: std::iter::Peekable<A>,
    b: std::iter::Peekable<B>,
}

impl<'a, A, B> MergeSorted<'a, A, B>
where
    A: Iterator<Item = &'a StorePath>,
    B: Iterator<Item = &'a StorePath>,
{
    fn new(a: A, b: B) -> Self {
        MergeSorted { a: a.peekable(), b: b.peekable() }
    }
}

impl<'a, A, B> Iterator for MergeSorted<'a, A, B>
where
    A: Iterator<Item = &'a StorePath>,
    B: Iterator<Item = &'a StorePath>,
{
    type Item = &'a StorePath;

    fn next(&mut self) -> Option<&'a StorePath> {
        match (self.a.peek(), self.b.peek()) {
            (Some(x), Some(y)) => match x.cmp(y) {
                std::cmp::Ordering::Less => self.a.next(),
                std::cmp::Ordering::Greater => self.b.next(),
                std::cmp::Ordering::Equal => {
                    self.b.next();
                    self.a.next()
                }
            },
            (Some(_), None) => self.a.next(),
            (None, _) => self.b.next(),
        }
    }
}

/// A cache of hashes modulo by `.drv` path, as CppNix's `drvHashes`: after a
/// derivation is created, insert `hash_modulo(.., false, ..)` under its path, so
/// derivations that use it can be hashed without reading it back.
#[derive(Debug, Default, Clone)]
pub struct DrvHashCache {
    hashes: HashMap<StorePath, DrvHashModulo, BuildHasherDefault<DigestHasher>>,
}

/// What the reader of [`DrvHashCache::hash_of_with`] gives for a path.
pub enum ReadDrv {
    /// The derivation's hash modulo, known already.
    Known(DrvHashModulo),
    /// The derivation, to be hashed.
    Read(Derivation),
}

/// A hasher for keys that hash as one `u64` taken from a digest (as
/// [`StorePath`] does): the value is random already, so it is the hash.
#[derive(Debug, Default, Clone, Copy)]
pub struct DigestHasher(u64);

impl std::hash::Hasher for DigestHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Not used by store paths; mixes anything else reasonably.
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 ^= n;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl DrvHashCache {
    /// An empty cache.
    pub fn new() -> DrvHashCache {
        DrvHashCache::default()
    }

    /// Records the hash modulo of a derivation.
    pub fn insert(&mut self, drv_path: StorePath, hash: DrvHashModulo) {
        self.hashes.insert(drv_path, hash);
    }

    /// The cached hash modulo, if any.
    pub fn get(&self, drv_path: &StorePath) -> Option<&DrvHashModulo> {
        self.hashes.get(drv_path)
    }

    /// Computes `drv`'s hash modulo (unmasked), and caches it under `drv_path`.
    /// Inputs not in the cache are read with `read` and hashed recursively (Nix's
    /// `pathDerivationModulo`).
    pub fn add_derivation(
        &mut self,
        store_dir: &StoreDir,
        drv_path: &StorePath,
        drv: &Derivation,
        read: &mut dyn FnMut(&StorePath) -> Result<Derivation, DerivationError>,
    ) -> Result<DrvHashModulo, DerivationError> {
        let h = drv.hash_modulo(store_dir, false, &mut |p| self.hash_of(store_dir, p, read))?;
        self.hashes.insert(drv_path.clone(), h.clone());
        Ok(h)
    }

    /// Computes and caches the (unmasked) hash modulo of a derivation whose inputs
    /// are all in the cache already, as `derivationStrict` does right after
    /// writing a derivation.
    pub fn record(
        &mut self,
        store_dir: &StoreDir,
        drv_path: &StorePath,
        drv: &Derivation,
    ) -> Result<DrvHashModulo, DerivationError> {
        let h = drv.hash_modulo(store_dir, false, &mut self.lookup())?;
        self.hashes.insert(drv_path.clone(), h.clone());
        Ok(h)
    }

    /// The hash modulo of the derivation at `drv_path`, from the cache or by
    /// reading it with `read` (recursively for its inputs).
    pub fn hash_of(
        &mut self,
        store_dir: &StoreDir,
        drv_path: &StorePath,
        read: &mut dyn FnMut(&StorePath) -> Result<Derivation, DerivationError>,
    ) -> Result<DrvHashModulo, DerivationError> {
        self.hash_of_with(store_dir, drv_path, &mut |p| read(p).map(ReadDrv::Read))
    }

    /// [`DrvHashCache::hash_of`] where `read` may know a hash modulo kept
    /// elsewhere (it is not cached here then).
    pub fn hash_of_with(
        &mut self,
        store_dir: &StoreDir,
        drv_path: &StorePath,
        read: &mut dyn FnMut(&StorePath) -> Result<ReadDrv, DerivationError>,
    ) -> Result<DrvHashModulo, DerivationError> {
        if let Some(h) = self.hashes.get(drv_path) {
            return Ok(h.clone());
        }
        let drv = match read(drv_path)? {
            ReadDrv::Known(h) => return Ok(h),
            ReadDrv::Read(drv) => drv,
        };
        let h = drv.hash_modulo(store_dir, false, &mut |p| self.hash_of_with(store_dir, p, read))?;
        self.hashes.insert(drv_path.clone(), h.clone());
        Ok(h)
    }

    /// A lookup that only consults the cache.
    pub fn lookup(&self) -> impl FnMut(&StorePath) -> Result<DrvHashModulo, DerivationError> + '_ {
        move |p| self.get(p).cloned().ok_or_else(|| DerivationError::UnknownDerivation(p.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simple() -> Derivation {
        let mut d = Derivation::new("x");
        d.platform = b"x86_64-linux".to_vec();
        d.builder = b"/bin/sh".to_vec();
        d.env.insert(b"name".to_vec(), b"x".to_vec());
        d
    }

    #[test]
    fn escaping_round_trips() {
        let dir = StoreDir::default();
        let mut d = simple();
        d.args = vec![b"a\"b\\c\nd\re\tf".to_vec(), vec![0xff, 0xfe, b'"']];
        d.env.insert(b"k\"ey".to_vec(), b"v\\al\n".to_vec());
        d.fill_outputs(&dir, &OutputsSpec::InputAddressed(vec!["out".into()]), &mut |_| unreachable!()).unwrap();
        let text = d.to_aterm(&dir).unwrap();
        let text_str = String::from_utf8_lossy(&text);
        assert!(text_str.contains(r#""a\"b\\c\nd\re\tf""#), "{text_str}");
        assert!(text_str.contains(r#"("k\"ey","v\\al\n")"#), "{text_str}");
        let back = Derivation::parse_aterm(&text, "x", &dir).unwrap();
        assert_eq!(back, d);
        assert_eq!(back.to_aterm(&dir).unwrap(), text);
    }

    #[test]
    fn kinds() {
        let mut d = simple();
        assert!(matches!(d.kind(), Err(DerivationError::NoOutputs(_))));
        d.outputs.insert("out".into(), DerivationOutput::Deferred);
        assert_eq!(d.kind().unwrap(), DerivationKind::InputAddressed { deferred: true });
        d.outputs.insert(
            "dev".into(),
            DerivationOutput::Fixed { method: FileIngestionMethod::Flat, hash: Hash::zero(HashAlgo::Sha256) },
        );
        assert!(matches!(d.kind(), Err(DerivationError::MixedOutputTypes(_))));
        d.outputs.remove("out");
        assert!(matches!(d.kind(), Err(DerivationError::FixedOutputNotOut(_))));
    }

    #[test]
    fn missing_input_output_is_an_error() {
        let dir = StoreDir::default();
        let mut d = simple();
        let input = dir.parse_path("/nix/store/7h7qgvs4kgzsn8a6rb273saxyqh4jxlz-dep.drv").unwrap();
        d.input_drvs.insert(input, ["dev".to_owned()].into_iter().collect());
        let err = d
            .fill_outputs(&dir, &OutputsSpec::InputAddressed(vec!["out".into()]), &mut |_| {
                Ok(DrvHashModulo::new([("out".to_owned(), Hash::zero(HashAlgo::Sha256))], DrvHashKind::Regular))
            })
            .unwrap_err();
        assert!(matches!(err, DerivationError::MissingOutputHash { .. }));
    }

    #[test]
    fn placeholder() {
        // builtins.placeholder "out" in CppNix.
        assert_eq!(hash_placeholder("out"), "/1rz4g4znpzjwh1xymhjpm42vipw92pr73vdgl6xs1hycac8kf2n9");
    }

    #[test]
    fn parse_errors_have_offsets() {
        let dir = StoreDir::default();
        let e = Derivation::parse_aterm(b"Derive([(\"out\"", "x", &dir).unwrap_err();
        assert_eq!(e.offset, 14);
        assert!(Derivation::parse_aterm(b"Derivx", "x", &dir).is_err());
    }
}
