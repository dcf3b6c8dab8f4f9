//! neve-store: the parts of the Nix store that an evaluator needs, independent of
//! the Nix language: hashes and their encodings, store paths, NAR serialisation,
//! derivations in ATerm form, and a client for the nix-daemon worker protocol.
