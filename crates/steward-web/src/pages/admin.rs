//! Admin: users (invite, change role, deactivate); API tokens (everyone their own, the
//! admin everyone's).

use super::render;
use crate::app::App;
use crate::auth::Viewer;
use crate::authz::{self, Capability};
use crate::credentials;
use crate::error::{PageResult, WebError};
use crate::extract::Signed;
use crate::extract::page::Path;
use crate::forms::FieldErrors;
use crate::views::words;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use minijinja::{Value, context};
use std::collections::BTreeMap;
use steward_domain::{Department, Email, NewUser, Role, Slug, User};
use steward_store::{UserEdit, secret_digest};

fn user_row(u: &User) -> Value {
    context! {
        email => u.email.as_str(), name => u.name, role => u.role.as_str(), role_word => words(u.role.as_str()),
        department => u.department.map(|d| d.as_str()), account => u.account.as_ref().map(|s| s.as_str()),
        active => u.active, version => u.version,
    }
}

fn choices() -> Value {
    context! {
        roles => Role::ALL.iter().map(|r| context! { value => r.as_str(), label => words(r.as_str()) }).collect::<Vec<_>>(),
        departments => Department::ALL.iter().map(|d| context! { value => d.as_str(), label => words(d.as_str()) }).collect::<Vec<_>>(),
    }
}

async fn show_users(app: &App, viewer: &Viewer, form: Value, created: Option<Value>) -> PageResult {
    authz::check(&viewer.user, Capability::Admin)?;
    let failed = form.get_attr("errors").is_ok_and(|e| e.len().is_some_and(|n| n > 0));
    let (users, accounts) = app.run(|store| Ok((store.users()?, store.accounts()?))).await?;
    let page = context! {
        users => users.iter().map(user_row).collect::<Vec<_>>(),
        accounts => accounts.iter().map(|a| context! { slug => a.slug.as_str(), name => a.name }).collect::<Vec<_>>(),
        choices => choices(),
        form => form,
        created => created,
    };
    let mut response = render("admin_users.html", viewer, "/admin/users", "Users", page)?;
    if failed {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn users(State(app): State<App>, viewer: Viewer) -> PageResult {
    show_users(
        &app,
        &viewer,
        context! { values => BTreeMap::<String, String>::new(), errors => BTreeMap::<String, String>::new() },
        None,
    )
    .await
}

#[derive(Debug, serde::Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    account: String,
}

/// Creates the user with a one-time password shown to the admin once, to pass on.
pub async fn invite(State(app): State<App>, Signed { viewer, form: f }: Signed<InviteForm>) -> PageResult {
    authz::check(&viewer.user, Capability::Admin)?;
    let mut errors = FieldErrors::default();
    let email: Option<Email> = errors.parse("email", &f.email, "e-mail address");
    if f.email.trim().is_empty() {
        errors.add("email", "an e-mail address is required");
    }
    let name = errors.text("name", &f.name, "A name", steward_domain::input::TextKind::Name);
    let role: Option<Role> = errors.parse("role", &f.role, "role");
    let department: Option<Department> = errors.parse("department", &f.department, "department");
    let account: Option<Slug> = errors.parse("account", &f.account, "account");
    if role.is_none() {
        errors.add("role", "choose a role");
    }
    if let Some(role) = role
        && let Err(e) = steward_domain::user::check_scope(role, department, account.as_ref())
    {
        let field = if role == Role::Client || account.is_some() { "account" } else { "department" };
        errors.add(field, e.0.replace("--account SLUG", "an account"));
    }
    let values = BTreeMap::from([
        ("email".to_owned(), f.email.clone()),
        ("name".to_owned(), f.name.clone()),
        ("role".to_owned(), f.role.clone()),
        ("department".to_owned(), f.department.clone()),
        ("account".to_owned(), f.account.clone()),
    ]);
    let again = |errors: BTreeMap<String, String>| context! { values => values.clone(), errors };
    let (Some(email), Some(role), true) = (email, role, errors.0.is_empty()) else {
        return show_users(&app, &viewer, again(errors.0), None).await;
    };
    let password = credentials::new_password();
    let hash = credentials::hash_password(&password).map_err(|e| WebError::Internal(e.to_string()))?;
    let new = NewUser { email, name, role, department, account, password_hash: hash };
    match app.run(move |store| Ok(store.create_user(&new)?)).await {
        Ok(user) => {
            // A new account manager has a book, if an empty one, in the team's readings.
            app.book_changed();
            let created = context! { email => user.email.as_str(), password };
            let blank =
                context! { values => BTreeMap::<String, String>::new(), errors => BTreeMap::<String, String>::new() };
            show_users(&app, &viewer, blank, Some(created)).await
        }
        Err(WebError::Invalid { message, .. }) => {
            show_users(&app, &viewer, again(BTreeMap::from([("email".to_owned(), message)])), None).await
        }
        Err(WebError::NotFound(what)) => {
            let problem = format!("{what} not found; choose one of the list");
            show_users(&app, &viewer, again(BTreeMap::from([("account".to_owned(), problem)])), None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct EditForm {
    version: i64,
    #[serde(default)]
    role: String,
    #[serde(default)]
    active: String,
}

/// Changes a user's role or deactivates them. Scope that no longer fits the role is
/// dropped (a colleague made a director keeps no department).
pub async fn edit_user(
    State(app): State<App>,
    Path(email): Path<String>,
    Signed { viewer, form: f }: Signed<EditForm>,
) -> PageResult {
    authz::check(&viewer.user, Capability::Admin)?;
    let email = Email::parse(&email).map_err(|_| WebError::NotFound(format!("user {email}")))?;
    let role: Role = f.role.parse().map_err(|_| WebError::field("role", "choose a role"))?;
    let active = f.active == "true" || f.active == "on";
    let me = viewer.user.email.clone();
    app.run(move |store| {
        let user = store.user(&email)?;
        if user.email == me && (!active || role != Role::Admin) {
            return Err(WebError::invalid("you cannot remove your own admin role or deactivate yourself"));
        }
        let mut edit = UserEdit::from(&user);
        edit.role = role;
        edit.active = active;
        if role != Role::Colleague {
            edit.department = None;
        } else if edit.department.is_none() {
            return Err(WebError::invalid("a colleague needs a department: invite them again with one"));
        }
        if role != Role::Client {
            edit.account = None;
        } else if edit.account.is_none() {
            return Err(WebError::invalid("a client user needs an account: invite them again with one"));
        }
        store.update_user(&email, &edit, f.version).map_err(|e| super::conflict_page(e.into(), "the users page"))?;
        Ok(())
    })
    .await?;
    app.book_changed();
    Ok(Redirect::to("/admin/users").into_response())
}

async fn show_tokens(app: &App, viewer: &Viewer, created: Option<Value>, error: Option<String>) -> PageResult {
    authz::check(&viewer.user, Capability::OwnTokens)?;
    let everyone = authz::may(&viewer.user, Capability::Admin);
    let me = viewer.user.email.clone();
    let tokens = app.run(move |store| Ok(store.api_tokens(if everyone { None } else { Some(&me) })?)).await?;
    let page = context! {
        tokens => tokens.iter().map(|t| context! {
            id => t.id, name => t.name, prefix => t.prefix, user => t.user.as_str(), version => t.version,
            created => t.created_at.format("%Y-%m-%d").to_string(),
            last_used => t.last_used_at.map(|d| d.format("%Y-%m-%d %H:%M").to_string()),
            revoked => t.revoked_at.map(|d| d.format("%Y-%m-%d").to_string()),
        }).collect::<Vec<_>>(),
        everyone => everyone,
        created => created,
        error => error,
    };
    render("tokens.html", viewer, "/tokens", "API tokens", page)
}

pub async fn tokens(State(app): State<App>, viewer: Viewer) -> PageResult {
    show_tokens(&app, &viewer, None, None).await
}

#[derive(Debug, serde::Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

/// A token for the signed-in user, shown once.
pub async fn create_token(State(app): State<App>, Signed { viewer, form: f }: Signed<TokenForm>) -> PageResult {
    let name = match crate::forms::checked_text("name", steward_domain::input::TextKind::Name, &f.name) {
        Ok(name) => name,
        Err(e) => return show_tokens(&app, &viewer, None, Some(format!("The name: {}.", e.message()))).await,
    };
    if name.is_empty() {
        return show_tokens(&app, &viewer, None, Some("Name the token after where it will be used.".into())).await;
    }
    let token = credentials::new_token();
    let (me, digest, prefix) =
        (viewer.user.email.clone(), secret_digest(&token), credentials::shown_prefix(&token).to_owned());
    app.run(move |store| Ok(store.create_api_token(&me, &name, &digest, &prefix)?)).await?;
    show_tokens(&app, &viewer, Some(context! { token }), None).await
}

#[derive(Debug, serde::Deserialize)]
pub struct RevokeForm {
    version: i64,
}

pub async fn revoke_token(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form: f }: Signed<RevokeForm>,
) -> PageResult {
    let user = viewer.user.clone();
    app.run(move |store| {
        let token = store.api_token(id)?;
        if token.user != user.email && !authz::may(&user, Capability::Admin) {
            return Err(WebError::NotFound(format!("API token {id}")));
        }
        store.revoke_api_token(id, f.version)?;
        Ok(())
    })
    .await
    .map_err(|e| super::conflict_page(e, "the tokens page"))?;
    Ok(Redirect::to("/tokens").into_response())
}
