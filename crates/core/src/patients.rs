//! Patient lists and search: from the server when it answers, from this computer's cache when it
//! does not. Every server answer refreshes the cache.

use crate::clock::Clock;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::huma::client::Call;
use crate::huma::wire;
use crate::invite::phone::display;
use crate::session::Auth;
use crate::store::AccountStore;
use crate::ui_types::InvitationState;
use crate::ui_types::{DataSource, Patient, PatientList, PatientPage, PatientQuery};

/// A date of birth as a calendar date: Huma's server sends `YYYY-MM-DD`, its published spec says a
/// date-time; the time part (midnight) of the latter means nothing for a birthday.
fn calendar_date(value: String) -> String {
    match value.split_once('T') {
        Some((date, _)) if date.len() == 10 => date.to_owned(),
        _ => value,
    }
}

/// The most rows one page may ask for (the UI asks for 100).
pub const MAX_PAGE: u32 = 500;
/// Longer searches are refused with a message instead of being sent.
pub const MAX_SEARCH_CHARS: usize = 200;

impl From<wire::ProfileDto> for Patient {
    fn from(p: wire::ProfileDto) -> Self {
        Patient {
            id: p.id,
            given_name: p.given_name,
            family_name: p.family_name,
            date_of_birth: calendar_date(p.date_of_birth),
            nhs_number: p.nhs_id,
            email: p.email.filter(|e| !e.is_empty()),
            phone_display: p
                .phone_number
                .as_deref()
                .filter(|n| !n.is_empty())
                .map(display),
            phone_number: p.phone_number.filter(|n| !n.is_empty()),
            // The profiles call lists the list's users: people with an account.
            invitation: InvitationState::SignedUp,
        }
    }
}

/// Only connection trouble falls back to the cache; a refusal (forbidden, signed out) does not.
fn is_unavailable(e: &AppError) -> bool {
    matches!(e.code, ErrorCode::Offline | ErrorCode::ServerError)
}

pub fn validate(query: &PatientQuery) -> AppResult<()> {
    let chars = query.search.chars().count();
    if chars > MAX_SEARCH_CHARS {
        return Err(AppError::invalid_input(format!(
            "The search is {chars} characters long; use at most {MAX_SEARCH_CHARS}."
        )));
    }
    if query.limit == 0 || query.limit > MAX_PAGE {
        return Err(AppError::invalid_input(format!(
            "A page holds 1 to {MAX_PAGE} patients."
        )));
    }
    if query.list_id.trim().is_empty() {
        return Err(AppError::invalid_input("Choose a patient list first."));
    }
    Ok(())
}

pub async fn lists(auth: &Auth, store: &AccountStore) -> AppResult<Vec<PatientList>> {
    let fetched = auth
        .authorised(|token, uid| async move {
            auth.client()
                .get::<wire::UserDto>(
                    &wire::user_path(&uid),
                    Call {
                        token: Some(&token),
                        deployment_id: None,
                    },
                )
                .await
        })
        .await;
    match fetched {
        Ok(user) => {
            let lists: Vec<PatientList> = user
                .deployments_info
                .into_iter()
                .map(|d| PatientList {
                    id: d.id,
                    name: d.name,
                })
                .collect();
            store.save_lists(&lists)?;
            Ok(lists)
        }
        Err(e) if is_unavailable(&e) => {
            let cached = store.lists()?;
            if cached.is_empty() {
                Err(e)
            } else {
                Ok(cached)
            }
        }
        Err(e) => Err(e),
    }
}

async fn fetch_page(auth: &Auth, query: &PatientQuery) -> AppResult<wire::ProfilesResponse> {
    auth.authorised(|token, _uid| async move {
        auth.client()
            .post(
                wire::PROFILES,
                &wire::ProfilesRequest {
                    search: query.search.trim(),
                    skip: query.skip,
                    limit: query.limit,
                    sort: wire::SortDto::by_name(),
                },
                Call::for_list(&token, &query.list_id),
            )
            .await
    })
    .await
}

pub async fn search(
    auth: &Auth,
    store: &AccountStore,
    query: &PatientQuery,
    clock: &dyn Clock,
) -> AppResult<PatientPage> {
    validate(query)?;
    match fetch_page(auth, query).await {
        Ok(page) => {
            let patients: Vec<Patient> = page.users.into_iter().map(Patient::from).collect();
            if let Err(e) = store.upsert_patients(&query.list_id, &patients, clock.now()) {
                tracing::warn!(error = %e, "could not cache a page of patients");
            }
            Ok(PatientPage {
                patients,
                filtered: page.filtered,
                total: page.total,
                source: DataSource::Server,
                cached_at: None,
            })
        }
        Err(e) if is_unavailable(&e) => {
            let page = store.search_patients(query)?;
            if page.total == 0 {
                return Err(e);
            }
            tracing::info!(code = ?e.code, "server unavailable; searching the cache");
            Ok(page)
        }
        Err(e) => Err(e),
    }
}

/// Copies a whole list into the cache, page by page, replacing the old copy in one transaction.
pub async fn cache_whole_list(
    auth: &Auth,
    store: &AccountStore,
    list_id: &str,
    clock: &dyn Clock,
) -> AppResult<usize> {
    let mut all = Vec::new();
    let mut query = PatientQuery {
        list_id: list_id.to_owned(),
        search: String::new(),
        skip: 0,
        limit: MAX_PAGE,
    };
    loop {
        let page = fetch_page(auth, &query).await?;
        let got = page.users.len() as u32;
        all.extend(page.users.into_iter().map(Patient::from));
        query.skip += got;
        if got == 0 || query.skip >= page.filtered {
            break;
        }
    }
    store.replace_list_patients(list_id, &all, clock.now())?;
    Ok(all.len())
}

#[cfg(test)]
mod tests {
    use super::calendar_date;

    #[test]
    fn a_date_of_birth_reads_as_a_date_in_either_form() {
        assert_eq!(calendar_date("1956-03-12".into()), "1956-03-12");
        assert_eq!(
            calendar_date("1956-03-12T00:00:00.000000Z".into()),
            "1956-03-12"
        );
        assert_eq!(calendar_date(String::new()), "");
    }
}
