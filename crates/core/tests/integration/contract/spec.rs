//! Huma's published OpenAPI (the subset in `tests/fixtures/huma-openapi-subset.yml`) as a checker:
//! it finds the operation for a method and path and lists how a request or a reply breaks it.
//! Schemas are applied by a JSON Schema validator, not by hand.
//!
//! Violations name the operation and a field path, never a value: bodies carry passwords, tokens,
//! SMS codes, invitation codes and patients' names.
//!
//! OpenAPI 3.0 schemas are JSON Schema draft 4 with a few differences, handled here:
//! - `nullable: true` becomes `"null"` added to `type` (draft 4 has no `nullable`);
//! - `format: date-time` is checked (RFC 3339); formats draft 4 does not define (`double`) are ignored;
//! - other OpenAPI-only keywords (`discriminator`, `example`, `xml`) are annotations and are ignored.
//!
//! One correction, where the spec and Huma's server disagree: see [`server_dates`].

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use jsonschema::Validator;
use reqwest::header::HeaderMap;
use serde_json::{json, Value};

const DOCUMENT: &str = include_str!("../../fixtures/huma-openapi-subset.yml");

/// Huma's error body for any 4xx but 429 (whose body Huma does not specify).
static ERROR_BODY: LazyLock<Validator> = LazyLock::new(|| {
    compile(
        &json!({
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "integer"}, "message": {"type": "string"}}
        }),
        &Value::Null,
    )
});

pub struct Spec {
    operations: Vec<Operation>,
}

pub struct Operation {
    /// `POST /api/auth/v1/signout`: the method and the path template, as the spec writes them.
    pub name: String,
    method: String,
    segments: Vec<Segment>,
    /// HTTP names of the headers the operation requires.
    required_headers: Vec<String>,
    /// The operation's security lists no anonymous (`{}`) option: a token is required.
    needs_authorization: bool,
    body_required: bool,
    request: Option<Validator>,
    /// By 2xx status; `None`: that status has no body (204).
    responses: BTreeMap<u16, Option<Validator>>,
}

enum Segment {
    Literal(String),
    Parameter { name: String, schema: Validator },
}

impl Spec {
    pub fn load() -> Self {
        let mut document: Value =
            serde_norway::from_str(DOCUMENT).expect("the OpenAPI fixture is YAML");
        nullable_to_type(&mut document);
        server_dates(&mut document);
        let components = document["components"].clone();
        let operations = object(&document["paths"])
            .flat_map(|(template, item)| {
                let components = &components;
                object(item)
                    .filter(|(method, _)| method.as_str() != "parameters")
                    .map(move |(method, operation)| {
                        Operation::new(method, template, item, operation, components)
                    })
            })
            .collect();
        Self { operations }
    }

    /// The operation `path` (no query) is an instance of. Path parameters match any segment here,
    /// so a malformed id still finds its operation and is reported by `check_request`.
    pub fn operation(&self, method: &str, path: &str) -> Option<&Operation> {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        self.operations
            .iter()
            .filter(|op| op.method.eq_ignore_ascii_case(method) && op.matches(&parts))
            // A literal segment beats a parameter (`…/invitation-link` over `…/{id}`).
            .max_by_key(|op| op.literal_segments())
    }

    pub fn operation_names(&self) -> impl Iterator<Item = &str> {
        self.operations.iter().map(|op| op.name.as_str())
    }
}

impl Operation {
    fn new(method: &str, template: &str, item: &Value, op: &Value, components: &Value) -> Self {
        let parameters: Vec<&Value> = array(&item["parameters"])
            .chain(array(&op["parameters"]))
            .collect();
        let segments = template
            .trim_start_matches('/')
            .split('/')
            .map(
                |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => {
                        let parameter = parameters
                            .iter()
                            .find(|p| p["in"] == "path" && p["name"] == name)
                            .unwrap_or_else(|| panic!("{template}: no path parameter {name}"));
                        Segment::Parameter {
                            name: name.to_owned(),
                            schema: compile(&parameter["schema"], components),
                        }
                    }
                    None => Segment::Literal(segment.to_owned()),
                },
            )
            .collect();
        let required_headers = parameters
            .iter()
            .filter(|p| p["in"] == "header" && p["required"] == true)
            .filter_map(|p| p["name"].as_str())
            .map(http_header_name)
            .collect();
        let needs_authorization =
            op["security"].is_array() && !array(&op["security"]).any(|s| s == &json!({}));
        let schema_of = |v: &Value| {
            let schema = &v["content"]["application/json"]["schema"];
            (!schema.is_null()).then(|| compile(schema, components))
        };
        let responses = object(&op["responses"])
            .filter_map(|(status, response)| Some((status.parse().ok()?, schema_of(response))))
            .collect();
        Self {
            name: format!("{} {template}", method.to_uppercase()),
            method: method.to_owned(),
            segments,
            required_headers,
            needs_authorization,
            body_required: op["requestBody"]["required"] == true,
            request: schema_of(&op["requestBody"]),
            responses,
        }
    }

    fn matches(&self, parts: &[&str]) -> bool {
        parts.len() == self.segments.len()
            && self.segments.iter().zip(parts).all(|(s, part)| match s {
                Segment::Literal(literal) => literal == part,
                Segment::Parameter { .. } => !part.is_empty(),
            })
    }

    fn literal_segments(&self) -> usize {
        let literal = |s: &&Segment| matches!(s, Segment::Literal(_));
        self.segments.iter().filter(literal).count()
    }

    /// Path parameters, required headers and the JSON body of a request to `path`.
    pub fn check_request(&self, path: &str, headers: &HeaderMap, body: &[u8]) -> Vec<String> {
        let mut found = Vec::new();
        let parts = path.trim_start_matches('/').split('/');
        for (segment, part) in self.segments.iter().zip(parts) {
            if let Segment::Parameter { name, schema } = segment {
                let prefix = format!("{} path parameter '{name}'", self.name);
                found.extend(violations(schema, &json!(part), &prefix));
            }
        }
        let has = |header: &str| headers.get(header).is_some_and(|v| !v.is_empty());
        let authorization = self.needs_authorization.then_some("Authorization");
        for header in self
            .required_headers
            .iter()
            .map(String::as_str)
            .chain(authorization)
        {
            if !has(header) {
                found.push(format!(
                    "{} request: header '{header}' is required",
                    self.name
                ));
            }
        }
        found.extend(self.check_body("request", self.request.as_ref(), self.body_required, body));
        found
    }

    /// A reply: a 2xx against the spec's schema for that status, a 4xx against Huma's error body.
    pub fn check_response(&self, status: u16, body: &[u8]) -> Vec<String> {
        let what = format!("response {status}");
        match status {
            200..=299 => match self.responses.get(&status) {
                Some(Some(schema)) => self.check_body(&what, Some(schema), true, body),
                Some(None) if body.is_empty() => Vec::new(),
                Some(None) => vec![format!("{} {what}: the spec gives it no body", self.name)],
                None => {
                    let listed: Vec<String> = self.responses.keys().map(u16::to_string).collect();
                    vec![format!(
                        "{} {what}: status not in the spec (it lists {})",
                        self.name,
                        listed.join(", ")
                    )]
                }
            },
            429 => Vec::new(),
            400..=499 => self.check_body(&what, Some(&ERROR_BODY), true, body),
            _ => Vec::new(),
        }
    }

    fn check_body(
        &self,
        what: &str,
        schema: Option<&Validator>,
        required: bool,
        body: &[u8],
    ) -> Vec<String> {
        let prefix = format!("{} {what}", self.name);
        if body.is_empty() {
            return if required {
                vec![format!("{prefix}: a JSON body is required")]
            } else {
                Vec::new()
            };
        }
        let Ok(json) = serde_json::from_slice::<Value>(body) else {
            return vec![format!("{prefix}: the body is not JSON")];
        };
        schema.map_or_else(Vec::new, |schema| violations(schema, &json, &prefix))
    }
}

/// Each way `instance` breaks `schema`, as `prefix /field/path: problem`. The validator's masked
/// messages say "value" where the offending value would be.
fn violations(schema: &Validator, instance: &Value, prefix: &str) -> Vec<String> {
    let found: BTreeSet<String> = schema
        .iter_errors(instance)
        .map(|error| {
            let at = field_path(error.instance_path().as_str());
            let space = if at.is_empty() { "" } else { " " };
            format!("{prefix}{space}{at}: {}", error.masked())
        })
        .collect();
    found.into_iter().collect()
}

/// A JSON pointer with array indices as `*`, so one fault in a list of a hundred items is one line.
fn field_path(pointer: &str) -> String {
    let index = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    pointer
        .split('/')
        .skip(1)
        .map(|s| {
            if index(s) {
                "/*".to_owned()
            } else {
                format!("/{s}")
            }
        })
        .collect()
}

/// A validator for one schema of the document: the root carries `components`, so the document's
/// own `$ref: '#/components/schemas/…'` resolve against it.
fn compile(schema: &Value, components: &Value) -> Validator {
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&json!({ "components": components, "allOf": [schema] }))
        .unwrap_or_else(|e| panic!("a schema in the OpenAPI fixture does not compile: {e}"))
}

/// The spec's header parameters are named after the server's Python arguments: its `userAgent` is
/// the HTTP `User-Agent` header (huma-server-sdk `sdk/common/utils/flask_request_utils.py`,
/// `get_http_user_agent_from_request`, reads `User-Agent` and answers 400 without it).
fn http_header_name(spec_name: &str) -> String {
    match spec_name {
        "userAgent" => "User-Agent".to_owned(),
        other => other.to_owned(),
    }
}

/// The spec types `dateOfBirth` as a date-time, but Huma's server models it as a date
/// (huma-server-sdk `extensions/authorization/models/user.py`: `dateOfBirth: date`) and sends
/// `YYYY-MM-DD`. Either is accepted here (and read by the client); anything else is still reported.
fn server_dates(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(dob)) = map.get_mut("dateOfBirth") {
                if dob.get("format") == Some(&json!("date-time")) {
                    dob.remove("format");
                    dob.insert(
                        "pattern".into(),
                        json!("^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:.]+(Z|[+-][0-9:]+))?$"),
                    );
                }
            }
            map.values_mut().for_each(server_dates);
        }
        Value::Array(items) => items.iter_mut().for_each(server_dates),
        _ => {}
    }
}

/// OpenAPI 3.0 `nullable: true` as draft 4 says it: `"null"` is one more allowed type.
fn nullable_to_type(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::String(t)) = map.get("type").cloned() {
                    map.insert("type".into(), json!([t, "null"]));
                }
            }
            map.values_mut().for_each(nullable_to_type);
        }
        Value::Array(items) => items.iter_mut().for_each(nullable_to_type),
        _ => {}
    }
}

fn object(value: &Value) -> impl Iterator<Item = (&String, &Value)> {
    value.as_object().into_iter().flatten()
}

fn array(value: &Value) -> impl Iterator<Item = &Value> {
    value.as_array().into_iter().flatten()
}
