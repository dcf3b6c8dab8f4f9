//! Property tests: parsers never panic on arbitrary input, and printing then
//! parsing gives the same value back.

use std::collections::{BTreeMap, BTreeSet};

use neve_store::derivation::{Derivation, DerivationOutput};
use neve_store::hash::{hash_bytes, Hash, HashAlgo, HashEncoding};
use neve_store::nar::{nar_hash_node, nar_of_node, read_nar, NarNode};
use neve_store::{nixbase32, FileIngestionMethod, StoreDir, StorePath};
use proptest::prelude::*;

fn algo() -> impl Strategy<Value = HashAlgo> {
    prop::sample::select(HashAlgo::ALL.to_vec())
}

fn store_path() -> impl Strategy<Value = StorePath> {
    (prop::array::uniform20(any::<u8>()), "[a-zA-Z0-9+_?=][a-zA-Z0-9+._?=-]{0,20}")
        .prop_map(|(d, name)| StorePath::new(d, &name).unwrap())
}

fn nar_node() -> impl Strategy<Value = NarNode> {
    let leaf = prop_oneof![
        (any::<bool>(), prop::collection::vec(any::<u8>(), 0..40))
            .prop_map(|(executable, contents)| NarNode::Regular { executable, contents }),
        prop::collection::vec(1u8..=255, 1..20).prop_map(|target| NarNode::Symlink { target }),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop::collection::btree_map("[a-z.]{1,6}".prop_filter("no dot names", |n| n != "." && n != ".."), inner, 0..6)
            .prop_map(|m| NarNode::Directory(m.into_iter().map(|(k, v)| (k.into_bytes(), v)).collect()))
    })
}

/// Bytes for the fields printed without escaping must not contain `"`.
fn plain_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>().prop_filter("no quote", |&b| b != b'"' && b != b'\\'), 0..12)
}

fn derivation() -> impl Strategy<Value = Derivation> {
    let outputs = prop::collection::btree_map(
        "[a-z]{1,5}",
        prop_oneof![
            store_path().prop_map(DerivationOutput::InputAddressed),
            Just(DerivationOutput::Deferred),
            (algo(), any::<bool>()).prop_map(|(algo, r)| DerivationOutput::Floating {
                method: if r { FileIngestionMethod::Recursive } else { FileIngestionMethod::Flat },
                algo
            }),
        ],
        1..4,
    );
    let fixed = (algo(), any::<bool>(), prop::collection::vec(any::<u8>(), 0..8)).prop_map(|(algo, r, data)| {
        let mut m = BTreeMap::new();
        m.insert(
            "out".to_owned(),
            DerivationOutput::Fixed {
                method: if r { FileIngestionMethod::Recursive } else { FileIngestionMethod::Flat },
                hash: hash_bytes(algo, &data),
            },
        );
        m
    });
    (
        prop_oneof![outputs, fixed],
        prop::collection::btree_map(store_path(), prop::collection::btree_set("[a-z]{1,4}", 1..3), 0..3),
        prop::collection::btree_set(store_path(), 0..3),
        plain_bytes(),
        prop::collection::vec(any::<u8>(), 0..20),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..10), 0..4),
        prop::collection::btree_map(
            prop::collection::vec(any::<u8>(), 0..8),
            prop::collection::vec(any::<u8>(), 0..30),
            0..6,
        ),
    )
        .prop_map(|(outputs, input_drvs, input_srcs, platform, builder, args, env)| Derivation {
            name: "prop".to_owned(),
            outputs: outputs.into_iter().collect(),
            input_drvs: input_drvs.into_iter().collect(),
            input_srcs,
            platform,
            builder,
            args,
            env: env.into_iter().collect(),
        })
}

proptest! {
    #[test]
    fn base32_round_trips(bytes in prop::collection::vec(any::<u8>(), 0..80)) {
        let s = nixbase32::encode(&bytes);
        prop_assert_eq!(nixbase32::decode(s.as_bytes()).unwrap(), bytes);
    }

    #[test]
    fn base32_decode_never_panics(s in prop::collection::vec(any::<u8>(), 0..80)) {
        let _ = nixbase32::decode(&s);
    }

    #[test]
    fn hash_forms_round_trip(algo in algo(), data in prop::collection::vec(any::<u8>(), 0..64)) {
        let h = hash_bytes(algo, &data);
        for enc in [HashEncoding::Base16, HashEncoding::Base32, HashEncoding::Base64, HashEncoding::Sri] {
            let s = h.to_string_as(enc, true);
            prop_assert_eq!(Hash::parse_any_prefixed(&s).unwrap(), h.clone());
        }
    }

    #[test]
    fn hash_parse_never_panics(s in ".{0,120}", known in prop::option::of(algo())) {
        let _ = Hash::parse_any(&s, known);
        let _ = Hash::parse_sri(&s);
        let _ = Hash::parse_any_prefixed(&s);
    }

    #[test]
    fn store_path_parse_never_panics(s in ".{0,80}") {
        let _ = StoreDir::default().parse_path(&s);
        let _ = StorePath::from_base_name(&s);
    }

    #[test]
    fn store_paths_round_trip(p in store_path()) {
        let dir = StoreDir::default();
        prop_assert_eq!(dir.parse_path(&dir.print_path(&p)).unwrap(), p);
    }

    #[test]
    fn nar_round_trips(node in nar_node()) {
        let bytes = nar_of_node(&node);
        prop_assert_eq!(bytes.len() % 8, 0);
        prop_assert_eq!(read_nar(&bytes[..]).unwrap(), node.clone());
        let (h, size) = nar_hash_node(HashAlgo::Sha256, &node);
        prop_assert_eq!(size, bytes.len() as u64);
        prop_assert_eq!(h, hash_bytes(HashAlgo::Sha256, &bytes));
    }

    #[test]
    fn nar_read_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = read_nar(&bytes[..]);
    }

    #[test]
    fn aterm_round_trips(drv in derivation()) {
        let dir = StoreDir::default();
        let text = drv.to_aterm(&dir).unwrap();
        let back = Derivation::parse_aterm(&text, "prop", &dir).unwrap();
        prop_assert_eq!(&back, &drv);
        prop_assert_eq!(back.to_aterm(&dir).unwrap(), text);
    }

    #[test]
    fn aterm_parse_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = Derivation::parse_aterm(&bytes, "x", &StoreDir::default());
    }

    #[test]
    fn aterm_parse_of_mutated_drv_never_panics(drv in derivation(), pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut text = drv.to_aterm(&StoreDir::default()).unwrap();
        let i = pos.index(text.len());
        text[i] = byte;
        let _ = Derivation::parse_aterm(&text, "prop", &StoreDir::default());
    }
}

#[test]
fn references_are_sorted_like_base_names() {
    let dir = StoreDir::default();
    let paths: BTreeSet<StorePath> =
        (0..50u8).map(|i| dir.text_path_of(&format!("p{i}"), &[i], &BTreeSet::new()).unwrap()).collect();
    let printed: Vec<String> = paths.iter().map(|p| dir.print_path(p)).collect();
    let mut sorted = printed.clone();
    sorted.sort();
    assert_eq!(printed, sorted);
}
