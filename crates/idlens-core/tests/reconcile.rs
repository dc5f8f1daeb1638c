//! Property-style checks of the reconciliation invariant (`records == ingested + merged + set aside`, per file) and
//! of "nothing panics": valid exports cut at every byte offset, fed in pseudo-random chunk sizes, and mutated.

use idlens_core::ingest::{Ingest, IngestOptions};
use idlens_core::model::Snapshot;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/samples/");

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn run(name: &str, bytes: &[u8], rng: &mut Rng) -> Snapshot {
    let mut ingest = Ingest::new(IngestOptions::default());
    ingest.begin_file(name);
    let mut rest = bytes;
    while !rest.is_empty() {
        let n = 1 + rng.below(64).min(rest.len() - 1);
        ingest.push(&rest[..n]);
        rest = &rest[n..];
    }
    ingest.end_file();
    let snap = ingest.finish();
    for file in &snap.files {
        assert!(file.balanced(), "{name} ({} bytes): {file:?}", bytes.len());
    }
    snap
}

fn inputs() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for path in [
        "azure-cli-recordings/test_create_for_rbac_password__3__graph_sp_list.json",
        "azure-cli-recordings/test_federated_identity_credential__3__fic_list.json",
        "azure-cli-recordings/test_role_assignment_at_scope__2__role_assignment_list.json",
        "azure-docs-examples/role-definition-cli-contributor.DERIVED.json",
        "msgraph-docs/serviceprincipalsigninactivities-list.DERIVED.json",
    ] {
        let bytes = std::fs::read(format!("{SAMPLES}{path}")).expect("sample");
        out.push((path.to_owned(), bytes));
    }
    let csv = "id,name,type,identity\n/s/1/resourceGroups/r/providers/a/b/c,c,a/b,\"{\"\"type\"\":\"\"SystemAssigned\"\",\"\"principalId\"\":\"\"25cc773c-7f05-40fc-a104-32d2300754ad\"\"}\"\n/s/2,d,a/b,\n";
    out.push(("arg.csv".into(), csv.as_bytes().to_vec()));
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in r#"[{"principalId":"8097154c-b14f-4898-928c-16ca80e12dfd","roleDefinitionId":"/x/acdd72a7-3385-48ef-bd42-f606fba81ae7","scope":"/"}]"#.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    out.push(("utf16.json".into(), utf16));
    out
}

#[test]
fn truncated_at_every_offset() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for (name, bytes) in inputs() {
        let full = run(&name, &bytes, &mut rng);
        let full_ingested = full.files[0].ingested + full.files[0].merged;
        for cut in 0..bytes.len() {
            let snap = run(&name, &bytes[..cut], &mut rng);
            let file = &snap.files[0];
            assert!(
                file.ingested + file.merged <= full_ingested,
                "{name} cut at {cut}"
            );
        }
    }
}

#[test]
fn random_chunking_agrees_with_whole() {
    let mut rng = Rng(42);
    for (name, bytes) in inputs() {
        let mut whole = Ingest::new(IngestOptions::default());
        whole.add_file(&name, &bytes);
        let whole = whole.finish();
        for _ in 0..20 {
            let snap = run(&name, &bytes, &mut rng);
            assert_eq!(snap.files, whole.files, "{name}");
            assert_eq!(snap.identities.len(), whole.identities.len());
            assert_eq!(snap.grants.len(), whole.grants.len());
        }
    }
}

#[test]
fn mutated_bytes_never_panic() {
    let mut rng = Rng(7);
    let specials = [
        b'"', b'{', b'}', b'[', b']', b',', b':', b'\\', b'\n', 0, 0xFF, 0xC3, b'1', b'n',
    ];
    for (name, bytes) in inputs() {
        for _ in 0..300 {
            let mut mutated = bytes.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(mutated.len());
                match rng.below(3) {
                    0 => mutated[at] = specials[rng.below(specials.len())],
                    1 => {
                        mutated.remove(at);
                    }
                    _ => mutated.insert(at, specials[rng.below(specials.len())]),
                }
            }
            run(&name, &mutated, &mut rng);
        }
    }
}

#[test]
fn many_files_in_one_ingest() {
    let mut rng = Rng(99);
    let mut ingest = Ingest::new(IngestOptions::default());
    for (name, bytes) in inputs().iter().cycle().take(30) {
        let cut = rng.below(bytes.len() + 1);
        ingest.add_file(name, &bytes[..cut]);
    }
    let snap = ingest.finish();
    assert_eq!(snap.files.len(), 30);
    assert!(snap.files.iter().all(|f| f.balanced()));
}
