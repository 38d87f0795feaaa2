use super::{outln, print_json, print_table};
use crate::Settings;
use crate::cli::{TokenCreateArgs, TokenListArgs, TokenRevokeArgs, TokensCommand};
use anyhow::Result;
use steward_domain::{Email, auth::ApiToken};
use steward_store::secret_digest;
use steward_web::credentials;

pub fn run(settings: &Settings, command: TokensCommand) -> Result<()> {
    match command {
        TokensCommand::Create(args) => create(settings, args),
        TokensCommand::List(args) => list(settings, args),
        TokensCommand::Revoke(args) => revoke(settings, args),
    }
}

fn create(settings: &Settings, args: TokenCreateArgs) -> Result<()> {
    let email = Email::parse(args.user.as_deref().or(args.email.as_deref()).unwrap_or_default())?;
    let store = crate::open::open_store(settings)?;
    let token = credentials::new_token();
    let created =
        store.create_api_token(&email, &args.name, &secret_digest(&token), credentials::shown_prefix(&token))?;
    crate::errln!("This token is shown once; Steward keeps only its digest.");
    if args.json {
        #[derive(serde::Serialize)]
        struct Created<'a> {
            token: &'a str,
            #[serde(flatten)]
            stored: &'a ApiToken,
        }
        return print_json(&Created { token: &token, stored: &created });
    }
    outln!("{token}");
    Ok(())
}

fn list(settings: &Settings, args: TokenListArgs) -> Result<()> {
    let user = args.user.as_deref().map(Email::parse).transpose()?;
    let tokens = crate::open::open_store(settings)?.api_tokens(user.as_ref())?;
    if args.json {
        return print_json(&tokens);
    }
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.format("%Y-%m-%d %H:%M").to_string());
    let rows: Vec<Vec<String>> = tokens
        .iter()
        .map(|t| {
            vec![
                t.id.to_string(),
                format!("{}…", t.prefix),
                t.user.to_string(),
                t.name.clone(),
                when(Some(t.created_at)).unwrap_or_default(),
                when(t.last_used_at).unwrap_or_else(|| "never".into()),
                when(t.revoked_at).unwrap_or_default(),
            ]
        })
        .collect();
    print_table(&["id", "token", "user", "name", "created", "last used", "revoked"], &rows)
}

fn revoke(settings: &Settings, args: TokenRevokeArgs) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    let current = store.api_token(args.id)?;
    let revoked = store.revoke_api_token(current.id, current.version)?;
    if args.json {
        return print_json(&revoked);
    }
    outln!("revoked token {} ({}…, {}, \"{}\")", revoked.id, revoked.prefix, revoked.user, revoked.name);
    Ok(())
}
