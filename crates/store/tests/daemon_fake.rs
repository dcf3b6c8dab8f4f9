//! The daemon client against a scripted fake daemon speaking an older protocol
//! (1.21: no version string, old error format), so those branches are tested
//! without an old nix-daemon.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::thread;

use neve_store::daemon::{DaemonClient, DaemonError, PathInfo, WORKER_MAGIC_1, WORKER_MAGIC_2};
use neve_store::hash::{hash_bytes, HashAlgo};
use neve_store::StoreDir;

struct Wire(UnixStream);

impl Wire {
    fn u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.0.read_exact(&mut b).unwrap();
        u64::from_le_bytes(b)
    }
    fn string(&mut self) -> Vec<u8> {
        let len = self.u64() as usize;
        let mut v = vec![0u8; len.div_ceil(8) * 8];
        self.0.read_exact(&mut v).unwrap();
        v.truncate(len);
        v
    }
    fn put_u64(&mut self, n: u64) {
        self.0.write_all(&n.to_le_bytes()).unwrap();
    }
    fn put_string(&mut self, s: &[u8]) {
        self.put_u64(s.len() as u64);
        self.0.write_all(s).unwrap();
        self.0.write_all(&vec![0u8; s.len().div_ceil(8) * 8 - s.len()]).unwrap();
    }
}

const STDERR_NEXT: u64 = 0x6f6c_6d67;
const STDERR_LAST: u64 = 0x616c_7473;
const STDERR_ERROR: u64 = 0x6378_7470;
const STDERR_START_ACTIVITY: u64 = 0x5354_5254;
const STDERR_STOP_ACTIVITY: u64 = 0x5354_4f50;

#[test]
fn old_protocol_daemon() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("socket");
    let listener = UnixListener::bind(&socket).unwrap();
    let valid = StoreDir::default().text_path_of("valid", b"v", &BTreeSet::new()).unwrap();
    let valid_printed = StoreDir::default().print_path(&valid);

    let server = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut w = Wire(stream);
        assert_eq!(w.u64(), WORKER_MAGIC_1);
        w.put_u64(WORKER_MAGIC_2);
        w.put_u64(1 << 8 | 21);
        assert_eq!(w.u64(), 1 << 8 | 34, "client version");
        assert_eq!(w.u64(), 0, "no CPU affinity");
        assert_eq!(w.u64(), 0, "reserveSpace");
        // No version string below 1.33; startup log then LAST.
        w.put_u64(STDERR_NEXT);
        w.put_string(b"welcome\n");
        w.put_u64(STDERR_LAST);

        // isValidPath, with an activity in between.
        assert_eq!(w.u64(), 1);
        assert_eq!(w.string(), valid_printed.as_bytes());
        w.put_u64(STDERR_START_ACTIVITY);
        w.put_u64(7); // id
        w.put_u64(3); // level
        w.put_u64(0); // type
        w.put_string(b"checking");
        w.put_u64(2); // fields
        w.put_u64(0);
        w.put_u64(42);
        w.put_u64(1);
        w.put_string(b"field");
        w.put_u64(0); // parent
        w.put_u64(STDERR_STOP_ACTIVITY);
        w.put_u64(7);
        w.put_u64(STDERR_LAST);
        w.put_u64(1);

        // addTextToStore fails with an old-style error.
        assert_eq!(w.u64(), 8);
        assert_eq!(w.string(), b"name");
        assert_eq!(w.string(), b"text");
        assert_eq!(w.u64(), 0);
        w.put_u64(STDERR_ERROR);
        w.put_string(b"no space left");
        w.put_u64(1);

        // The connection is still usable.
        assert_eq!(w.u64(), 1);
        w.string();
        w.put_u64(STDERR_LAST);
        w.put_u64(0);
    });

    let mut client = DaemonClient::connect(&socket).unwrap();
    assert_eq!(client.minor(), 21);
    assert_eq!(client.daemon_nix_version(), None);
    assert_eq!(client.take_log(), vec!["welcome".to_owned()]);
    assert!(client.is_valid_path(&valid).unwrap());
    assert_eq!(client.take_log(), vec!["checking".to_owned()]);
    match client.add_text_to_store("name", b"text", &BTreeSet::new()) {
        Err(DaemonError::Remote { message, traces }) => {
            assert_eq!(message, "no space left");
            assert!(traces.is_empty());
        }
        other => panic!("expected a remote error, got {other:?}"),
    }
    assert!(!client.is_valid_path(&valid).unwrap());
    // Features this old daemon lacks are refused before anything is sent.
    let info = PathInfo {
        path: valid.clone(),
        deriver: None,
        nar_hash: hash_bytes(HashAlgo::Sha256, b""),
        references: BTreeSet::new(),
        registration_time: 0,
        nar_size: 0,
        ultimate: false,
        signatures: BTreeSet::new(),
        content_address: None,
    };
    assert!(matches!(client.add_to_store_nar(&info, &mut |_| Ok(())), Err(DaemonError::Other(_))));
    server.join().unwrap();
}

#[test]
fn wrong_greeting_and_missing_socket() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(DaemonClient::connect(&dir.path().join("none")), Err(DaemonError::Connect { .. })));

    let socket = dir.path().join("socket");
    let listener = UnixListener::bind(&socket).unwrap();
    let server = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut w = Wire(stream);
        w.u64();
        // One write: the client hangs up as soon as it has read the wrong
        // greeting, so a second write could fail with a broken pipe.
        let mut greeting = 0xdead_beef_u64.to_le_bytes().to_vec();
        greeting.extend_from_slice(&(1u64 << 8 | 34).to_le_bytes());
        w.0.write_all(&greeting).unwrap();
    });
    assert!(matches!(DaemonClient::connect(&socket), Err(DaemonError::Protocol(_))));
    server.join().unwrap();

    let listener = UnixListener::bind(dir.path().join("socket2")).unwrap();
    let server = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut w = Wire(stream);
        w.u64();
        w.put_u64(WORKER_MAGIC_2);
        w.put_u64(2 << 8 | 1);
    });
    assert!(matches!(
        DaemonClient::connect(&dir.path().join("socket2")),
        Err(DaemonError::UnsupportedVersion { major: 2, minor: 1 })
    ));
    server.join().unwrap();
}
