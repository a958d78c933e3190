//! Every policy key the app reads is offered to IT everywhere IT sets policy: the documentation's
//! table, the Group Policy template, the macOS profile and the JSON example, and (except the demo
//! sandbox switch, which installers cannot contain) the MSI's properties. A key added to the code
//! and forgotten in a template fails here.

use huma_core::policy::Key;

fn read(path: &str) -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    std::fs::read_to_string(format!("{root}/{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_policy_key_is_in_every_template() {
    let it_md = read("docs/IT.md");
    let admx = read("docs/it/HumaClinician.admx");
    let mobileconfig = read("docs/it/HumaClinician.mobileconfig");
    let msi = read("deploy/windows/policy-properties.wxs");
    let mut missing = Vec::new();
    for key in Key::ALL {
        let name = key.name();
        let mut check = |file: &str, needle: String| {
            if !file.contains(&needle) {
                missing.push(format!("{name} ({needle})"));
            }
        };
        check(&it_md, format!("| `{name}` |"));
        check(&admx, format!("valueName=\"{name}\""));
        check(&mobileconfig, format!("<key>{name}</key>"));
        if key != Key::SandboxAllowed {
            check(&msi, format!("Name=\"{name}\""));
        }
    }
    assert!(
        missing.is_empty(),
        "missing from the IT templates: {missing:?}"
    );
}
