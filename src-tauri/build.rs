// The app's own commands (`src/command_list.rs`). Each gets a generated `allow-<command>`
// permission, and the main window is granted exactly these by `capabilities/commands.json`, which
// this script writes from the list: a command is declared in the list alone.
include!("src/command_list.rs");
const COMMANDS: &[&str] = with_commands!(command_names);

const CAPABILITIES: &str = "src-tauri/capabilities";
const COMMANDS_CAPABILITY: &str = "src-tauri/capabilities/commands.json";

/// The main window's grant of every command and nothing else, as JSON.
fn commands_capability() -> String {
    let permissions: Vec<String> = COMMANDS
        .iter()
        .map(|command| format!("    \"allow-{}\"", command.replace('_', "-")))
        .collect();
    format!(
        "{{\n  \"$schema\": \"../../gen/schemas/desktop-schema.json\",\n  \"identifier\": \"main-window-commands\",\n  \
         \"description\": \"Written by build.rs from src-tauri/src/command_list.rs (do not edit): the main window may call each of the app's own commands.\",\n  \
         \"windows\": [\"main\"],\n  \"permissions\": [\n{}\n  ]\n}}\n",
        permissions.join(",\n")
    )
}

/// Writes the commands' capability when the list changed (only then, so cargo does not see a new
/// file on every build), and stops the build when another capability file grants an app command:
/// the list is the one place that says what the window may call.
fn write_commands_capability() {
    println!("cargo:rerun-if-changed=src-tauri/src/command_list.rs");
    println!("cargo:rerun-if-changed={CAPABILITIES}");
    let wanted = commands_capability();
    if std::fs::read_to_string(COMMANDS_CAPABILITY).ok().as_deref() != Some(wanted.as_str()) {
        std::fs::write(COMMANDS_CAPABILITY, wanted).expect("write the commands' capability file");
    }
    for entry in std::fs::read_dir(CAPABILITIES).expect("the capabilities folder") {
        let path = entry.expect("a capability file").path();
        if path.ends_with("commands.json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a capability file");
        let granted: Vec<&str> = text
            .split('"')
            .filter(|word| word.starts_with("allow-"))
            .collect();
        assert!(
            granted.is_empty(),
            "{} grants app commands {granted:?}: list them in src-tauri/src/command_list.rs instead",
            path.display()
        );
    }
}

fn main() {
    write_commands_capability();
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script failed");
}
