//! The names of the global environment: what a Nix file sees without
//! defining it (`true`, `map`, `import`, `builtins`, the `__`-prefixed
//! builtins, ...), and the settings under which each one exists.

/// When a global name exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    Always,
    /// Absent under pure evaluation (`currentSystem`, `currentTime`).
    Impure,
    /// Only with `allow-unsafe-native-code-during-evaluation`.
    UnsafeNativeCode,
    /// Only with the named experimental feature.
    Experimental(&'static str),
}

/// Every global name of current Nix with its condition.
pub const GLOBALS: &[(&str, Condition)] = &[
    ("abort", Condition::Always),
    ("__add", Condition::Always),
    ("__addDrvOutputDependencies", Condition::Always),
    ("__addErrorContext", Condition::Always),
    ("__all", Condition::Always),
    ("__any", Condition::Always),
    ("__appendContext", Condition::Always),
    ("__attrNames", Condition::Always),
    ("__attrValues", Condition::Always),
    ("baseNameOf", Condition::Always),
    ("__bitAnd", Condition::Always),
    ("__bitOr", Condition::Always),
    ("__bitXor", Condition::Always),
    ("break", Condition::Always),
    ("builtins", Condition::Always),
    ("__catAttrs", Condition::Always),
    ("__ceil", Condition::Always),
    ("__compareVersions", Condition::Always),
    ("__concatLists", Condition::Always),
    ("__concatMap", Condition::Always),
    ("__concatStringsSep", Condition::Always),
    ("__convertHash", Condition::Always),
    ("__currentSystem", Condition::Impure),
    ("__currentTime", Condition::Impure),
    ("__deepSeq", Condition::Always),
    ("derivation", Condition::Always),
    ("derivationStrict", Condition::Always),
    ("dirOf", Condition::Always),
    ("__div", Condition::Always),
    ("__elem", Condition::Always),
    ("__elemAt", Condition::Always),
    ("__exec", Condition::UnsafeNativeCode),
    ("false", Condition::Always),
    ("__fetchClosure", Condition::Experimental("fetch-closure")),
    ("fetchGit", Condition::Always),
    ("fetchMercurial", Condition::Always),
    ("fetchTarball", Condition::Always),
    ("fetchTree", Condition::Experimental("fetch-tree")),
    ("__fetchurl", Condition::Always),
    ("__filter", Condition::Always),
    ("__filterSource", Condition::Always),
    ("__findFile", Condition::Always),
    ("__flakeRefToString", Condition::Experimental("flakes")),
    ("__floor", Condition::Always),
    ("__foldl'", Condition::Always),
    ("__fromJSON", Condition::Always),
    ("fromTOML", Condition::Always),
    ("__functionArgs", Condition::Always),
    ("__genericClosure", Condition::Always),
    ("__genList", Condition::Always),
    ("__getAttr", Condition::Always),
    ("__getContext", Condition::Always),
    ("__getEnv", Condition::Always),
    ("__getFlake", Condition::Experimental("flakes")),
    ("__groupBy", Condition::Always),
    ("__hasAttr", Condition::Always),
    ("__hasContext", Condition::Always),
    ("__hashFile", Condition::Always),
    ("__hashString", Condition::Always),
    ("__head", Condition::Always),
    ("import", Condition::Always),
    ("__importNative", Condition::UnsafeNativeCode),
    ("__intersectAttrs", Condition::Always),
    ("__isAttrs", Condition::Always),
    ("__isBool", Condition::Always),
    ("__isFloat", Condition::Always),
    ("__isFunction", Condition::Always),
    ("__isInt", Condition::Always),
    ("__isList", Condition::Always),
    ("isNull", Condition::Always),
    ("__isPath", Condition::Always),
    ("__isString", Condition::Always),
    ("__langVersion", Condition::Always),
    ("__length", Condition::Always),
    ("__lessThan", Condition::Always),
    ("__listToAttrs", Condition::Always),
    ("map", Condition::Always),
    ("__mapAttrs", Condition::Always),
    ("__match", Condition::Always),
    ("__mul", Condition::Always),
    ("__nixPath", Condition::Always),
    ("__nixVersion", Condition::Always),
    ("null", Condition::Always),
    ("__outputOf", Condition::Experimental("dynamic-derivations")),
    ("__parseDrvName", Condition::Always),
    ("__parseFlakeRef", Condition::Experimental("flakes")),
    ("__partition", Condition::Always),
    ("__path", Condition::Always),
    ("__pathExists", Condition::Always),
    ("placeholder", Condition::Always),
    ("__readDir", Condition::Always),
    ("__readFile", Condition::Always),
    ("__readFileType", Condition::Always),
    ("removeAttrs", Condition::Always),
    ("__replaceStrings", Condition::Always),
    ("scopedImport", Condition::Always),
    ("__seq", Condition::Always),
    ("__sort", Condition::Always),
    ("__split", Condition::Always),
    ("__splitVersion", Condition::Always),
    ("__storeDir", Condition::Always),
    ("__storePath", Condition::Always),
    ("__stringLength", Condition::Always),
    ("__sub", Condition::Always),
    ("__substring", Condition::Always),
    ("__tail", Condition::Always),
    ("throw", Condition::Always),
    ("__toFile", Condition::Always),
    ("__toJSON", Condition::Always),
    ("__toPath", Condition::Always),
    ("toString", Condition::Always),
    ("__toXML", Condition::Always),
    ("__trace", Condition::Always),
    ("__traceVerbose", Condition::Always),
    ("true", Condition::Always),
    ("__tryEval", Condition::Always),
    ("__typeOf", Condition::Always),
    ("__unsafeDiscardOutputDependency", Condition::Always),
    ("__unsafeDiscardStringContext", Condition::Always),
    ("__unsafeGetAttrPos", Condition::Always),
    ("__warn", Condition::Always),
    ("__zipAttrsWith", Condition::Always),
];

/// The settings that decide which globals exist.
#[derive(Debug, Clone, Default)]
pub struct GlobalSettings {
    pub pure_eval: bool,
    pub allow_unsafe_native_code: bool,
    pub experimental_features: Vec<String>,
}

impl GlobalSettings {
    pub fn has(&self, condition: Condition) -> bool {
        match condition {
            Condition::Always => true,
            Condition::Impure => !self.pure_eval,
            Condition::UnsafeNativeCode => self.allow_unsafe_native_code,
            // `flakes` implies `fetch-tree` (CppNix's parsing of the
            // experimental-features setting adds it).
            Condition::Experimental(feature) => {
                self.experimental_features.iter().any(|f| f == feature || (feature == "fetch-tree" && f == "flakes"))
            }
        }
    }

    /// Whether `name` is bound in the global environment under these settings.
    pub fn is_global(&self, name: &[u8]) -> bool {
        GLOBALS.iter().any(|(n, c)| n.as_bytes() == name && self.has(*c))
    }
}
