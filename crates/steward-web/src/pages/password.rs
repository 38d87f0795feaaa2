//! Changing one's own password (the first one is given by the admin who invited them).

use super::render;
use crate::app::App;
use crate::auth;
use crate::auth::Viewer;
use crate::credentials::{self, MIN_PASSWORD_LENGTH, PasswordError};
use crate::error::{PageResult, WebError};
use crate::extract::Signed;
use crate::forms::FieldErrors;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use minijinja::context;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use steward_store::PasswordChanged;

pub async fn page(State(app): State<App>, viewer: Viewer) -> PageResult {
    show(&app, &viewer, BTreeMap::new(), None).await
}

async fn show(
    app: &App,
    viewer: &Viewer,
    errors: BTreeMap<String, String>,
    changed: Option<PasswordChanged>,
) -> PageResult {
    let failed = !errors.is_empty();
    let email = viewer.user.email.clone();
    let tokens = app
        .run(move |store| Ok(store.api_tokens(Some(&email))?.iter().filter(|t| t.revoked_at.is_none()).count()))
        .await?;
    let page = context! {
        errors,
        changed => changed.map(|c| context! { sessions => c.sessions_ended, tokens => c.tokens_revoked }),
        tokens,
        min => MIN_PASSWORD_LENGTH,
    };
    let mut response = render("password.html", viewer, "", "Change password", page)?;
    if failed {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

#[derive(Debug, serde::Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    again: String,
    /// "on" when they asked for their API tokens to be revoked too.
    #[serde(default)]
    revoke_tokens: Option<String>,
}

pub async fn change(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Signed { viewer, form: f }: Signed<PasswordForm>,
) -> PageResult {
    let mut errors = FieldErrors::default();
    if f.new != f.again {
        errors.add("again", "the two new passwords differ");
    }
    let hash = match credentials::hash_password(&f.new) {
        Ok(hash) => Some(hash),
        Err(PasswordError::TooShort) => {
            errors.add("new", format!("use at least {MIN_PASSWORD_LENGTH} characters"));
            None
        }
        Err(e) => return Err(WebError::Internal(e.to_string()).into()),
    };
    // Asked for again, the password is guessed no faster than at sign-in.
    let email = viewer.user.email.clone();
    let address = auth::client_address(app.config().behind_proxy, &headers, peer);
    let keys = auth::throttle_keys(&app, email.as_str(), &address);
    let (current, policy) = (f.current, app.config().sign_in);
    let verified =
        app.run(move |store| auth::throttled_password_check(store, &keys, &policy, Some(&email), &current)).await?;
    if !verified {
        errors.add("current", "that is not your current password");
    }
    let (Some(hash), true) = (hash, errors.0.is_empty()) else {
        return show(&app, &viewer, errors.0, None).await;
    };
    let (email, keep) = (viewer.user.email.clone(), viewer.session_digest.clone());
    let revoke_tokens = f.revoke_tokens.is_some_and(|v| v == "on" || v == "true");
    let changed = app.run(move |store| Ok(store.set_password_hash(&email, &hash, Some(&keep), revoke_tokens)?)).await?;
    show(&app, &viewer, BTreeMap::new(), Some(changed)).await
}
