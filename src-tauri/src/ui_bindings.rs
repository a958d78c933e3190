//! Writes the UI's typed bindings of the app's commands and events, so each is declared once, in
//! Rust: the commands from the command list and each function's signature and doc comment, the
//! events from `events.rs`. ts-rs writes the types they name (from `huma-core`); this writes
//! `BackendMethods.ts` beside them: the `BackendCommands` and `AppEvents` interfaces (camelCase, as
//! Tauri expects) and `BackendMethods`, their implementation over one `call(command, args)` and one
//! `listen(event, handler)`. Like ts-rs, the test writes the file; CI fails when the committed copy
//! differs.

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

const OUTPUT: &str = "ui/src/lib/backend/bindings/BackendMethods.ts";

/// One event as the UI sees it.
#[derive(Debug, PartialEq)]
struct EventBinding {
    name: String,
    /// The constant's name, e.g. `OUTBOX_CHANGED` (the UI's `onOutboxChanged`).
    constant: String,
    docs: Vec<String>,
    payload: String,
}

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
                "CommandResult" | "AppResult" | "Result" => inner(imports),
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

/// The events declared in `source` (`events.rs`): each `const NAME: Event<Payload> = Event::new("name")`.
fn event_bindings(source: &str, imports: &mut BTreeSet<String>) -> Vec<EventBinding> {
    let file = syn::parse_file(source).expect("events.rs parses");
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Const(constant) => Some(constant),
            _ => None,
        })
        .filter_map(|constant| {
            let Type::Path(path) = &*constant.ty else {
                return None;
            };
            let last = path.path.segments.last()?;
            if last.ident != "Event" {
                return None;
            }
            let PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            let Some(GenericArgument::Type(payload)) = args.args.first() else {
                return None;
            };
            let syn::Expr::Call(call) = &*constant.expr else {
                panic!(
                    "{}: an event is made with Event::new(\"name\")",
                    constant.ident
                )
            };
            let Some(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(name),
                ..
            })) = call.args.first()
            else {
                panic!(
                    "{}: an event is made with Event::new(\"name\")",
                    constant.ident
                )
            };
            Some(EventBinding {
                name: name.value(),
                constant: constant.ident.to_string(),
                docs: doc_lines(&constant.attrs),
                payload: typescript(payload, imports),
            })
        })
        .collect()
}

/// `OUTBOX_CHANGED` → `onOutboxChanged`.
fn subscription(constant: &str) -> String {
    let camel = camel_case(&constant.to_lowercase());
    let mut chars = camel.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
    format!("on{}{}", first.unwrap_or_default(), chars.as_str())
}

fn write_docs(out: &mut String, name: &str, docs: &[String]) {
    let text = docs.join(" ");
    let text = text.trim();
    if text.is_empty() {
        writeln!(out, "  /** `{name}` */").expect(WRITE);
    } else {
        writeln!(out, "  /** `{name}`: {text} */").expect(WRITE);
    }
}

fn render(bindings: &[Binding], events: &[EventBinding], imports: &BTreeSet<String>) -> String {
    let mut out = String::from(
        "// Written by `cargo test -p huma-clinician ui_bindings` from src-tauri/src/command_list.rs, each\n\
         // command's signature and doc comment, and src-tauri/src/events.rs. Do not edit: change the Rust.\n",
    );
    for name in imports {
        writeln!(out, "import type {{ {name} }} from \"./{name}\";").expect(WRITE);
    }
    out.push_str("\n/** Stops a subscription. Safe to call more than once. */\nexport type Unsubscribe = () => void;\n");
    out.push_str("\n/** One method per command of the app. Every method rejects only with an `IpcError`. */\n");
    out.push_str("export interface BackendCommands {\n");
    for b in bindings {
        write_docs(&mut out, &b.command, &b.docs);
        writeln!(out, "  {};", signature(b)).expect(WRITE);
    }
    out.push_str("}\n\n/** Each method's command. */\n");
    out.push_str("export const COMMAND_NAMES: Record<keyof BackendCommands, string> = {\n");
    for b in bindings {
        writeln!(out, "  {}: \"{}\",", camel_case(&b.command), b.command).expect(WRITE);
    }
    out.push_str(
        "};\n\n/** One subscription per event of the app; handlers never throw across the boundary. */\n\
         export interface AppEvents {\n",
    );
    for e in events {
        write_docs(&mut out, &e.name, &e.docs);
        writeln!(out, "  {};", event_signature(e)).expect(WRITE);
    }
    out.push_str("}\n\n/** Each subscription's event. */\n");
    out.push_str("export const EVENT_NAMES: Record<keyof AppEvents, string> = {\n");
    for e in events {
        writeln!(out, "  {}: \"{}\",", subscription(&e.constant), e.name).expect(WRITE);
    }
    out.push_str(
        "};\n\n/**\n * Every command over one `call`, which sends a command with its arguments, and every event over\n\
         \x20* one `listen`, which subscribes to an event's payloads.\n */\n\
         export abstract class BackendMethods implements BackendCommands, AppEvents {\n\
         \x20 protected abstract call<T>(command: string, args?: Record<string, unknown>): Promise<T>;\n\
         \x20 protected abstract listen<T>(event: string, handler: (payload: T) => void): Unsubscribe;\n",
    );
    for b in bindings {
        let names: Vec<&str> = b.params.iter().map(|(n, _)| n.as_str()).collect();
        let args = if names.is_empty() {
            String::new()
        } else {
            format!(", {{ {} }}", names.join(", "))
        };
        writeln!(
            out,
            "  {} {{\n    return this.call(\"{}\"{args});\n  }}",
            signature(b),
            b.command
        )
        .expect(WRITE);
    }
    for e in events {
        writeln!(
            out,
            "  {} {{\n    return this.listen(\"{}\", handler);\n  }}",
            event_signature(e),
            e.name
        )
        .expect(WRITE);
    }
    out.push_str("}\n");
    out
}

/// `sendImport(listId: string, …): Promise<SendReceipt>`
fn signature(b: &Binding) -> String {
    let params: Vec<String> = b.params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
    format!(
        "{}({}): Promise<{}>",
        camel_case(&b.command),
        params.join(", "),
        b.returns
    )
}

/// `onOutboxChanged(handler: (payload: OutboxStatus) => void): Unsubscribe`
fn event_signature(e: &EventBinding) -> String {
    format!(
        "{}(handler: (payload: {}) => void): Unsubscribe",
        subscription(&e.constant),
        e.payload
    )
}

/// The bindings for every command in the list and every event, read from the shell's sources.
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
    let events = std::fs::read_to_string(format!("{root}/src-tauri/src/events.rs"))
        .expect("the events' module");
    let events = event_bindings(&events, &mut imports);
    render(&bindings, &events, &imports)
}

#[test]
fn ui_bindings() {
    let path = format!("{}/{OUTPUT}", env!("CARGO_MANIFEST_DIR"));
    let wanted = generate();
    if std::fs::read_to_string(&path).ok().as_deref() != Some(wanted.as_str()) {
        std::fs::write(&path, wanted).expect("write the UI's bindings");
    }
}

#[test]
fn a_signature_becomes_a_method_and_an_event_a_subscription() {
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

    let events = event_bindings(
        r#"
        /// It changed.
        pub const THINGS_CHANGED: Event<ThingStatus> = Event::new("things-changed");
        pub const ALL: [&str; 1] = [THINGS_CHANGED.name];
        "#,
        &mut imports,
    );
    assert_eq!(
        events,
        vec![EventBinding {
            name: "things-changed".into(),
            constant: "THINGS_CHANGED".into(),
            docs: vec!["It changed.".into()],
            payload: "ThingStatus".into(),
        }]
    );

    let ts = render(&[send, stop], &events, &imports);
    assert!(ts.contains("import type { SendReceipt } from \"./SendReceipt\";"));
    assert!(ts.contains(
        "  sendThings(listId: string, ids: string[], limit: number | null): Promise<SendReceipt[] | null> {\n    \
         return this.call(\"send_things\", { listId, ids, limit });"
    ));
    assert!(ts.contains("  /** `send_things`: Sends it. Twice. */"));
    assert!(ts.contains("  stop(): Promise<null> {\n    return this.call(\"stop\");"));
    assert!(ts.contains("import type { ThingStatus } from \"./ThingStatus\";"));
    assert!(ts.contains(
        "  onThingsChanged(handler: (payload: ThingStatus) => void): Unsubscribe {\n    \
         return this.listen(\"things-changed\", handler);"
    ));
    assert!(ts.contains("  /** `things-changed`: It changed. */"));
}
