//! Patient lists: search on the server, offline copies in the account's database.

use super::*;

impl ClinicianApp {
    pub async fn patient_lists(&self) -> AppResult<Vec<PatientList>> {
        let store = self.current_store().await?;
        patients::lists(self.auth()?, &store).await
    }

    /// A search; opening a list (first page, no search) also refreshes its offline copy when stale.
    pub async fn search_patients(self: &Arc<Self>, query: &PatientQuery) -> AppResult<PatientPage> {
        let store = self.current_store().await?;
        let page = patients::search(self.auth()?, &store, query, self.clock.as_ref()).await?;
        if page.source == DataSource::Server && query.skip == 0 && query.search.trim().is_empty() {
            self.refresh_cache_in_background(&store, &query.list_id);
        }
        Ok(page)
    }

    fn refresh_cache_in_background(self: &Arc<Self>, store: &AccountStore, list_id: &str) {
        let fresh = store
            .list_synced_at(list_id)
            .ok()
            .flatten()
            .is_some_and(|at| self.clock.now() - at < CACHE_MAX_AGE);
        let Ok(mut in_flight) = self.caching.lock() else {
            return;
        };
        if fresh || !in_flight.insert(list_id.to_owned()) {
            return;
        }
        drop(in_flight);
        let app = Arc::clone(self);
        let list_id = list_id.to_owned();
        tokio::spawn(async move {
            match app.cache_list(&list_id).await {
                Ok(count) => tracing::info!(count, "patient list copied for offline use"),
                Err(e) => tracing::info!(code = ?e.code, "patient list not copied for offline use"),
            }
            if let Ok(mut in_flight) = app.caching.lock() {
                in_flight.remove(&list_id);
            }
        });
    }

    /// Copies a whole list to this computer so it can be browsed offline; returns the patient count.
    pub async fn cache_list(&self, list_id: &str) -> AppResult<usize> {
        let store = self.current_store().await?;
        patients::cache_whole_list(self.auth()?, &store, list_id, self.clock.as_ref()).await
    }
}
