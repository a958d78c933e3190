// The app's own commands (`src/command_list.rs`). Each gets a generated `allow-<command>`
// permission, and the window's capability file grants exactly these: a command missing there
// cannot be called from the UI.
include!("src/command_list.rs");
const COMMANDS: &[&str] = with_commands!(command_names);

const CAPABILITY: &str = "src-tauri/capabilities/main.json";

/// The main window's capability must grant every command and nothing else of ours: a command
/// missing there fails at run time only, so the build stops here instead, naming it.
fn check_capability() {
    println!("cargo:rerun-if-changed={CAPABILITY}");
    println!("cargo:rerun-if-changed=src-tauri/src/command_list.rs");
    let text = std::fs::read_to_string(CAPABILITY).expect("the main window's capability file");
    let granted: Vec<String> = text
        .split('"')
        .filter_map(|word| word.strip_prefix("allow-"))
        .map(|name| name.replace('-', "_"))
        .collect();
    let missing: Vec<&&str> = COMMANDS
        .iter()
        .filter(|c| !granted.iter().any(|g| g == *c))
        .collect();
    let unknown: Vec<&String> = granted
        .iter()
        .filter(|g| !COMMANDS.contains(&g.as_str()))
        .collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "{CAPABILITY} and src-tauri/src/command_list.rs differ: commands not granted {missing:?}, \
         granted but not commands {unknown:?}"
    );
}

fn main() {
    check_capability();
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script failed");
}
