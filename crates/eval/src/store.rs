//! The evaluator's view of the store.
//!
//! Evaluation never writes to a store. What it would write (derivations,
//! `toFile` texts, sources copied by interpolation, `builtins.path` and
//! `filterSource`) is computed the way CppNix computes it and recorded in
//! [`EvalStore`], which [`EvalState`] owns. `neve instantiate` then writes the
//! closure of the derivations it printed with [`EvalStore::write_closure`];
//! `neve eval` discards the record, as `nix-instantiate --eval` computes paths
//! without writing.
//!
//! A source is recorded by its origin (the file system path, the ingestion
//! method and, for a filtered source, the entries the filter kept), not by
//! its contents: writing reads the files again and checks the result against
//! the path computed during evaluation. Trees that fetchers unpack
//! (`fetchTarball`, `fetchGit`) are sources too, whose origin is a temporary
//! directory the record owns (see [`EvalStore::keep_temp_dir`]). Objects
//! `fetchClosure` takes from a binary cache are recorded with their path
//! information and their NAR (in such a directory too).

use std::collections::BTreeSet;

use indexmap::IndexMap;
use rustc_hash::{FxBuildHasher, FxHashMap as HashMap};
use std::path::{Path, PathBuf};

use neve_store::daemon::PathInfo;
use neve_store::derivation::{DerivationError, DrvHashModulo, ReadDrv, WrittenDerivation};
use neve_store::nar::EntryKind;
use neve_store::{Derivation, DrvHashCache, FileIngestionMethod, HashAlgo, StoreDir, StorePath, WritableStore};

use crate::error::{EvalError, EvalResult};
use crate::state::EvalState;
use crate::value::{NixString, StringContext, StringContextElem};

/// A text file the evaluation created (`builtins.toFile`).
#[derive(Debug, Clone)]
pub struct TextObject {
    pub name: String,
    pub contents: Vec<u8>,
    pub references: BTreeSet<StorePath>,
}

/// A file or tree the evaluation copied into the store.
#[derive(Debug, Clone)]
pub struct SourceObject {
    pub name: String,
    pub path: PathBuf,
    pub method: FileIngestionMethod,
    /// For a filtered tree, the entries (full paths) the filter kept.
    pub kept: Option<BTreeSet<PathBuf>>,
}

/// An object fetched from a binary cache (`fetchClosure`): its path
/// information and its NAR, checked against that information and kept in
/// a file of a temporary directory the record owns.
#[derive(Debug, Clone)]
pub struct NarObject {
    pub info: PathInfo,
    pub nar: PathBuf,
    /// Whether the store it is written to should check its signatures
    /// (paths taken as they are from a cache; not rewritten ones).
    pub check_sigs: bool,
}

/// One recorded store object (a derivation read back from its text).
#[derive(Debug, Clone)]
pub enum StoreObject<'a> {
    Derivation(Derivation),
    Text(&'a TextObject),
    Source(&'a SourceObject),
    Nar(&'a NarObject),
}

/// A recorded derivation, kept as the ATerm text that is written for it: a
/// fraction of the memory of the parsed form (an evaluation of a package
/// set records tens of thousands), read back when asked for; and its hash
/// modulo (CppNix's `drvHashes`), in the same entry so that recording a
/// derivation is one insertion. Its name is its path's, without `.drv`.
struct RecordedDrv {
    aterm: Box<[u8]>,
    hash_modulo: DrvHashModulo,
}

/// Everything an evaluation put in the store, by store path, and the hashes
/// modulo of its derivations (CppNix's `drvHashes`).
pub struct EvalStore {
    pub dir: StoreDir,
    /// Hashes modulo of derivations read from the real store (those of
    /// recorded derivations are in `derivations`).
    drv_hashes: DrvHashCache,
    /// An `IndexMap`: its entries sit in a vector, whose unused capacity
    /// is never touched, and its table holds indices; a hash map's table
    /// holds the entries, and all of it is touched (tens of thousands of
    /// derivations in a package set: a megabyte or more).
    derivations: IndexMap<StorePath, RecordedDrv, FxBuildHasher>,
    texts: HashMap<StorePath, TextObject>,
    sources: HashMap<StorePath, SourceObject>,
    nars: HashMap<StorePath, NarObject>,
    /// Trees unpacked by fetchers (`fetchTarball`, `fetchGit`), which their
    /// sources point into; removed when the store record is dropped.
    temp_dirs: Vec<tempfile::TempDir>,
}

impl Default for EvalStore {
    fn default() -> EvalStore {
        EvalStore::new(StoreDir::default())
    }
}

/// A derivation error as an evaluation error.
pub fn drv_error(e: DerivationError) -> EvalError {
    EvalError::eval(e.to_string())
}

impl EvalStore {
    pub fn new(dir: StoreDir) -> EvalStore {
        EvalStore {
            dir,
            drv_hashes: DrvHashCache::new(),
            derivations: IndexMap::default(),
            texts: HashMap::default(),
            sources: HashMap::default(),
            nars: HashMap::default(),
            temp_dirs: Vec::new(),
        }
    }

    /// The hash modulo of a derivation the evaluation recorded or read,
    /// for `fill_outputs`.
    pub fn drv_hash(&self, path: &StorePath) -> Result<DrvHashModulo, DerivationError> {
        match self.derivations.get(path) {
            Some(recorded) => Ok(recorded.hash_modulo.clone()),
            None => {
                self.drv_hashes.get(path).cloned().ok_or_else(|| DerivationError::UnknownDerivation(path.to_string()))
            }
        }
    }

    /// Records a derivation whose outputs are filled in; gives its path.
    pub fn add_derivation(&mut self, drv: Derivation) -> Result<StorePath, DerivationError> {
        let written = drv.write(&self.dir, &mut |p| self.drv_hash(p))?;
        Ok(self.add_written_derivation(written))
    }

    /// Records a derivation printed already (by [`Derivation::write`] or
    /// [`Derivation::fill_outputs_and_write`]); gives its path.
    pub fn add_written_derivation(&mut self, written: WrittenDerivation) -> StorePath {
        // Exactly as long as the text: `fill_outputs_and_write` makes it so
        // (no copy then); a shrinking reallocation may keep a larger block.
        let aterm = if written.aterm.len() == written.aterm.capacity() {
            written.aterm.into_boxed_slice()
        } else {
            Box::from(&written.aterm[..])
        };
        let recorded = RecordedDrv { aterm, hash_modulo: written.hash_modulo };
        self.derivations.insert(written.path.clone(), recorded);
        written.path
    }

    /// Makes sure the hash modulo of an input derivation is known, reading it
    /// (and its inputs) with `read` (given the store directory) when the
    /// evaluation did not create it.
    pub fn ensure_drv_hash(
        &mut self,
        path: &StorePath,
        read: &mut dyn FnMut(&StoreDir, &StorePath) -> Result<Derivation, DerivationError>,
    ) -> Result<(), DerivationError> {
        if self.derivations.contains_key(path) || self.drv_hashes.get(path).is_some() {
            return Ok(());
        }
        let (derivations, dir) = (&self.derivations, &self.dir);
        // A derivation of the real store may have inputs this evaluation
        // recorded (and wrote before): their hashes are known.
        let mut read_or_known = |p: &StorePath| match derivations.get(p) {
            Some(recorded) => Ok(ReadDrv::Known(recorded.hash_modulo.clone())),
            None => read(dir, p).map(ReadDrv::Read),
        };
        self.drv_hashes.hash_of_with(&self.dir, path, &mut read_or_known).map(|_| ())
    }

    /// Records a text file; gives its path.
    pub fn add_text(&mut self, text: TextObject) -> EvalResult<StorePath> {
        let path = self
            .dir
            .text_path_of(&text.name, &text.contents, &text.references)
            .map_err(|e| EvalError::eval(e.to_string()))?;
        self.texts.insert(path.clone(), text);
        Ok(path)
    }

    /// Records a source whose path the caller computed.
    pub fn add_source(&mut self, path: StorePath, source: SourceObject) {
        self.sources.entry(path).or_insert(source);
    }

    /// Records an object fetched from a binary cache.
    pub fn add_nar(&mut self, object: NarObject) {
        self.nars.entry(object.info.path.clone()).or_insert(object);
    }

    /// Keeps a temporary directory (holding a recorded source) alive as long
    /// as this record.
    pub fn keep_temp_dir(&mut self, dir: tempfile::TempDir) {
        self.temp_dirs.push(dir);
    }

    /// Where a path inside a recorded source lies on disk (CppNix reads
    /// fetched trees through its store; neve never writes them there, so
    /// reading goes to the source's origin instead). `None` when `path` is not
    /// inside a recorded source; `Some(None)` when the source's filter left
    /// the entry out.
    pub fn source_origin(&self, path: &Path) -> Option<Option<PathBuf>> {
        let text = path.to_str()?;
        if !self.dir.is_in_store(text) {
            return None;
        }
        let (store_path, rest) = self.dir.split_store_path(text).ok()?;
        let source = self.sources.get(&store_path)?;
        let rest = rest.trim_start_matches('/');
        let real = if rest.is_empty() { source.path.clone() } else { source.path.join(rest) };
        match &source.kept {
            Some(kept) if real != source.path && !kept.contains(&real) => Some(None),
            _ => Some(Some(real)),
        }
    }

    pub fn derivation(&self, path: &StorePath) -> Option<Derivation> {
        let recorded = self.derivations.get(path)?;
        let drv = Derivation::parse_drv_file(&recorded.aterm, path, &self.dir);
        Some(drv.expect("a recorded derivation's text parses"))
    }

    pub fn object(&self, path: &StorePath) -> Option<StoreObject<'_>> {
        if let Some(d) = self.derivation(path) {
            return Some(StoreObject::Derivation(d));
        }
        if let Some(t) = self.texts.get(path) {
            return Some(StoreObject::Text(t));
        }
        if let Some(n) = self.nars.get(path) {
            return Some(StoreObject::Nar(n));
        }
        self.sources.get(path).map(StoreObject::Source)
    }

    /// The references of a recorded object (none for sources and for paths
    /// the evaluation did not create).
    pub fn references(&self, path: &StorePath) -> BTreeSet<StorePath> {
        match self.object(path) {
            Some(StoreObject::Derivation(d)) => d.references(),
            Some(StoreObject::Text(t)) => t.references.clone(),
            // Without the self-reference, which orders nothing.
            Some(StoreObject::Nar(n)) => n.info.references.iter().filter(|r| *r != path).cloned().collect(),
            _ => BTreeSet::new(),
        }
    }

    /// The closure of `roots` under references, each path after the paths it
    /// refers to (the order in which a store accepts them).
    pub fn closure(&self, roots: impl IntoIterator<Item = StorePath>) -> Vec<StorePath> {
        let mut done: BTreeSet<StorePath> = BTreeSet::new();
        let mut order = Vec::new();
        // (path, references pushed yet?)
        let mut stack: Vec<(StorePath, bool)> = roots.into_iter().map(|p| (p, false)).collect();
        stack.reverse();
        while let Some((path, expanded)) = stack.pop() {
            if done.contains(&path) {
                continue;
            }
            if expanded {
                done.insert(path.clone());
                order.push(path);
                continue;
            }
            stack.push((path.clone(), true));
            for r in self.references(&path).into_iter().rev() {
                if !done.contains(&r) {
                    stack.push((r, false));
                }
            }
        }
        order
    }

    /// Writes the closure of `roots` into `store`, references first. Paths the
    /// evaluation did not create (from `storePath`) must already be there.
    pub fn write_closure(&self, roots: &[StorePath], store: &mut dyn WritableStore) -> Result<(), String> {
        let dir = self.dir.clone();
        for path in self.closure(roots.iter().cloned()) {
            let shown = dir.print_path(&path);
            let written = match self.object(&path) {
                Some(StoreObject::Derivation(drv)) => {
                    let text = drv.to_aterm(&dir).map_err(|e| e.to_string())?;
                    store.add_text(&format!("{}.drv", drv.name), &text, &drv.references())
                }
                Some(StoreObject::Text(t)) => store.add_text(&t.name, &t.contents, &t.references),
                Some(StoreObject::Source(s)) => {
                    let mut filter = |p: &Path, _: EntryKind| s.kept.as_ref().is_none_or(|k| k.contains(p));
                    store.add_path(&s.name, &s.path, s.method, HashAlgo::Sha256, &mut filter)
                }
                Some(StoreObject::Nar(n)) => {
                    let added = std::fs::File::open(&n.nar)
                        .map_err(|e| format!("reading the NAR of '{shown}': {e}"))
                        .and_then(|mut f| {
                            store.add_nar(&n.info, &mut f, n.check_sigs).map_err(|e| format!("writing '{shown}': {e}"))
                        });
                    added?;
                    continue;
                }
                None => match store.is_valid_path(&path) {
                    Ok(true) => continue,
                    Ok(false) => return Err(format!("path '{shown}' is not valid")),
                    Err(e) => Err(e),
                },
            };
            let written = written.map_err(|e| format!("writing '{shown}': {e}"))?;
            if written != path {
                return Err(format!(
                    "'{shown}' was written as '{}' (did a source change since it was evaluated?)",
                    dir.print_path(&written)
                ));
            }
        }
        Ok(())
    }
}

/// `s` as a store path of this evaluation's store.
pub fn parse_store_path(state: &EvalState, s: &[u8]) -> Option<StorePath> {
    state.store.borrow().dir.parse_path(std::str::from_utf8(s).ok()?).ok()
}

/// The name of a file system path (its last component).
fn base_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// `path` as a store path string (with its context), as CppNix's
/// `copyPathToStore` gives it; the source is recorded.
pub fn copy_path_to_store(state: &EvalState, path: &[u8]) -> EvalResult<NixString> {
    if let Some(done) = state.store_paths.borrow().get(path) {
        return Ok(store_path_string(done.clone()));
    }
    let text = String::from_utf8_lossy(path).into_owned();
    let fs_path = Path::new(&text);
    if !state.io.path_exists(fs_path) {
        return Err(EvalError::eval(format!("path '{text}' does not exist")));
    }
    let name = base_name(fs_path);
    // A path inside a recorded source (a fetched tree) is read at its origin.
    let origin = state.store.borrow().source_origin(fs_path).flatten();
    let fs_path = origin.as_deref().unwrap_or(fs_path);
    let (hash, _) = neve_store::nar::nar_hash_path_with(HashAlgo::Sha256, fs_path, &mut neve_store::nar::keep_all)
        .map_err(|e| EvalError::eval(format!("reading '{text}': {e}")))?;
    let mut store = state.store.borrow_mut();
    let store_path = store
        .dir
        .make_source_path(&name, &hash, &BTreeSet::new(), false)
        .map_err(|e| EvalError::eval(format!("invalid store path name for '{text}': {e}")))?;
    let printed = store.dir.print_path(&store_path).into_bytes();
    store.add_source(
        store_path,
        SourceObject { name, path: fs_path.to_owned(), method: FileIngestionMethod::Recursive, kept: None },
    );
    drop(store);
    state.store_paths.borrow_mut().insert(path.to_vec(), printed.clone());
    Ok(store_path_string(printed))
}

/// A store path as a string whose context is the path itself.
pub fn store_path_string(store_path: Vec<u8>) -> NixString {
    let mut context = StringContext::new();
    context.insert(StringContextElem::Opaque(store_path.clone().into()));
    NixString::new(store_path, Some(context))
}
