-- Every write to an account's own data counts on the account's row, so a server holding
-- the book's rows in memory re-reads only the accounts whose count moved — also after
-- another server or the command line wrote. Kept by triggers, so no write path can forget
-- it: the tables an account's summary is worked out from (contacts, activities and who
-- was met, tasks, contracts and their versions, CSAT, metrics, eligibility's as-of date,
-- worksites). The account's own columns move its `version` instead.
ALTER TABLE accounts ADD COLUMN data_changes BIGINT NOT NULL DEFAULT 0;
{{sqlite:
CREATE TRIGGER worksites_count_i AFTER INSERT ON worksites BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = NEW.account_id; END;
CREATE TRIGGER worksites_count_u AFTER UPDATE ON worksites BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = NEW.account_id; END;
CREATE TRIGGER worksites_count_d AFTER DELETE ON worksites BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = OLD.account_id; END;
CREATE TRIGGER contacts_count_i AFTER INSERT ON contacts BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = NEW.account_id; END;
CREATE TRIGGER contacts_count_u AFTER UPDATE ON contacts BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = NEW.account_id; END;
CREATE TRIGGER contacts_count_d AFTER DELETE ON contacts BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = OLD.account_id; END;
CREATE TRIGGER activities_count_i AFTER INSERT ON activities BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = NEW.account_id; END;
CREATE TRIGGER activities_count_u AFTER UPDATE ON activities BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = NEW.account_id; END;
CREATE TRIGGER activities_count_d AFTER DELETE ON activities BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = OLD.account_id; END;
CREATE TRIGGER activity_contacts_count_i AFTER INSERT ON activity_contacts BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = (SELECT account_id FROM activities WHERE id = NEW.activity_id); END;
CREATE TRIGGER activity_contacts_count_d AFTER DELETE ON activity_contacts BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = (SELECT account_id FROM activities WHERE id = OLD.activity_id); END;
CREATE TRIGGER tasks_count_i AFTER INSERT ON tasks BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = NEW.account_id; END;
CREATE TRIGGER tasks_count_u AFTER UPDATE ON tasks BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = NEW.account_id; END;
CREATE TRIGGER tasks_count_d AFTER DELETE ON tasks BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = OLD.account_id; END;
CREATE TRIGGER contracts_count_i AFTER INSERT ON contracts BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = NEW.account_id; END;
CREATE TRIGGER contracts_count_u AFTER UPDATE ON contracts BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = NEW.account_id; END;
CREATE TRIGGER contracts_count_d AFTER DELETE ON contracts BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = OLD.account_id; END;
CREATE TRIGGER contract_changes_count_i AFTER INSERT ON contract_changes BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = (SELECT account_id FROM contracts WHERE id = NEW.contract_id); END;
CREATE TRIGGER csat_ratings_count_i AFTER INSERT ON csat_ratings BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = NEW.account_id; END;
CREATE TRIGGER csat_ratings_count_u AFTER UPDATE ON csat_ratings BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = NEW.account_id; END;
CREATE TRIGGER csat_ratings_count_d AFTER DELETE ON csat_ratings BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = OLD.account_id; END;
CREATE TRIGGER account_metrics_count_i AFTER INSERT ON account_metrics BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = NEW.account_id; END;
CREATE TRIGGER account_metrics_count_u AFTER UPDATE ON account_metrics BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = NEW.account_id; END;
CREATE TRIGGER account_metrics_count_d AFTER DELETE ON account_metrics BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = OLD.account_id; END;
CREATE TRIGGER member_ledgers_count_i AFTER INSERT ON member_ledgers BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = NEW.account_id; END;
CREATE TRIGGER member_ledgers_count_u AFTER UPDATE ON member_ledgers BEGIN UPDATE accounts SET data_changes = data_changes + 1 WHERE id = NEW.account_id; END;
}}{{postgres:
CREATE FUNCTION count_account_data_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE accounts SET data_changes = data_changes + 1 WHERE id = OLD.account_id;
    ELSE
        UPDATE accounts SET data_changes = data_changes + 1 WHERE id = NEW.account_id;
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION count_activity_contact_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE accounts SET data_changes = data_changes + 1 WHERE id = (SELECT account_id FROM activities WHERE id = OLD.activity_id);
    ELSE
        UPDATE accounts SET data_changes = data_changes + 1 WHERE id = (SELECT account_id FROM activities WHERE id = NEW.activity_id);
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION count_contract_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts SET data_changes = data_changes + 1 WHERE id = (SELECT account_id FROM contracts WHERE id = NEW.contract_id);
    RETURN NULL;
END $$;
CREATE TRIGGER worksites_count AFTER INSERT OR UPDATE OR DELETE ON worksites FOR EACH ROW EXECUTE FUNCTION count_account_data_change();
CREATE TRIGGER contacts_count AFTER INSERT OR UPDATE OR DELETE ON contacts FOR EACH ROW EXECUTE FUNCTION count_account_data_change();
CREATE TRIGGER activities_count AFTER INSERT OR UPDATE OR DELETE ON activities FOR EACH ROW EXECUTE FUNCTION count_account_data_change();
CREATE TRIGGER activity_contacts_count AFTER INSERT OR DELETE ON activity_contacts FOR EACH ROW EXECUTE FUNCTION count_activity_contact_change();
CREATE TRIGGER tasks_count AFTER INSERT OR UPDATE OR DELETE ON tasks FOR EACH ROW EXECUTE FUNCTION count_account_data_change();
CREATE TRIGGER contracts_count AFTER INSERT OR UPDATE OR DELETE ON contracts FOR EACH ROW EXECUTE FUNCTION count_account_data_change();
CREATE TRIGGER contract_changes_count AFTER INSERT ON contract_changes FOR EACH ROW EXECUTE FUNCTION count_contract_version();
CREATE TRIGGER csat_ratings_count AFTER INSERT OR UPDATE OR DELETE ON csat_ratings FOR EACH ROW EXECUTE FUNCTION count_account_data_change();
CREATE TRIGGER account_metrics_count AFTER INSERT OR UPDATE OR DELETE ON account_metrics FOR EACH ROW EXECUTE FUNCTION count_account_data_change();
CREATE TRIGGER member_ledgers_count AFTER INSERT OR UPDATE ON member_ledgers FOR EACH ROW EXECUTE FUNCTION count_account_data_change();
}}
