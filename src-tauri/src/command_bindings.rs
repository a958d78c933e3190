//! Writes the UI's typed command bindings from the command list and each command's signature and
//! doc comment, so a command is declared once, in Rust. ts-rs writes the types it names (from
//! `huma-core`); this writes `BackendCommands.ts` beside them: the `BackendCommands` interface (one
//! method per command, camelCase as Tauri expects) and `CommandMethods`, its implementation over
//! one `call(command, args)`. Like ts-rs, the test writes the file; CI fails when the committed
//! copy differs.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use syn::{FnArg, GenericArgument, Pat, PathArguments, ReturnType, Type};

/// Parameters Tauri fills in itself: never sent by the UI.
const INJECTED: [&str; 6] = [
    "App",
    "State",
    "AppHandle",
    "Window",
    "WebviewWindow",
    "Webview",
];

/// Writing to a `String` cannot fail.
const WRITE: &str = "text into a String";

const OUTPUT: &str = "ui/src/lib/backend/bindings/BackendCommands.ts";

/// One command as the UI sees it.
#[derive(Debug, PartialEq)]
struct Binding {
    command: String,
    docs: Vec<String>,
    params: Vec<(String, String)>,
    returns: String,
}

/// The TypeScript for a Rust type, noting the named types it needs imported.
fn typescript(ty: &Type, imports: &mut BTreeSet<String>) -> String {
    match ty {
        Type::Reference(reference) => typescript(&reference.elem, imports),
        Type::Tuple(tuple) if tuple.elems.is_empty() => "null".into(),
        Type::Path(path) => {
            let last = path.path.segments.last().expect("a type has a name");
            let name = last.ident.to_string();
            let inner = |imports: &mut BTreeSet<String>| match &last.arguments {
                PathArguments::AngleBracketed(args) => args
                    .args
                    .iter()
                    .find_map(|arg| match arg {
                        GenericArgument::Type(ty) => Some(typescript(ty, imports)),
                        _ => None,
                    })
                    .unwrap_or_else(|| panic!("{name} without a type argument")),
                _ => panic!("{name} without a type argument"),
            };
            match name.as_str() {
                "String" | "str" | "PathBuf" | "Path" => "string".into(),
                "bool" => "boolean".into(),
                "u8" | "u16" | "u32" | "u64" | "usize" | "i32" | "i64" | "f64" => "number".into(),
                "Option" => format!("{} | null", inner(imports)),
                "Vec" => {
                    let element = inner(imports);
                    if element.contains(' ') {
                        format!("({element})[]")
                    } else {
                        format!("{element}[]")
                    }
                }
                // A command's result: what it answers when it succeeds (its error is an IpcError).
                "AppResult" | "Result" => inner(imports),
                _ => {
                    imports.insert(name.clone());
                    name
                }
            }
        }
        _ => panic!("a command's parameter or result of a kind with no TypeScript here"),
    }
}

fn camel_case(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn is_injected(ty: &Type) -> bool {
    match ty {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .is_some_and(|last| INJECTED.contains(&last.ident.to_string().as_str())),
        _ => false,
    }
}

fn doc_lines(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(value) => match &value.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }) => Some(text.value().trim().to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// The command `name` as declared in `source` (a module of the shell).
fn binding(source: &str, name: &str, imports: &mut BTreeSet<String>) -> Binding {
    let file = syn::parse_file(source).expect("the command's module parses");
    let function = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Fn(function) if function.sig.ident == name => Some(function),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no function {name} in its module"));
    let params = function
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            FnArg::Typed(typed) if !is_injected(&typed.ty) => {
                let Pat::Ident(ident) = &*typed.pat else {
                    panic!("{name}: a parameter without a plain name")
                };
                Some((
                    camel_case(&ident.ident.to_string()),
                    typescript(&typed.ty, imports),
                ))
            }
            _ => None,
        })
        .collect();
    let returns = match &function.sig.output {
        ReturnType::Default => "null".into(),
        ReturnType::Type(_, ty) => typescript(ty, imports),
    };
    Binding {
        command: name.to_string(),
        docs: doc_lines(&function.attrs),
        params,
        returns,
    }
}

fn write_docs(out: &mut String, command: &str, docs: &[String]) {
    let text = docs.join(" ");
    let text = text.trim();
    if text.is_empty() {
        writeln!(out, "  /** `{command}` */").expect(WRITE);
    } else {
        writeln!(out, "  /** `{command}`: {text} */").expect(WRITE);
    }
}

fn render(bindings: &[Binding], imports: &BTreeSet<String>) -> String {
    let mut out = String::from(
        "// Written by `cargo test -p huma-clinician command_bindings` from src-tauri/src/command_list.rs and\n\
         // each command's signature and doc comment. Do not edit: change the command in Rust.\n",
    );
    for name in imports {
        writeln!(out, "import type {{ {name} }} from \"./{name}\";").expect(WRITE);
    }
    out.push_str("\n/** One method per command of the app. Every method rejects only with an `IpcError`. */\n");
    out.push_str("export interface BackendCommands {\n");
    for b in bindings {
        write_docs(&mut out, &b.command, &b.docs);
        let params: Vec<String> = b.params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
        writeln!(
            out,
            "  {}({}): Promise<{}>;",
            camel_case(&b.command),
            params.join(", "),
            b.returns
        )
        .expect(WRITE);
    }
    out.push_str("}\n\n/** Each method's command. */\n");
    out.push_str("export const COMMAND_NAMES: Record<keyof BackendCommands, string> = {\n");
    for b in bindings {
        writeln!(out, "  {}: \"{}\",", camel_case(&b.command), b.command).expect(WRITE);
    }
    out.push_str(
        "};\n\n/** Every command over one `call`, which sends a command with its arguments. */\n\
         export abstract class CommandMethods implements BackendCommands {\n\
         \x20 protected abstract call<T>(command: string, args?: Record<string, unknown>): Promise<T>;\n",
    );
    for b in bindings {
        let params: Vec<String> = b.params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
        let names: Vec<&str> = b.params.iter().map(|(n, _)| n.as_str()).collect();
        let args = if names.is_empty() {
            String::new()
        } else {
            format!(", {{ {} }}", names.join(", "))
        };
        writeln!(
            out,
            "  {}({}): Promise<{}> {{\n    return this.call(\"{}\"{args});\n  }}",
            camel_case(&b.command),
            params.join(", "),
            b.returns,
            b.command
        )
        .expect(WRITE);
    }
    out.push_str("}\n");
    out
}

/// The bindings for every command in the list, read from the shell's sources.
fn generate() -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let commands: &[(&str, &str)] = with_commands!(command_paths);
    let mut imports = BTreeSet::new();
    let bindings: Vec<Binding> = commands
        .iter()
        .map(|(module, name)| {
            let path = format!("{root}/src-tauri/src/{module}.rs");
            let source = std::fs::read_to_string(&path).expect("the command's module");
            binding(&source, name, &mut imports)
        })
        .collect();
    render(&bindings, &imports)
}

#[test]
fn command_bindings() {
    let path = format!("{}/{OUTPUT}", env!("CARGO_MANIFEST_DIR"));
    let wanted = generate();
    if std::fs::read_to_string(&path).ok().as_deref() != Some(wanted.as_str()) {
        std::fs::write(&path, wanted).expect("write the UI's command bindings");
    }
}

#[test]
fn a_signature_becomes_a_method() {
    let source = r#"
        /// Sends it.
        /// Twice.
        #[tauri::command]
        pub async fn send_things<R: Runtime>(
            handle: AppHandle<R>,
            app: App<'_>,
            list_id: String,
            ids: Vec<String>,
            limit: Option<u64>,
        ) -> AppResult<Option<Vec<SendReceipt>>> {
            todo!()
        }
        #[tauri::command]
        pub fn stop(app: App<'_>) -> AppResult<()> { todo!() }
    "#;
    let mut imports = BTreeSet::new();
    let send = binding(source, "send_things", &mut imports);
    assert_eq!(
        send,
        Binding {
            command: "send_things".into(),
            docs: vec!["Sends it.".into(), "Twice.".into()],
            params: vec![
                ("listId".into(), "string".into()),
                ("ids".into(), "string[]".into()),
                ("limit".into(), "number | null".into()),
            ],
            returns: "SendReceipt[] | null".into(),
        }
    );
    let stop = binding(source, "stop", &mut imports);
    assert_eq!(stop.params, vec![]);
    assert_eq!(stop.returns, "null");
    assert_eq!(imports, BTreeSet::from(["SendReceipt".to_string()]));

    let ts = render(&[send, stop], &imports);
    assert!(ts.contains("import type { SendReceipt } from \"./SendReceipt\";"));
    assert!(ts.contains(
        "  sendThings(listId: string, ids: string[], limit: number | null): Promise<SendReceipt[] | null> {\n    \
         return this.call(\"send_things\", { listId, ids, limit });"
    ));
    assert!(ts.contains("  /** `send_things`: Sends it. Twice. */"));
    assert!(ts.contains("  stop(): Promise<null> {\n    return this.call(\"stop\");"));
}
