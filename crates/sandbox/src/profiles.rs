//! Patient lists: the clinician's deployments, and the searchable, sortable, paged patient listing.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use crate::accounts;
use crate::error::ApiError;
use crate::extract::{deployment_header, ApiJson, IdPath, InDeployment};
use crate::state::AppState;
use crate::text::search_fold;
use crate::tokens::Caller;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/extensions/v1beta/user/{uid}", get(user))
        .route(
            "/api/extensions/v1beta/user/{uid}/configuration",
            get(configuration),
        )
        .route("/api/extensions/v1/user/profiles", post(profiles))
}

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 500;

/// Every seeded list is live (Huma's deployment status).
const DEPLOYMENT_STATUS: &str = "DEPLOYED";
/// The clinicians' role on each of their lists.
const CLINICIAN_ROLE: &str = "Clinician";
/// The lists' own language (a deployment's, not the user's).
const DEPLOYMENT_LANGUAGE: &str = "en";

/// One of the user's lists (Huma's `DeploymentInfo`: `id` and `name` required).
#[derive(Serialize)]
struct DeploymentInfo {
    id: String,
    name: String,
    status: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RoleItem {
    role_id: &'static str,
    resource: String,
}

/// The signed-in clinician, with the fields of Huma's user the app reads. ASSUMED: the rest of
/// Huma's user object is left out.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserReply {
    id: String,
    email: String,
    given_name: String,
    family_name: String,
    language: String,
    roles: Vec<RoleItem>,
    deployments_info: Vec<DeploymentInfo>,
}

/// The caller themself: another user's id is 403 `100004` (the sandbox has no patients' view).
fn own(caller: &Caller, uid: &str) -> Result<(), ApiError> {
    if uid == caller.user_id {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

async fn user(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(uid): IdPath,
) -> Result<Json<UserReply>, ApiError> {
    own(&caller, &uid)?;
    let reply = state
        .db
        .call(move |conn| {
            let profile =
                accounts::profile_of(conn, &caller.user_id)?.ok_or_else(ApiError::forbidden)?;
            let lists = accounts::deployments_of(conn, &caller.user_id)?;
            Ok(UserReply {
                id: caller.user_id,
                email: profile.email,
                given_name: profile.given_name,
                family_name: profile.family_name,
                language: profile.language,
                roles: lists
                    .iter()
                    .map(|(id, _)| RoleItem {
                        role_id: CLINICIAN_ROLE,
                        resource: format!("deployment/{id}"),
                    })
                    .collect(),
                deployments_info: lists
                    .into_iter()
                    .map(|(id, name)| DeploymentInfo {
                        id,
                        name,
                        status: DEPLOYMENT_STATUS,
                    })
                    .collect(),
            })
        })
        .await?;
    Ok(Json(reply))
}

/// One list's configuration (Huma's `RetrieveDeploymentConfigResponseObject`). ASSUMED: only the
/// fields that identify the list; Huma's has its modules, consent, branding and more.
#[derive(Serialize)]
struct ConfigurationReply {
    id: String,
    name: String,
    status: &'static str,
    language: &'static str,
}

/// The configuration of the list named by `x-deployment-id` (one of the caller's, else 403
/// `100004`), or without the header of the caller's first list, as Huma picks it.
async fn configuration(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    IdPath(uid): IdPath,
) -> Result<Json<ConfigurationReply>, ApiError> {
    own(&caller, &uid)?;
    let wanted = deployment_header(&headers)?;
    let lists = state
        .db
        .call(move |conn| Ok(accounts::deployments_of(conn, &caller.user_id)?))
        .await?;
    let (id, name) = lists
        .into_iter()
        .find(|(id, _)| wanted.as_ref().is_none_or(|w| w == id))
        .ok_or_else(ApiError::forbidden)?;
    Ok(Json(ConfigurationReply {
        id,
        name,
        status: DEPLOYMENT_STATUS,
        language: DEPLOYMENT_LANGUAGE,
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProfilesRequest {
    search: Option<String>,
    skip: Option<i64>,
    limit: Option<i64>,
    sort: Option<SortSpec>,
}

#[derive(Deserialize)]
struct SortSpec {
    #[serde(default)]
    fields: Vec<String>,
    #[serde(default)]
    order: SortOrder,
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum SortOrder {
    #[default]
    Ascending,
    Descending,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Profile {
    id: String,
    given_name: String,
    family_name: String,
    date_of_birth: String,
    /// Ten digits, no spaces.
    nhs_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_number: Option<String>,
}

#[derive(Serialize)]
struct ProfilesReply {
    users: Vec<Profile>,
    /// Patients in the list matching the search.
    filtered: i64,
    /// Patients in the list.
    total: i64,
}

/// What a search matches, prepared once per request.
struct Needles {
    /// Folded text, matched as a substring of "given family" and of the id.
    text: Option<String>,
    /// The search without spaces, if it is all digits: matched as a substring of the NHS number.
    digits: Option<String>,
}

impl Needles {
    fn new(search: Option<&str>) -> Needles {
        let search = search.map(str::trim).filter(|s| !s.is_empty());
        let digits = search
            .map(|s| s.chars().filter(|c| !c.is_whitespace()).collect::<String>())
            .filter(|d| d.bytes().all(|b| b.is_ascii_digit()));
        Needles {
            text: search.map(search_fold),
            digits,
        }
    }
}

/// `ORDER BY` from a whitelist (anything else is a validation error), ending with the id so that
/// pages never overlap or skip. Names sort by their folded form: "Zoë" next to "Zoe".
fn order_by(sort: Option<&SortSpec>) -> Result<String, ApiError> {
    let (fields, order) = match sort {
        Some(spec) if !spec.fields.is_empty() => (spec.fields.as_slice(), spec.order),
        Some(spec) => (&[][..], spec.order),
        None => (&[][..], SortOrder::Ascending),
    };
    let direction = match order {
        SortOrder::Ascending => "ASC",
        SortOrder::Descending => "DESC",
    };
    let mut columns = Vec::new();
    for field in fields {
        columns.push(match field.as_str() {
            "familyName" => "family_key",
            "givenName" => "given_key",
            "dateOfBirth" => "date_of_birth",
            "nhsId" => "nhs_id",
            "id" => "id",
            _ => return Err(ApiError::validation()),
        });
    }
    if columns.is_empty() {
        columns = vec!["family_key", "given_key"];
    }
    columns.push("id");
    Ok(columns
        .iter()
        .map(|c| format!("{c} {direction}"))
        .collect::<Vec<_>>()
        .join(", "))
}

const MATCHES: &str = "deployment_id = ?1 AND (?2 IS NULL OR instr(name_key, ?2) > 0 \
     OR instr(id, ?2) > 0 OR instr(nhs_id, ?3) > 0)";

fn query(
    conn: &Connection,
    deployment_id: &str,
    needles: &Needles,
    order_by: &str,
    skip: i64,
    limit: i64,
) -> Result<ProfilesReply, ApiError> {
    // instr() rather than LIKE: no wildcard characters to escape, so `%`, `_` and quotes in a search
    // are plain text. A substring cannot seek an index, but the list indexes carry the searched
    // columns (see db.rs), so a scan of 40,000 patients reads no table rows and takes ~10 ms.
    let sql = format!(
        "SELECT id, given_name, family_name, date_of_birth, nhs_id, email, phone FROM patients \
         WHERE {MATCHES} ORDER BY {order_by} LIMIT ?4 OFFSET ?5"
    );
    let users = conn
        .prepare_cached(&sql)?
        .query_map(
            params![deployment_id, needles.text, needles.digits, limit, skip],
            |r| {
                Ok(Profile {
                    id: r.get(0)?,
                    given_name: r.get(1)?,
                    family_name: r.get(2)?,
                    date_of_birth: r.get(3)?,
                    nhs_id: r.get(4)?,
                    email: r.get(5)?,
                    phone_number: r.get(6)?,
                })
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let total: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM patients WHERE deployment_id = ?1")?
        .query_row([deployment_id], |r| r.get(0))?;
    let filtered = if needles.text.is_none() {
        total
    } else {
        conn.prepare_cached(&format!("SELECT COUNT(*) FROM patients WHERE {MATCHES}"))?
            .query_row(params![deployment_id, needles.text, needles.digits], |r| {
                r.get(0)
            })?
    };
    Ok(ProfilesReply {
        users,
        filtered,
        total,
    })
}

async fn profiles(
    State(state): State<AppState>,
    scope: InDeployment,
    ApiJson(req): ApiJson<ProfilesRequest>,
) -> Result<Json<ProfilesReply>, ApiError> {
    let skip = req.skip.unwrap_or(0);
    let limit = req.limit.unwrap_or(DEFAULT_LIMIT);
    if skip < 0 || !(0..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::validation());
    }
    let order_by = order_by(req.sort.as_ref())?;
    let needles = Needles::new(req.search.as_deref());
    let reply = state
        .db
        .call(move |conn| query(conn, &scope.deployment_id, &needles, &order_by, skip, limit))
        .await?;
    Ok(Json(reply))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needles_split_text_and_digits() {
        let n = Needles::new(Some("  943 476 "));
        assert_eq!(n.text.as_deref(), Some("943 476"));
        assert_eq!(n.digits.as_deref(), Some("943476"));
        let n = Needles::new(Some("Zoë O'B"));
        assert_eq!(n.text.as_deref(), Some("zoe o'b"));
        assert_eq!(n.digits, None);
        let n = Needles::new(Some("   "));
        assert!(n.text.is_none() && n.digits.is_none());
    }

    #[test]
    fn order_by_whitelists_fields() {
        assert_eq!(
            order_by(None).ok().as_deref(),
            Some("family_key ASC, given_key ASC, id ASC")
        );
        let spec = SortSpec {
            fields: vec!["dateOfBirth".into()],
            order: SortOrder::Descending,
        };
        assert_eq!(
            order_by(Some(&spec)).ok().as_deref(),
            Some("date_of_birth DESC, id DESC")
        );
        let evil = SortSpec {
            fields: vec!["id; DROP TABLE patients".into()],
            order: SortOrder::Ascending,
        };
        assert_eq!(order_by(Some(&evil)), Err(ApiError::validation()));
    }
}
