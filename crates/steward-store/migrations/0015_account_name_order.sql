-- Accounts are listed by name: read them in that order rather than sorting every time.
CREATE INDEX accounts_name_idx ON accounts (name, slug);
